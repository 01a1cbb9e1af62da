import { QUIRKS, rulesOf } from '../../src/emulator/quirks'
import type { Batch, CloudFaults, MatrixCase } from './harness'

/**
 * The matrix's cases as data. A reading is one way the cloud may answer the docs' open questions (a set of
 * quirks, maybe the envelope); every reading runs in the same few variants, so adding a reading (a quirk alone,
 * a compatible set, a pair) is one line in a table. This issue runs the default reading only.
 */

export interface Reading {
  readonly name: string
  readonly quirks: readonly string[]
  readonly envelope?: boolean
}

export const DEFAULT_READING: Reading = { name: 'default reading', quirks: [] }

/** `count` bibs from `first` on, as strings: one passing each. */
export function bibs(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(first + i))
}

/**
 * Three batches of six passings, the station killed (SIGKILL) right after capturing each of the first two, while
 * their upload is likely in flight; a new station starts for each next batch and for the drain.
 */
export const KILLED_BETWEEN_BATCHES: readonly Batch[] = [
  { bibs: bibs(101, 6), then: 'kill' },
  { bibs: bibs(201, 6), then: 'kill' },
  { bibs: bibs(301, 6), then: 'keep' }
]

/** Of the requests, 15 % answered 5xx before being applied and 15 % applied with the answer dropped. */
export const SERVER_ERRORS_AND_DROPPED_ANSWERS: CloudFaults = {
  serverErrorShare: 0.15,
  dropAfterApplyShare: 0.15
}

/** `--legacy` (no de-duplication, so any resend shows as an extra row) can be added to this reading. */
function legacyCombines(reading: Reading): boolean {
  try {
    rulesOf(reading.quirks, true)
    return true
  } catch {
    return false
  }
}

/**
 * The variants a reading runs in: as it is and with `--legacy`, each without and with faults; the station is
 * killed between batches in all of them. `--legacy` variants are left out for a reading that contradicts it.
 */
export function casesFor(reading: Reading, seed = 1): MatrixCase[] {
  const base = { quirks: reading.quirks, envelope: reading.envelope, batches: KILLED_BETWEEN_BATCHES, seed }
  const legacy = legacyCombines(reading) ? [false, true] : [false]
  return legacy.flatMap(isLegacy =>
    [undefined, SERVER_ERRORS_AND_DROPPED_ANSWERS].map(faults => ({
      ...base,
      name: [
        reading.name,
        ...(isLegacy ? ['--legacy'] : []),
        ...(faults ? ['5xx and dropped answers'] : [])
      ].join(', '),
      legacy: isLegacy,
      faults
    }))
  )
}

// ---- every other reading (issue 14) ----

/** How long the emulator's `session-expires` quirk lets a cloud session live in the matrix: a few batches. */
export const SESSION_LIFETIME_S = 3

/** One switch of the emulator: a quirk (as `--quirk` takes it) or the envelope. */
const ENVELOPE = 'envelope'

/** Every switch the emulator has, each as the matrix passes it. */
export function everySwitch(): string[] {
  return [...QUIRKS.map(q => (q.value === 'seconds' ? `${q.name}=${SESSION_LIFETIME_S}` : q.name)), ENVELOPE]
}

function readingOf(switches: readonly string[]): Reading {
  const quirks = switches.filter(s => s !== ENVELOPE)
  return {
    name: switches.length === 0 ? 'default reading' : switches.join(' + '),
    quirks,
    envelope: switches.includes(ENVELOPE)
  }
}

/** Whether these switches can hold together (the emulator refuses two that decide the same thing differently). */
export function compatible(switches: readonly string[], legacy = false): boolean {
  try {
    rulesOf(
      switches.filter(s => s !== ENVELOPE),
      legacy
    )
    return true
  } catch {
    return false
  }
}

/**
 * Sets of compatible switches such that every two switches that can hold together do so in at least one set
 * (pairwise coverage), each set grown as large as compatibility allows. Greedy and deterministic: start from the
 * first pair not yet covered, add every switch that still fits, preferring those that cover new pairs.
 */
export function pairwiseSets(switches: readonly string[]): string[][] {
  const key = (a: string, b: string) => [a, b].sort().join('\u0000')
  const uncovered = new Set<string>()
  for (let i = 0; i < switches.length; i += 1) {
    for (let j = i + 1; j < switches.length; j += 1) {
      const a = switches[i] as string
      const b = switches[j] as string
      if (compatible([a, b])) uncovered.add(key(a, b))
    }
  }
  const sets: string[][] = []
  while (uncovered.size > 0) {
    const [a, b] = ([...uncovered][0] as string).split('\u0000') as [string, string]
    const set = [a, b]
    const gain = (s: string) => set.filter(t => uncovered.has(key(s, t))).length
    for (;;) {
      const candidates = switches.filter(s => !set.includes(s) && compatible([...set, s]))
      if (candidates.length === 0) break
      const best = candidates.reduce((x, y) => (gain(y) > gain(x) ? y : x))
      set.push(best)
    }
    for (const x of set) for (const y of set) if (x < y) uncovered.delete(key(x, y))
    sets.push(switches.filter(s => set.includes(s)))
  }
  return sets
}

/**
 * Every batch ends in a kill but the last; the second starts with `--new-session WAVE 2`, so a later session must
 * upload too (and the first one still has to, after the kill and the switch).
 */
export const KILLED_AND_SWITCHED: readonly Batch[] = [
  { bibs: bibs(101, 6), then: 'kill' },
  { bibs: bibs(201, 6), then: 'kill', startFlags: ['--new-session', 'WAVE 2'] },
  { bibs: bibs(301, 6), then: 'keep' }
]

/** How long a case's last station may take to settle: long enough for backoffs, short enough for CI. */
const EVERY_QUIRK_SETTLE_MS = 15_000

/**
 * The cases of the every-quirk matrix: each switch alone, then the pairwise sets; each with faults (5xx and
 * dropped answers) and again with `--legacy` and faults. Where a set contradicts `--legacy` (de-duplication by
 * another key), its `--legacy` case leaves out the switches that contradict it. Every case kills the station
 * between batches and switches to a new session mid-run. Cases with the same switches are run once.
 */
export function everyQuirkCases(seed = 1): MatrixCase[] {
  const switches = everySwitch()
  const readings = [
    ...switches.map(s => ({ label: s, set: [s] })),
    ...pairwiseSets(switches).map((set, i) => ({ label: `pairwise set ${i + 1}`, set }))
  ]
  const seen = new Set<string>()
  const cases: MatrixCase[] = []
  const add = (label: string, set: readonly string[], legacy: boolean) => {
    const reading = readingOf(set)
    if (set.length === 0 || seen.has(`${reading.name}/${legacy}`)) return
    seen.add(`${reading.name}/${legacy}`)
    const named = label === reading.name ? label : `${label} (${reading.name})`
    cases.push({
      name: `${named}${legacy ? ', --legacy' : ''}, 5xx and dropped answers`,
      quirks: reading.quirks,
      envelope: reading.envelope,
      legacy,
      faults: SERVER_ERRORS_AND_DROPPED_ANSWERS,
      seed,
      batches: KILLED_AND_SWITCHED,
      settleTimeoutMs: EVERY_QUIRK_SETTLE_MS
    })
  }
  for (const { label, set } of readings) add(label, set, false)
  for (const { label, set } of readings)
    add(
      label,
      set.filter(s => compatible([s], true)),
      true
    )
  return cases
}
