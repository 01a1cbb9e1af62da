import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff'

/** How one step of the engine went, as far as when to run the next one is concerned. */
export type StepResult =
  /** Something moved: run the next step at once. */
  | { readonly kind: 'worked' }
  /** Nothing to do now; look again in `lookAgainMs` at the latest (new captures wake it sooner). */
  | { readonly kind: 'idle'; readonly lookAgainMs?: number }
  /** A person must act (a new key, a decision); look again now and then, or when woken. */
  | { readonly kind: 'blocked' }
  /** The cloud or the network failed: back off, at least `retryAfterMs` when the server asked for it. */
  | { readonly kind: 'failed'; readonly retryAfterMs?: number }

/** A pause before the next step. Only a `wakeable` one ends early for new work; a stop ends any. */
export interface Wait {
  readonly ms: number
  readonly wakeable: boolean
}

export interface ScheduleOptions {
  readonly backoff?: BackoffOptions
  /** How long to wait, when idle, before looking again. */
  readonly idlePollMs?: number
  readonly random?: () => number
}

const DEFAULT_IDLE_POLL_MS = 5000
/** A block waits for a person; the engine still looks once a minute. */
const BLOCKED_POLL_MS = 60_000

/**
 * When the engine runs next: at once after work, after a poll interval when idle or blocked, and after an
 * exponential backoff (or the server's Retry-After) when failures follow each other. Pure: no timers, no clock.
 */
export class RetrySchedule {
  readonly #options: ScheduleOptions
  /** Failures since the last step that worked: the backoff's exponent. */
  #attempt = 0

  constructor(options: ScheduleOptions = {}) {
    this.#options = options
  }

  /** The pause after a step, or null to run the next one at once. */
  after(result: StepResult): Wait | null {
    switch (result.kind) {
      case 'worked':
        this.#attempt = 0
        return null
      case 'idle': {
        const pollMs = this.#options.idlePollMs ?? DEFAULT_IDLE_POLL_MS
        return { ms: Math.min(pollMs, result.lookAgainMs ?? Infinity), wakeable: true }
      }
      case 'blocked':
        return { ms: BLOCKED_POLL_MS, wakeable: true }
      case 'failed': {
        const random = (this.#options.random ?? Math.random)()
        const delay = backoffDelay(
          this.#attempt,
          this.#options.backoff ?? DEFAULT_BACKOFF,
          random,
          result.retryAfterMs
        )
        this.#attempt += 1
        // New captures do not cut a backoff short: that would hammer a cloud that is down.
        return { ms: Math.max(1, delay), wakeable: false }
      }
    }
  }

  /** A person fixed the cause (a new key): the next failure starts the backoff again from the shortest delay. */
  reset(): void {
    this.#attempt = 0
  }
}
