import type { StationEvent } from '../shared/events'
import { PASSING_STATE_LABELS, READER_STATE_LABELS } from '../shared/states'
import { printedEvent } from './printed-event'

const COUNTS = PASSING_STATE_LABELS.en

/** One readable log line per event, for the headless station without --json (in English). */
export function formatEvent(event: StationEvent): string {
  const time = new Date().toISOString().slice(11, 23)
  const printed = printedEvent(event)
  switch (printed.type) {
    case 'passing':
      return `${time} passing #${printed.num_passing} bib ${printed.bib ?? '(to fill in)'}${printed.chip ? ` chip ${printed.chip}` : ''} at ${printed.timestamp}`
    case 'sync':
      return `${time} sync: ${printed.synced} ${COUNTS.synced}, ${printed.pending} ${COUNTS.pending}${printed.held ? `, ${printed.held} ${COUNTS.held}` : ''}${printed.quarantined ? `, ${printed.quarantined} ${COUNTS.quarantined}` : ''}${printed.conflict ? `, ${printed.conflict} ${COUNTS.conflict.toUpperCase()}` : ''}${printed.online === false ? ' (offline)' : ''}${printed.blocked ? ` — STOPPED: ${printed.blocked.message} ${printed.blocked.action}` : printed.lastError ? ` — ${printed.lastError}` : ''}`
    case 'clock':
      return printed.jumpMs !== null
        ? `${time} clock: wall clock jumped ${printed.jumpMs} ms`
        : `${time} clock: laptop vs cloud ${printed.offsetMs} ms (±${printed.uncertaintyMs} ms)`
    case 'reader':
      return `${time} reader ${printed.port}: ${READER_STATE_LABELS.en[printed.state]}${printed.message ? ` — ${printed.message}` : ''}`
    case 'session':
      return `${time} session ${printed.id} "${printed.alias}"${printed.closed ? ' closed' : ' open'}${printed.token ? ` (cloud ${printed.token.slice(0, 8)}…)` : ''}`
    case 'device':
      return `${time} device ${printed.serialNumber}${printed.deviceid ? ` bound as ${printed.deviceid.slice(0, 8)}…` : ' (not bound yet)'}`
    case 'bad-frame':
      return `${time} reader ${printed.port}: bad input (${printed.reason}; ${printed.total} so far${printed.unreported ? `, ${printed.unreported} not shown` : ''})`
    case 'info':
    case 'warning':
    case 'error':
      return `${time} ${printed.type.toUpperCase()}: ${printed.message}`
  }
}
