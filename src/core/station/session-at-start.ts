import type { StationEvent } from '../../shared/events'
import type { Journal, SessionRecord } from '../journal/journal'
import { sessionEvent } from './event-projection'

export interface SessionAtStartOptions {
  readonly journal: Pick<
    Journal,
    'sessions' | 'openedSession' | 'openRequestedSession' | 'openSession' | 'counts'
  >
  /** The alias of a first session (default "FINISH"). */
  readonly sessionAlias?: string
  /** Headless `--new-session`: close the open session and open this one (once per alias in a row). */
  readonly newSession?: string
  readonly nowUs: number
  readonly emit: (event: StationEvent) => void
}

/** The session a start captures into: the open one, the one `--new-session` asks for, or a first one. */
export function sessionAtStart(options: SessionAtStartOptions): SessionRecord {
  const { journal } = options
  const session =
    options.newSession === undefined
      ? journal.openedSession()
      : openRequestedSession(options, options.newSession)
  return session ?? journal.openSession(options.sessionAlias ?? 'FINISH', options.nowUs)
}

/**
 * `--new-session`: a box without a screen starts its next wave from the command line. The session it closes keeps
 * its passings and uploads them (sessions go up in order); a restart with the same alias keeps the open session.
 */
function openRequestedSession(options: SessionAtStartOptions, alias: string): SessionRecord | null {
  const { journal, emit } = options
  const earlier = journal.sessions().find(s => s.alias === alias) ?? null
  const opened = journal.openRequestedSession(alias, options.nowUs)
  if (!opened) {
    const open = journal.openedSession()
    if (open) emit({ type: 'info', code: 'station.new-session-kept', params: { alias, open: open.alias } })
    return open
  }
  const { closed } = opened
  if (closed) emit(sessionEvent(closed))
  const waiting = closed ? journal.counts(closed.id).pending + journal.counts(closed.id).held : 0
  emit({
    type: 'info',
    code: 'station.new-session',
    params: { alias, closed: closed?.alias ?? null, waiting }
  })
  if (earlier) {
    emit({ type: 'warning', code: 'station.session-alias-reused', params: { alias, earlier: earlier.id } })
  }
  return opened.session
}
