import { describe, expect, it } from 'vitest'
import type { AcceptedPassing, DedupSettings, HeldRead } from '../../src/core/reader/dedup'
import { decideRead, type ReadFacts, type ReadDecision } from '../../src/core/journal/read-decision'
import type { IgnoreWindow } from '../../src/core/journal/rows'

const S = 1_000_000
const MS = 1000
const FIRST: DedupSettings = { windowMs: 2000, mode: 'first' }
const STRONGEST: DedupSettings = { windowMs: 2000, mode: 'strongest' }
const NO_WINDOW: IgnoreWindow = { beforeUs: null, afterUs: null }

/** A read of CHIP at 100 s with this RSSI, or as given. */
function read(fields: Partial<ReadFacts> = {}): ReadFacts {
  return { timeUs: 100 * S, chip: 'CHIP', rssi: -60, ...fields }
}

const accepted = (timeUs: number, replaceable = true): AcceptedPassing => ({ id: 7, timeUs, replaceable })
const held = (rssi: number | null, windowEndUs = 101 * S): HeldRead => ({ timeUs: 99 * S, rssi, windowEndUs })

interface Row {
  readonly read: ReadFacts
  readonly dedup: DedupSettings
  readonly known?: boolean
  readonly ignore?: IgnoreWindow
  readonly nearest?: AcceptedPassing | null
  readonly held?: HeldRead | null
  readonly expected: ReadDecision<HeldRead>
  /** The lookups the rule must ask, in order: nothing more (a read costs no query it does not need). */
  readonly asked: readonly string[]
}

const ALL = ['known', 'ignoreWindow', 'nearestAccepted']
const ALL_HELD = [...ALL, 'heldRead']

