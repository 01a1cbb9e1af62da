import { MAX_RETRY_AFTER_MS } from '../rufus/errors'
import { timerDelay } from '../time/timer-delay'

export interface BackoffOptions {
  readonly baseMs: number
  readonly maxMs: number
  readonly factor: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 60_000, factor: 2 }

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential, capped, with "equal jitter"
 * (half fixed, half random) so many stations do not retry in lockstep. A server's Retry-After wins when longer,
 * up to an hour.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: number,
  retryAfterMs?: number
): number {
  const exponential = Math.min(options.maxMs, options.baseMs * options.factor ** Math.max(0, attempt))
  const jittered = exponential / 2 + (exponential / 2) * Math.min(1, Math.max(0, random))
  return timerDelay(Math.max(jittered, retryAfterMs ?? 0), MAX_RETRY_AFTER_MS)
}
