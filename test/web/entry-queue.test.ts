import { describe, expect, it, vi } from 'vitest'
import type { ErrorCode } from '../../src/shared/contract'
import { ENTRY_QUEUE_CAP, EntryQueue, stationTimeMs } from '../../src/renderer/src/entry/entry-queue'
import { EntrySender, type SendEntry } from '../../src/renderer/src/entry/entry-sender'

type Answer = { ok: true } | { ok: false; error: { code: ErrorCode; message: string } }

/** A station that answers each entry as told, recording what it was sent. */
function station(answer: (bib: string | null) => Answer) {
  const sent: Array<{ bib: string | null; atMs: number; entryKey: string }> = []
  const send: SendEntry = args => {
    sent.push(args)
    return Promise.resolve(answer(args.bib))
  }
  return { sent, send }
}

const entry = (key: string, bib: string | null, deviceMs: number, offsetMs: number | null = 5) => ({
  key,
  bib,
  deviceMs,
  offsetMs
})

describe('the entry screen queue', () => {
  it('survives a reload (it lives in the storage) and ignores what it cannot read', () => {
    const storage = new Map<string, string>()
    const queue = new EntryQueue(storage)
    queue.add(entry('k1', '12', 1000))
    expect(new EntryQueue(storage).entries).toEqual([{ ...entry('k1', '12', 1000), rejected: null }])
    storage.set([...storage.keys()][0] ?? '', '{not json')
    expect(new EntryQueue(storage).entries).toEqual([])
  })

  it('sends in order with the keypress time; a refused entry stays with its time and the next goes', async () => {
    const queue = new EntryQueue(new Map())
    queue.add(entry('k1', '1', 1000))
    queue.add(entry('k2', 'X'.repeat(36), 2000))
    queue.add(entry('k3', null, 3000, null))
    const answers = station(bib =>
      bib?.length === 36
        ? { ok: false, error: { code: 'invalid-arguments', message: 'Invalid bib: too long' } }
        : { ok: true }
    )
    await new EntrySender(queue, answers.send, () => 40).drain()
    expect(answers.sent.map(s => [s.entryKey, s.atMs])).toEqual([
      ['k1', 1005],
      ['k2', 2005],
      // No offset known at the keypress: the one known now.
      ['k3', 3040]
    ])
    expect(queue.entries).toEqual([
      { ...entry('k2', 'X'.repeat(36), 2000), rejected: 'Invalid bib: too long' }
    ])
    queue.correct('k2', '36')
    await new EntrySender(queue, answers.send, () => 40).drain()
    expect(answers.sent.at(-1)).toEqual({ bib: '36', atMs: 2005, entryKey: 'k2' })
    expect(queue.entries).toEqual([])
  })

  it('stops at a lost connection with the entry still first, and goes on from it later', async () => {
    const queue = new EntryQueue(new Map())
    queue.add(entry('k1', '1', 1000))
    queue.add(entry('k2', '2', 2000))
    let down = true
    const answers = station(() =>
      down
        ? { ok: false, error: { code: 'internal', message: 'The connection to the station was lost.' } }
        : { ok: true }
    )
    const sender = new EntrySender(queue, answers.send, () => 0)
    await sender.drain()
    expect(queue.waiting.map(e => e.key)).toEqual(['k1', 'k2'])
    down = false
    await sender.drain()
    expect(answers.sent.map(s => s.entryKey)).toEqual(['k1', 'k1', 'k2'])
    expect(queue.entries).toEqual([])
  })

  it('refuses out loud when full instead of dropping anything', () => {
    expect(ENTRY_QUEUE_CAP).toBe(5000)
    const queue = new EntryQueue(new Map(), 3)
    for (let i = 0; i < 3; i += 1) expect(queue.add(entry(`k${i}`, String(i), i))).toBe(true)
    expect(queue.add(entry('one-more', '1', 1))).toBe(false)
    expect(queue.entries).toHaveLength(3)
    expect(queue.entries[0]?.key).toBe('k0')
    expect(stationTimeMs({ ...entry('k', '1', 100, -20), rejected: null }, 999)).toBe(80)
  })
})

describe('attack 11: the entry queue under pressure', () => {
  it('a station that answers "busy" (too many commands at once) is tried again without another keypress', async () => {
    vi.useFakeTimers()
    try {
      const queue = new EntryQueue(new Map())
      for (let i = 1; i <= 5; i += 1) queue.add(entry(`k${i}`, String(i), i * 1000))
      let budget = 2
      const answers = station(() => {
        if (budget === 0) return { ok: false, error: { code: 'busy', message: 'Too many commands' } }
        budget -= 1
        return { ok: true }
      })
      const sender = new EntrySender(queue, answers.send, () => 0)
      await sender.drain()
      expect(queue.waiting.map(e => e.key)).toEqual(['k3', 'k4', 'k5'])
      // The rate limit refills; nothing else happens on the screen (the timer typed the last bib).
      budget = 10
      await vi.advanceTimersByTimeAsync(5000)
      expect(queue.entries).toEqual([])
      expect(answers.sent.filter(s => s.entryKey !== 'k3').map(s => s.entryKey)).toEqual([
        'k1',
        'k2',
        'k4',
        'k5'
      ])
    } finally {
      vi.useRealTimers()
    }
  })

  it('two screens of one browser (two tabs) share the stored queue without erasing each other', () => {
    const storage = new Map<string, string>()
    const tabA = new EntryQueue(storage)
    const tabB = new EntryQueue(storage)
    tabA.add(entry('a1', '11', 1000))
    tabB.add(entry('b1', '22', 2000))
    tabA.add(entry('a2', '33', 3000))
    // Tab A is reloaded while the station is down: every entry typed in either tab is still kept.
    expect(new EntryQueue(storage).entries.map(e => e.key).sort()).toEqual(['a1', 'a2', 'b1'])
    tabB.remove('b1')
    expect(new EntryQueue(storage).entries.map(e => e.key)).toEqual(['a1', 'a2'])
  })
})
