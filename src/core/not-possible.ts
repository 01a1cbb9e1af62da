import { MessageError } from './message-error'

/** A request the station refuses on purpose, with a message a timer can act on (not a fault). */
export class NotPossible extends MessageError {
  override readonly name = 'NotPossible'
}
