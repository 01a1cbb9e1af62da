/** The longest delay Node's timers take; anything longer (or NaN, or negative) fires after 1 ms instead. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

/**
 * A delay every timer can honour: whole, at least 0 and at most `maxMs`. A delay that is not a number waits
 * the longest allowed time rather than none, so a bad value can never turn a wait into a busy loop.
 */
export function timerDelay(ms: number, maxMs: number = MAX_TIMER_DELAY_MS): number {
  const limit = Math.min(Math.max(0, maxMs), MAX_TIMER_DELAY_MS)
  if (Number.isNaN(ms)) return limit
  return Math.round(Math.min(limit, Math.max(0, ms)))
}
