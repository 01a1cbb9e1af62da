import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Journal } from '../../src/core/journal/journal'
import { MAX_RETRY_AFTER_MS } from '../../src/core/rufus/errors'
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/core/sync/backoff'
import { SyncEngine } from '../../src/core/sync/sync-engine'
import type { WaitTimer } from '../../src/core/sync/sync-time'
import { MAX_TIMER_DELAY_MS, timerDelay } from '../../src/core/time/timer-delay'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { tempFolder } from '../helpers/station'
import { wordsOf } from '../helpers/sync-rig'

/** Resolves once `check` holds, looking again on every turn of the event loop (no fixed sleeps). */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

describe('timer delays', () => {
  it('keeps every delay within what a timer can honour, and a broken one never becomes a busy loop', () => {
    expect(timerDelay(3_000_000_000)).toBe(MAX_TIMER_DELAY_MS)
    expect(timerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_DELAY_MS)
    expect(timerDelay(Number.NaN)).toBe(MAX_TIMER_DELAY_MS)
    expect(timerDelay(-5)).toBe(0)
    expect(timerDelay(12.4)).toBe(12)
    expect(backoffDelay(0, DEFAULT_BACKOFF, 0.5, 3_000_000 * 1000)).toBe(MAX_RETRY_AFTER_MS)
    expect(backoffDelay(0, DEFAULT_BACKOFF, 0.5, 120_000)).toBe(120_000)
  })
})

describe('a 429 with an absurd Retry-After', () => {
  it('waits the clamped hour before the next request, instead of retrying every millisecond', async () => {
    const cloud = await emulator({ faults: { rateLimitShare: 1, retryAfterSeconds: 3_000_000 } })
    const journal = new Journal(join(tempFolder(), 'journal.sqlite'))
    journal.setDeviceIdentity({ serialNumber: 'RS-RETRY', model: 'RUFUS Station', alias: null })
    const session = journal.openSession('FINISH', 1)
    journal.insertManual(session.id, '42', Date.UTC(2026, 10, 29, 9) * 1000, 1)
    // Injected time: the engine's waits are recorded, and end only when the test says so.
    const waits: Array<{ ms: number; done: () => void }> = []
    const timer: WaitTimer = (ms, done) => {
      const wait = { ms, done }
      waits.push(wait)
      return () => waits.splice(waits.indexOf(wait) >>> 0, waits.includes(wait) ? 1 : 0)
    }
    const engine = new SyncEngine({
      journal,
      client: clientFor(cloud, KEYS.readWrite),
      stationTag: 'rs-test',
      idlePollMs: 20,
      timer,
      random: () => 0.5,
      onChange: () => undefined,
      onNotice: () => undefined
    })
    engine.start()
    try {
      await until(() => waits.length > 0, 'the engine to wait after the 429')
      expect(waits.map(w => w.ms)).toEqual([MAX_RETRY_AFTER_MS])
      expect(cloud.stats.faults['rate-limit']).toBe(1)
      expect(wordsOf(engine.status().lastError)).toMatch(/slow down; retrying in 3600 s/)
      // The wait is the timer's: nothing is sent before it ends.
      await new Promise(resolve => setImmediate(resolve))
      expect(cloud.stats.requests).toBe(1)

      cloud.setFaults({})
      waits.shift()?.done()
      await until(() => journal.counts().synced === 1, 'the passing to go up after the wait')
      expect(cloud.stats.faults['rate-limit']).toBe(1)
    } finally {
      await engine.stop()
      journal.close()
    }
  })
})
