import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff'

/** Sessions whose close is retried later, at most (each entry goes when its close goes through). */
const MAX_ENTRIES = 1000

/**
 * Closes that did not go through, each retried after its own backoff so that a stuck close holds back no other
 * session: the engine passes over a session until its close is due again.
 */
export class CloseRetries {
  readonly #backoff: BackoffOptions
  readonly #random: () => number
  readonly #entries = new Map<number, { readonly attempts: number; readonly atMs: number }>()

  constructor(options: { readonly backoff?: BackoffOptions; readonly random?: () => number }) {
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF
    this.#random = options.random ?? Math.random
  }

  /** How long until the session's close may be tried again (0: now). */
  waitMs(sessionId: number, nowMs: number): number {
    const entry = this.#entries.get(sessionId)
    return entry ? Math.max(0, entry.atMs - nowMs) : 0
  }

  /** The close did not go through: when to try again. */
  failed(sessionId: number, nowMs: number): number {
    const attempts = (this.#entries.get(sessionId)?.attempts ?? 0) + 1
    const atMs = nowMs + backoffDelay(attempts - 1, this.#backoff, this.#random())
    this.#entries.delete(sessionId)
    this.#entries.set(sessionId, { attempts, atMs })
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as number)
    return atMs
  }

  closed(sessionId: number): void {
    this.#entries.delete(sessionId)
  }
}
