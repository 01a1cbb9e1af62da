/** Fault injection for reliability tests; every share is a probability between 0 and 1. Off by default. */
export interface FaultSettings {
  /** Share of requests answered 500 before anything is applied. */
  readonly serverErrorShare: number
  /** Share of requests answered 429 with Retry-After before anything is applied. */
  readonly rateLimitShare: number
  /** Seconds sent in Retry-After with an injected 429. */
  readonly retryAfterSeconds: number
  /** Share of requests whose connection is dropped after the request has been applied. */
  readonly dropAfterApplyShare: number
  /** Latency added before each request is handled, in milliseconds. */
  readonly latencyMs: number
  /** Passings whose bib matches this pattern are refused with 400 (to exercise quarantine). */
  readonly rejectBibPattern?: string
}

export const NO_FAULTS: FaultSettings = {
  serverErrorShare: 0,
  rateLimitShare: 0,
  retryAfterSeconds: 1,
  dropAfterApplyShare: 0,
  latencyMs: 0
}

export type FaultDecision = 'none' | 'server-error' | 'rate-limit' | 'drop-after-apply'

/** Picks the fault for one request from one random draw. */
export function decideFault(settings: FaultSettings, draw: number): FaultDecision {
  let threshold = settings.serverErrorShare
  if (draw < threshold) return 'server-error'
  threshold += settings.rateLimitShare
  if (draw < threshold) return 'rate-limit'
  threshold += settings.dropAfterApplyShare
  if (draw < threshold) return 'drop-after-apply'
  return 'none'
}
