/**
 * Duplicate suppression decisions, pure. A reader sees a chip many times per crossing, and a main and a backup
 * mat see it twice: within the window, one passing per chip. The earliest valid read wins (never "main wins");
 * the strongest-read mode holds the passing until the window closes and keeps the read with the highest RSSI.
 */
export type DedupMode = 'first' | 'strongest'

export interface DedupSettings {
  /** Window per chip, milliseconds (default 2000; up to hours for "once per race"). */
  readonly windowMs: number
  readonly mode: DedupMode
}

export const DEFAULT_DEDUP: DedupSettings = { windowMs: 2000, mode: 'first' }
/** Holding a passing for longer than this would delay the finish line's results too much. */
export const MAX_STRONGEST_WINDOW_MS = 10_000

export function validateDedup(settings: DedupSettings): DedupSettings {
  if (!Number.isFinite(settings.windowMs) || settings.windowMs < 0) {
    throw new TypeError('duplicate window must be a number of milliseconds ≥ 0')
  }
  if (settings.mode !== 'first' && settings.mode !== 'strongest') {
    throw new TypeError('duplicate mode must be "first" or "strongest"')
  }
  if (settings.mode === 'strongest' && settings.windowMs > MAX_STRONGEST_WINDOW_MS) {
    throw new TypeError(
      `the strongest-read mode holds each passing for the whole window; use a window of at most ${MAX_STRONGEST_WINDOW_MS / 1000} s`
    )
  }
  return settings
}

export interface AcceptedPassing {
  readonly id: number
  readonly timeUs: number
  /** Voiding it is still possible (not synced, not in flight). */
  readonly replaceable: boolean
}

export type FirstReadDecision =
  | { readonly kind: 'accept' }
  | { readonly kind: 'suppress'; readonly reason: string; readonly keptId: number }
  | { readonly kind: 'supersede'; readonly replacedId: number }

/** First-read mode: compare a read with the chip's nearest accepted passing in this session. */
export function decideFirstRead(
  readTimeUs: number,
  nearest: AcceptedPassing | null,
  windowMs: number
): FirstReadDecision {
  if (!nearest) return { kind: 'accept' }
  const gapMs = (readTimeUs - nearest.timeUs) / 1000
  if (Math.abs(gapMs) >= windowMs) return { kind: 'accept' }
  if (gapMs >= 0) {
    return { kind: 'suppress', reason: `same chip ${formatGap(gapMs)} after passing`, keptId: nearest.id }
  }
  if (nearest.replaceable) return { kind: 'supersede', replacedId: nearest.id }
  return {
    kind: 'suppress',
    reason: `same chip ${formatGap(-gapMs)} before passing already sent to the cloud`,
    keptId: nearest.id
  }
}

export interface HeldRead {
  readonly timeUs: number
  readonly rssi: number | null
  readonly windowEndUs: number
}

export type StrongestDecision =
  | { readonly kind: 'hold' }
  | { readonly kind: 'replace-hold'; readonly reason: string }
  | { readonly kind: 'suppress'; readonly reason: string }

/** Strongest mode: a read either starts a hold, replaces a weaker held read, or is dropped as weaker. */
export function decideStrongest(
  read: { timeUs: number; rssi: number | null },
  held: HeldRead | null
): StrongestDecision {
  if (!held || read.timeUs >= held.windowEndUs) return { kind: 'hold' }
  const stronger = (read.rssi ?? -Infinity) > (held.rssi ?? -Infinity)
  if (stronger) {
    return {
      kind: 'replace-hold',
      reason: `weaker (${held.rssi ?? '?'}) than a later read (${read.rssi ?? '?'})`
    }
  }
  return { kind: 'suppress', reason: `weaker (${read.rssi ?? '?'}) than the held read (${held.rssi ?? '?'})` }
}

function formatGap(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
