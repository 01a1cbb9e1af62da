import type { Language } from '../../shared/languages'

/** Local time of day with tenths, as timers read it. */
export function clockText(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${Math.floor(date.getMilliseconds() / 100)}`
}

/** A time of day, local, to the second, 24-hour (10:32:05): what an announcer reads out. */
export function secondsText(iso: string): string {
  return timeText(iso).slice(0, 8)
}

/** A passing's time, local, to the millisecond. */
export function timeText(iso: string): string {
  const date = new Date(iso)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
}

/** How long ago, in the screen's language. */
const AGO: Readonly<
  Record<Language, { now: string; seconds(n: number): string; minutes(n: number): string }>
> = {
  en: { now: 'now', seconds: n => `${n} s ago`, minutes: n => `${n} min ago` },
  es: { now: 'ahora', seconds: n => `hace ${n} s`, minutes: n => `hace ${n} min` }
}

export function ageText(ms: number | null, language: Language): string {
  if (ms === null) return '—'
  if (ms < 1000) return AGO[language].now
  if (ms < 60_000) return AGO[language].seconds(Math.round(ms / 1000))
  return AGO[language].minutes(Math.round(ms / 60_000))
}

/** A time of day as the screen's language writes it (3:35:52 PM, 15:35:52). */
export function timeOfDay(at: string | number, language: Language): string {
  return new Date(at).toLocaleTimeString(language)
}
