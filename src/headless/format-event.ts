import type { StationEvent } from '../shared/events'

/** One readable log line per event, for the headless station without --json. */
export function formatEvent(event: StationEvent): string {
  const time = new Date().toISOString().slice(11, 23)
  switch (event.type) {
    case 'passing':
      return `${time} passing #${event.num_passing} bib ${event.bib ?? '(to fill in)'}${event.chip ? ` chip ${event.chip}` : ''} at ${event.timestamp}`
    case 'sync':
      return `${time} sync: ${event.synced} in cloud, ${event.pending} waiting${event.held ? `, ${event.held} without bib` : ''}${event.quarantined ? `, ${event.quarantined} refused` : ''}${event.conflict ? `, ${event.conflict} CONFLICTS` : ''}${event.online === false ? ' (offline)' : ''}${event.blocked ? ` — STOPPED: ${event.blocked.message} ${event.blocked.action}` : event.lastError ? ` — ${event.lastError}` : ''}`
    case 'clock':
      return event.jumpMs !== null
        ? `${time} clock: wall clock jumped ${event.jumpMs} ms`
        : `${time} clock: laptop vs cloud ${event.offsetMs} ms (±${event.uncertaintyMs} ms)`
    case 'reader':
      return `${time} reader ${event.port}: ${event.state}${event.message ? ` — ${event.message}` : ''}`
    case 'session':
      return `${time} session ${event.id} "${event.alias}"${event.closed ? ' closed' : ' open'}${event.token ? ` (cloud ${event.token.slice(0, 8)}…)` : ''}`
    case 'device':
      return `${time} device ${event.serialNumber}${event.deviceid ? ` bound as ${event.deviceid.slice(0, 8)}…` : ' (not bound yet)'}`
    case 'bad-frame':
      return `${time} reader ${event.port}: bad input (${event.reason}; ${event.total} so far${event.unreported ? `, ${event.unreported} not shown` : ''})`
    case 'info':
    case 'warning':
    case 'error':
      return `${time} ${event.type.toUpperCase()}: ${event.message}`
  }
}
