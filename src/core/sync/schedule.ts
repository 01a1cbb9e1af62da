import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff'

/** How one step of the engine went, as far as when to run the next one is concerned. */
export type StepResult =
  /** Something moved: run the next step at once. */
  | { readonly kind: 'worked' }
  /** Nothing to do now; look again in `lookAgainMs` at the latest (new captures wake it sooner). */
  | { readonly kind: 'idle'; readonly lookAgainMs?: number }
  /** A person must act (a decision on a session); look again now and then, or when woken. */
  | { readonly kind: 'blocked' }
  /**
   * Everything is stopped by a cause that may pass by itself (the key refused, every passing refused): check again
   * after 1, 2 and 4 minutes, then every 5, not sooner for new captures (a person's `resume` still ends the pause).
   */
  | { readonly kind: 'recheck' }
  /** The cloud or the network failed: back off, at least `retryAfterMs` when the server asked for it. */
  | { readonly kind: 'failed'; readonly retryAfterMs?: number }
  /** Nothing failed, but the next try must not follow at once (a passing the cloud answered for, then not shown). */
  | { readonly kind: 'backoff' }

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
/** The pauses before each check of a stop that may pass by itself; the last one repeats. */
export const RECHECK_MS: readonly number[] = [60_000, 120_000, 240_000, 300_000]

/**
 * When the engine runs next: at once after work, after a poll interval when idle or blocked, after an exponential
 * backoff (or the server's Retry-After) when failures follow each other, and on a slower ladder of checks while a
 * stop that may pass by itself lasts. Pure: no timers, no clock.
 */
export class RetrySchedule {
  readonly #options: ScheduleOptions
  /** Failures since the last step that worked: the backoff's exponent. */
  #attempt = 0
  /** Checks of a stop since it began. */
  #rechecks = 0

  constructor(options: ScheduleOptions = {}) {
    this.#options = options
  }

  /** The pause after a step, or null to run the next one at once. */
  after(result: StepResult): Wait | null {
    switch (result.kind) {
      case 'worked':
        this.#attempt = 0
        this.#rechecks = 0
        return null
      case 'idle': {
        const pollMs = this.#options.idlePollMs ?? DEFAULT_IDLE_POLL_MS
        return { ms: Math.min(pollMs, result.lookAgainMs ?? Infinity), wakeable: true }
      }
      case 'blocked':
        return { ms: BLOCKED_POLL_MS, wakeable: true }
      case 'recheck': {
        const ms = RECHECK_MS[Math.min(this.#rechecks, RECHECK_MS.length - 1)] as number
        this.#rechecks += 1
        return { ms, wakeable: false }
      }
      case 'backoff':
      case 'failed': {
        const random = (this.#options.random ?? Math.random)()
        const delay = backoffDelay(
          this.#attempt,
          this.#options.backoff ?? DEFAULT_BACKOFF,
          random,
          result.kind === 'failed' ? result.retryAfterMs : undefined
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
    this.#rechecks = 0
  }
}
