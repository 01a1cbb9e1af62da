import type { SessionRecord } from '../journal/journal'
import { typedBibProblem } from '../reader/bib-policy'

const DAY_US = 86_400_000_000

/**
 * Why a manual passing cannot be recorded, or null. Its time must fall within the session's days, give or take 24 h
 * (from a day before the session opened to a day after it closed, or after now while it is open), so a slip of the
 * keyboard cannot put a runner in 1970 or 2100. A typed bib must pass the bib rules.
 */
export function manualEntryProblem(
  session: Pick<SessionRecord, 'openedAtUs' | 'closedAtUs'>,
  bib: string | null,
  atUs: number,
  nowUs: number
): string | null {
  if (bib !== null) {
    const problem = typedBibProblem(bib)
    if (problem) return problem
  }
  const from = session.openedAtUs - DAY_US
  const until = (session.closedAtUs ?? Math.max(nowUs, session.openedAtUs)) + DAY_US
  if (!Number.isFinite(atUs) || atUs < from || atUs > until) {
    const day = (us: number) => new Date(us / 1000).toISOString().slice(0, 16).replace('T', ' ')
    const given = Number.isFinite(atUs) ? day(atUs) : 'no valid time'
    return `The time ${given} UTC is outside this session (${day(from)} to ${day(until)} UTC, a day either side); check the date and time.`
  }
  return null
}
