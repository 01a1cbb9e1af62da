import type { PassingView } from '../../../shared/contract'

/** A runner at the line, as the announcer calls them: one per bib, at their first passing. */
export interface Finisher {
  readonly bib: string
  readonly name: string | null
  /** ISO 8601 UTC. */
  readonly timestamp: string
  readonly id: number
}

/** The bib a passing stands for now: a correction made after upload counts, a voided passing has none. */
function bibNow(p: PassingView): string | null {
  if (p.voided || p.state === 'void') return null
  return p.differsFromCloud ? p.correctedBib : p.bib
}

/**
 * The finishers among the newest-first passings (of `sessionId` when a session is open), newest first: a bib's
 * later passings (a second read, a lap) are not a new finisher, and times without a bib wait until they get one.
 */
export function finishersOf(recent: readonly PassingView[], sessionId: number | null): Finisher[] {
  const seen = new Set<string>()
  const finishers: Finisher[] = []
  for (let i = recent.length - 1; i >= 0; i -= 1) {
    const p = recent[i] as PassingView
    const bib = bibNow(p)
    if (bib === null || seen.has(bib) || (sessionId !== null && p.session !== sessionId)) continue
    seen.add(bib)
    finishers.push({ bib, name: p.name, timestamp: p.timestamp, id: p.id })
  }
  return finishers.reverse()
}

/** The time since the start, h:mm:ss in whole seconds as a race clock shows it ("—" before the start). */
export function elapsedText(startIso: string | null, atIso: string): string {
  if (startIso === null) return '—'
  const ms = Date.parse(atIso) - Date.parse(startIso)
  if (!Number.isFinite(ms) || ms < 0) return '—'
  const seconds = Math.floor(ms / 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`
}