const TABLE: ReadonlyArray<[string, Row]> = [
  // ---- known reads, ignore window, reads that are never duplicates ----
  [
    'a read already stored is skipped before anything else is asked',
    { read: read(), dedup: FIRST, known: true, expected: { kind: 'skip-known' }, asked: ['known'] }
  ],
  [
    'a read before the ignore-before time is suppressed',
    {
      read: read({ timeUs: 100 * S - 1 }),
      dedup: FIRST,
      ignore: { beforeUs: 100 * S, afterUs: null },
      expected: { kind: 'suppress', reason: 'before the ignore-before time', keptId: null },
      asked: ['known', 'ignoreWindow']
    }
  ],
  [
    'a read exactly at the ignore-before time is kept',
    {
      read: read(),
      dedup: FIRST,
      ignore: { beforeUs: 100 * S, afterUs: null },
      expected: { kind: 'insert' },
      asked: ALL
    }
  ],
  [
    'a read after the ignore-after time is suppressed',
    {
      read: read({ timeUs: 100 * S + 1 }),
      dedup: FIRST,
      ignore: { beforeUs: null, afterUs: 100 * S },
      expected: { kind: 'suppress', reason: 'after the ignore-after time', keptId: null },
      asked: ['known', 'ignoreWindow']
    }
  ],
  [
    'a read exactly at the ignore-after time is kept',
    {
      read: read(),
      dedup: FIRST,
      ignore: { beforeUs: 90 * S, afterUs: 100 * S },
      expected: { kind: 'insert' },
      asked: ALL
    }
  ],
  [
    'a read without a chip is a passing, even next to an accepted passing',
    {
      read: read({ chip: null }),
      dedup: FIRST,
      nearest: accepted(100 * S),
      expected: { kind: 'insert' },
      asked: ['known', 'ignoreWindow']
    }
  ],
  [
    'with a window of 0 every read is a passing',
    {
      read: read(),
      dedup: { windowMs: 0, mode: 'strongest' },
      nearest: accepted(100 * S),
      expected: { kind: 'insert' },
      asked: ['known', 'ignoreWindow']
    }
  ],
  // ---- first read ----
  [
    'first read: the chip has no accepted passing',
    { read: read(), dedup: FIRST, nearest: null, expected: { kind: 'insert' }, asked: ALL }
  ],
  [
    'first read: a read 500 ms after a passing is suppressed, naming the kept one',
    {
      read: read(),
      dedup: FIRST,
      nearest: accepted(100 * S - 500 * MS),
      expected: { kind: 'suppress', reason: 'same chip 500 ms after passing', keptId: 7 },
      asked: ALL
    }
  ],
  [
    'first read: a read at the same time as a passing is suppressed',
    {
      read: read(),
      dedup: FIRST,
      nearest: accepted(100 * S),
      expected: { kind: 'suppress', reason: 'same chip 0 ms after passing', keptId: 7 },
      asked: ALL
    }
  ],
  [
    'first read: a gap of 1.5 s is worded in seconds',
    {
      read: read(),
      dedup: FIRST,
      nearest: accepted(98.5 * S),
      expected: { kind: 'suppress', reason: 'same chip 1.5 s after passing', keptId: 7 },
      asked: ALL
    }
  ],
  [
    'first read: a gap of exactly the window is a new passing',
    { read: read(), dedup: FIRST, nearest: accepted(98 * S), expected: { kind: 'insert' }, asked: ALL }
  ],
  [
    'first read: a gap of exactly minus the window is a new passing',
    { read: read(), dedup: FIRST, nearest: accepted(102 * S), expected: { kind: 'insert' }, asked: ALL }
  ],
  [
    'first read: an earlier read (negative gap) replaces a passing not yet sent',
    {
      read: read(),
      dedup: FIRST,
      nearest: accepted(100.8 * S),
      expected: { kind: 'supersede', replacedId: 7 },
      asked: ALL
    }
  ],
  [
    'first read: an earlier read is suppressed when the passing cannot be replaced (sent or in flight)',
    {
      read: read(),
      dedup: FIRST,
      nearest: accepted(100.8 * S, false),
      expected: {
        kind: 'suppress',
        reason: 'same chip 800 ms before passing already sent to the cloud',
        keptId: 7
      },
      asked: ALL
    }
  ],
  // ---- strongest read ----
  [
    'strongest: a duplicate of an accepted passing is suppressed without asking for a hold',
    {
      read: read(),
      dedup: STRONGEST,
      nearest: accepted(99.5 * S),
      expected: { kind: 'suppress', reason: 'same chip 500 ms after passing', keptId: 7 },
      asked: ALL
    }
  ],
  [
    'strongest: the first read of a chip starts a hold for the window',
    {
      read: read(),
      dedup: STRONGEST,
      held: null,
      expected: { kind: 'hold', windowEndUs: 102 * S },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: an earlier read than a replaceable passing is held, never superseding',
    {
      read: read(),
      dedup: STRONGEST,
      nearest: accepted(100.8 * S),
      held: null,
      expected: { kind: 'hold', windowEndUs: 102 * S },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: a stronger read replaces the hold and keeps its window',
    {
      read: read({ rssi: -50 }),
      dedup: STRONGEST,
      held: held(-60),
      expected: {
        kind: 'replace-hold',
        reason: 'weaker (-60) than a later read (-50)',
        displaced: held(-60),
        windowEndUs: 101 * S
      },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: a read of equal RSSI is suppressed (the held read came first)',
    {
      read: read({ rssi: -60 }),
      dedup: STRONGEST,
      held: held(-60),
      expected: { kind: 'suppress', reason: 'weaker (-60) than the held read (-60)', keptId: null },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: a weaker read is suppressed',
    {
      read: read({ rssi: -70 }),
      dedup: STRONGEST,
      held: held(-60),
      expected: { kind: 'suppress', reason: 'weaker (-70) than the held read (-60)', keptId: null },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: a read without RSSI never beats a held read',
    {
      read: read({ rssi: null }),
      dedup: STRONGEST,
      held: held(-90),
      expected: { kind: 'suppress', reason: 'weaker (?) than the held read (-90)', keptId: null },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: any read with RSSI beats a held read without',
    {
      read: read({ rssi: -90 }),
      dedup: STRONGEST,
      held: held(null),
      expected: {
        kind: 'replace-hold',
        reason: 'weaker (?) than a later read (-90)',
        displaced: held(null),
        windowEndUs: 101 * S
      },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: two reads without RSSI keep the held one',
    {
      read: read({ rssi: null }),
      dedup: STRONGEST,
      held: held(null),
      expected: { kind: 'suppress', reason: 'weaker (?) than the held read (?)', keptId: null },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: a read 1 µs before the hold window ends still competes with it',
    {
      read: read({ rssi: -70 }),
      dedup: STRONGEST,
      held: held(-60, 100 * S + 1),
      expected: { kind: 'suppress', reason: 'weaker (-70) than the held read (-60)', keptId: null },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: a read exactly at the end of the hold window releases the hold and starts its own',
    {
      read: read({ rssi: -70 }),
      dedup: STRONGEST,
      held: held(-60, 100 * S),
      expected: { kind: 'release-and-hold', released: held(-60, 100 * S), windowEndUs: 102 * S },
      asked: ALL_HELD
    }
  ],
  [
    'strongest: a read long after the hold window (decoded in the same run) releases the hold first',
    {
      read: read({ rssi: -90 }),
      dedup: STRONGEST,
      held: held(-60, 95 * S),
      expected: { kind: 'release-and-hold', released: held(-60, 95 * S), windowEndUs: 102 * S },
      asked: ALL_HELD
    }
  ]
]

describe('the read decision', () => {
  it.each(TABLE)('%s', (_name, row) => {
    const asked: string[] = []
    const ask = <T>(name: string, answer: T): T => {
      asked.push(name)
      return answer
    }
    const decision = decideRead(row.read, row.dedup, {
      known: () => ask('known', row.known ?? false),
      ignoreWindow: () => ask('ignoreWindow', row.ignore ?? NO_WINDOW),
      nearestAccepted: chip => ask('nearestAccepted', chip === 'CHIP' ? (row.nearest ?? null) : null),
      heldRead: chip => ask('heldRead', chip === 'CHIP' ? (row.held ?? null) : null)
    })
    expect(decision).toEqual(row.expected)
    expect(asked).toEqual(row.asked)
  })

  it('covers every kind of decision', () => {
    const kinds = new Set(TABLE.map(([, row]) => row.expected.kind))
    const all: ReadonlyArray<ReadDecision<HeldRead>['kind']> = [
      'skip-known',
      'suppress',
      'insert',
      'supersede',
      'hold',
      'replace-hold',
      'release-and-hold'
    ]
    expect([...kinds].sort()).toEqual([...all].sort())
  })
})
