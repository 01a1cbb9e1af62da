import type { DecoderContext } from './decoder'

const DAY_MS = 86_400_000

/**
 * A time of day from a reader's clock (kept in the laptop's local time zone) placed on the date that puts it
 * nearest to its arrival, so a read just before midnight that arrives just after it keeps its own day.
 */
export function timeOfDayToUtcUs(
  parts: { hours: number; minutes: number; seconds: number; fractionUs: number },
  arrivalUs: number,
  utcOffsetMinutes: number
): number {
  const localArrivalMs = arrivalUs / 1000 + utcOffsetMinutes * 60_000
  const day = Math.floor(localArrivalMs / DAY_MS) * DAY_MS
  const ofDayMs = ((parts.hours * 60 + parts.minutes) * 60 + parts.seconds) * 1000
  const candidates = [day - DAY_MS, day, day + DAY_MS].map(d => d + ofDayMs - utcOffsetMinutes * 60_000)
  const best = candidates.reduce((a, b) =>
    Math.abs(b - arrivalUs / 1000) < Math.abs(a - arrivalUs / 1000) ? b : a
  )
  return best * 1000 + parts.fractionUs
}

/**
 * Maps a reader's time to the laptop clock with the smallest (arrival − reader time) seen on this connection:
 * that is the clock difference plus the shortest transmission delay. Returns the mapped time, the offset
 * (reader minus laptop, ms) and the updated context.
 */
export function mapReaderTime(readerUs: number, arrivalUs: number, context: DecoderContext) {
  const delayUs = arrivalUs - readerUs
  const previous = typeof context['minDelayUs'] === 'number' ? context['minDelayUs'] : Infinity
  const minDelayUs = Math.min(previous, delayUs)
  return {
    timeUs: readerUs + minDelayUs,
    clockOffsetMs: Math.round(-minDelayUs / 1000),
    context: { ...context, minDelayUs }
  }
}
