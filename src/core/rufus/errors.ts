/**
 * Every way a RUFUS Cloud call can fail, as data a UI can explain and the sync engine can decide on.
 *
 * The client never retries; `ambiguous` tells the caller whether the request may have been applied anyway.
 */
export type RufusErrorKind =
  | 'not-found'
  | 'forbidden'
  | 'bad-request'
  | 'conflict'
  | 'payload-too-large'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'invalid-response'

/** The longest a server's Retry-After is obeyed: past an hour it is a broken header, not advice. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000

export interface RufusErrorDetails {
  readonly status?: number
  /** The API's own `description`, verbatim. */
  readonly description?: string
  /** At most `MAX_RETRY_AFTER_MS`. */
  readonly retryAfterMs?: number
  /** The request may have reached the cloud and been applied (timeout, reset after sending, 5xx). */
  readonly ambiguous?: boolean
  /** For network failures: the system code (ECONNREFUSED, ENOTFOUND, ECONNRESET …). */
  readonly code?: string
  /** The parsed body, when the API answered one (for 409 it carries the existing `deviceid`). */
  readonly body?: unknown
  readonly cause?: unknown
}

export class RufusError extends Error {
  override readonly name = 'RufusError'
  readonly kind: RufusErrorKind
  readonly status: number | undefined
  readonly description: string | undefined
  readonly retryAfterMs: number | undefined
  readonly ambiguous: boolean
  readonly code: string | undefined
  readonly body: unknown

  constructor(kind: RufusErrorKind, message: string, details: RufusErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.kind = kind
    this.status = details.status
    this.description = details.description
    this.retryAfterMs = details.retryAfterMs
    this.ambiguous = details.ambiguous ?? false
    this.code = details.code
    this.body = details.body
  }
}

export function isRufusError(error: unknown): error is RufusError {
  return error instanceof RufusError
}

/** One sentence a timer at the finish line understands, and what to do about it. */
export function explainRufusError(error: RufusError): string {
  switch (error.kind) {
    case 'not-found':
      return `RUFUS Cloud says: ${error.description ?? 'not found'}.`
    case 'forbidden':
      return 'RUFUS Cloud refused the API key: it was revoked, mistyped, or lacks the permission this needs. Check the key and its access type in RUFUS Cloud.'
    case 'bad-request':
      return `RUFUS Cloud rejected the request as invalid: ${error.description ?? 'no reason given'}.`
    case 'conflict':
      return `RUFUS Cloud reports a conflict: ${error.description ?? 'the resource already exists'}.`
    case 'payload-too-large':
      return 'RUFUS Cloud found the upload too large; it will be sent in smaller batches.'
    case 'rate-limited':
      return `RUFUS Cloud asks to slow down; retrying in ${Math.ceil((error.retryAfterMs ?? 1000) / 1000)} s.`
    case 'server':
      return `RUFUS Cloud had an internal problem (HTTP ${error.status ?? '5xx'}); passings are safe here and will be retried.`
    case 'network':
      return networkSentence(error.code)
    case 'timeout':
      return 'RUFUS Cloud did not answer in time; passings are safe here and will be retried.'
    case 'invalid-response':
      return 'RUFUS Cloud answered something unexpected (not the API); check the API address. Passings are safe here.'
  }
}

function networkSentence(code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'Cannot find RUFUS Cloud on the network (no internet or DNS); working offline, passings are safe here.'
    case 'ECONNREFUSED':
      return 'RUFUS Cloud refused the connection (wrong address or server down); working offline, passings are safe here.'
    default:
      return 'The connection to RUFUS Cloud failed; working offline, passings are safe here.'
  }
}
