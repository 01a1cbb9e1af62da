import type { StationMessage } from '../../shared/messages'
import type { SessionRecord } from '../journal/journal'

const DAY_US = 86_400_000_000

/**
 * Why a manual passing cannot be recorded, or null. Its time must fall within the session's days, give or take 24 h
 * (from a day before the session opened to a day after it closed, or after now while it is open), so a slip of the
 * keyboard cannot put a runner in 1970 or 2100. (The bib is checked before: `typedBibProblem`.)
 */
export function manualEntryProblem(
  session: Pick<SessionRecord, 'openedAtUs' | 'closedAtUs'>,
  atUs: number,
  nowUs: number
): StationMessage | null {
  const from = session.openedAtUs - DAY_US
  const until = (session.closedAtUs ?? Math.max(nowUs, session.openedAtUs)) + DAY_US
  if (!Number.isFinite(atUs) || atUs < from || atUs > until) {
    const day = (us: number) => new Date(us / 1000).toISOString().slice(0, 16).replace('T', ' ')
    const at = Number.isFinite(atUs) ? day(atUs) : null
    return { code: 'manual.outside-session', params: { at, from: day(from), until: day(until) } }
  }
  return null
}
