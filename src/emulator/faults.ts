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

/** A small seeded generator (mulberry32) so a faulty run can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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
