import { inEnglish, type StationMessage } from '../shared/messages'

/**
 * An error that says what went wrong as a message (`reason`: a code and its parameters) for the screens and the
 * command line to put in their own language. Its `message` is the English words, for logs and stack traces only.
 */
export class MessageError extends Error {
  constructor(
    readonly reason: StationMessage,
    options?: { cause?: unknown }
  ) {
    super(inEnglish(reason), options)
  }
}
