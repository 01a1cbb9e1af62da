/**
 * What the passings browser's searches take from a person: a bib to match whole (a prefix only when asked) and a
 * time of day on the screen's own clock.
 */

/** A bib filter as typed: a trailing `*` asks for bibs starting with the text, as the checkbox does. */
export interface BibFilter {
  readonly text: string
  readonly prefix: boolean
}

export function bibFilter(typed: string, prefixChecked: boolean): BibFilter {
  const text = typed.trim()
  if (text.endsWith('*')) return { text: text.slice(0, -1).trim(), prefix: true }
  return { text, prefix: prefixChecked }
}

/** Whether any of a row's bibs (the cloud's, this station's, a correction) is the one asked for. */
export function bibMatches(bibs: readonly (string | null | undefined)[], filter: BibFilter): boolean {
  if (filter.text === '') return true
  return bibs.some(bib =>
    bib === null || bib === undefined
      ? false
      : filter.prefix
        ? bib.startsWith(filter.text)
        : bib === filter.text
  )
}

const TIME_OF_DAY = /^(\d{1,2})[:.h](\d{2})(?::(\d{2})(?:[.,](\d{1,3}))?)?$/

/**
 * A time typed as the timer reads the clock ("10:00", "9:05:30", "10:00:30.5"), on `day` in this screen's time
 * zone, as the UTC instant the API takes; a full ISO 8601 time passes through. Null when it is neither.
 */
export function localTimeToIso(typed: string, day: Date): string | null {
  const text = typed.trim()
  const match = TIME_OF_DAY.exec(text)
  if (match) {
    const [hours, minutes, seconds, fraction] = [match[1], match[2], match[3], match[4]].map(n =>
      n === undefined ? 0 : Number(n)
    ) as [number, number, number, number]
    const millis = match[4] === undefined ? 0 : Math.round(fraction * 10 ** (3 - match[4].length))
    if (hours > 23 || minutes > 59 || seconds > 59) return null
    const at = new Date(day.getFullYear(), day.getMonth(), day.getDate(), hours, minutes, seconds, millis)
    return at.toISOString()
  }
  if (/^\d{4}-\d\d-\d\dT/.test(text) && !Number.isNaN(Date.parse(text))) return new Date(text).toISOString()
  return null
}

/**
 * The From and To of a search by time: a To earlier than the From is on the next day (a race across midnight).
 * Null for a field that is empty; `bad` names the field that cannot be read.
 */
export function timeRange(
  from: string,
  to: string,
  day: Date
): { from?: string; to?: string } | { bad: 'from' | 'to' } {
  const start = from.trim() === '' ? undefined : localTimeToIso(from, day)
  if (start === null) return { bad: 'from' }
  let end = to.trim() === '' ? undefined : localTimeToIso(to, day)
  if (end === null) return { bad: 'to' }
  if (start !== undefined && end !== undefined && Date.parse(end) < Date.parse(start)) {
    end = new Date(Date.parse(end) + 24 * 3600 * 1000).toISOString()
  }
  return { ...(start === undefined ? {} : { from: start }), ...(end === undefined ? {} : { to: end }) }
}
