import type { SyncClock, WaitTimer } from '../../src/core/sync/sync-time'

interface PendingWait {
  readonly dueMs: number
  readonly ms: number
  readonly done: () => void
}

/** Turns of the event loop a paused engine may take to pause again; far more than any step needs. */
const MAX_TURNS = 10_000

/**
 * A clock that moves only when the test says so, and the timer that goes with it: the sync engine's pauses end
 * when `advance` passes them, never by themselves. Nothing sleeps; a test of minutes of sync runs in milliseconds.
 */
export class FakeTime implements SyncClock {
  #nowMs: number
  readonly #waits: PendingWait[] = []
  /** Every pause asked for, in order (ms). */
  readonly pauses: number[] = []

  constructor(startMs = Date.UTC(2026, 10, 29, 9, 0, 0)) {
    this.#nowMs = startMs
  }

  nowMs(): number {
    return this.#nowMs
  }

  nowUs(): number {
    return this.#nowMs * 1000
  }

  readonly timer: WaitTimer = (ms, done) => {
    const wait = { dueMs: this.#nowMs + ms, ms, done }
    this.#waits.push(wait)
    this.pauses.push(ms)
    return () => {
      const index = this.#waits.indexOf(wait)
      if (index >= 0) this.#waits.splice(index, 1)
    }
  }

  /** The pause in progress (ms asked for), or null while the engine works or after it stopped. */
  get pending(): number | null {
    return this.#next()?.ms ?? null
  }

  #next(): PendingWait | undefined {
    return this.#waits.reduce<PendingWait | undefined>(
      (first, wait) => (first === undefined || wait.dueMs < first.dueMs ? wait : first),
      undefined
    )
  }

  /**
   * Lets the engine run (its cloud and journal answer without real waiting) until it pauses, and answers the
   * pause it asked for. Fails if it never pauses.
   */
  async untilPaused(): Promise<number> {
    for (let turn = 0; turn < MAX_TURNS; turn += 1) {
      const wait = this.#next()
      if (wait) return wait.ms
      await new Promise(resolve => setImmediate(resolve))
    }
    throw new Error(`the engine did not pause within ${MAX_TURNS} turns of the event loop`)
  }

  /**
   * Moves the clock `ms` forward. Each pause that ends on the way ends at its own time, and the engine runs until
   * it pauses again before the clock moves on, as it would in real time.
   */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms
    for (;;) {
      const wait = this.#next()
      if (!wait || wait.dueMs > targetMs) break
      this.#waits.splice(this.#waits.indexOf(wait), 1)
      this.#nowMs = Math.max(this.#nowMs, wait.dueMs)
      wait.done()
      await this.untilPaused()
    }
    this.#nowMs = targetMs
  }
}
