import { messageOf, type PrintedEvent, type StationEvent } from '../shared/events'
import { inEnglish } from '../shared/messages'

/**
 * An event as `--json` prints it: the core's message code and parameters, and beside them the English words in
 * `message`, as every line carried before messages became codes (scripts read it).
 */
export function printedEvent(event: StationEvent): PrintedEvent {
  switch (event.type) {
    case 'info':
    case 'warning':
    case 'error':
      return { ...event, message: inEnglish(messageOf(event)) }
    case 'reader': {
      const message = messageOf(event)
      return { ...event, message: message === null ? null : inEnglish(message) }
    }
    default:
      return event
  }
}
