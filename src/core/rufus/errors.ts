import type { StationMessage } from '../../shared/messages'

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
  /** Something answered, but not RUFUS Cloud: an HTML page (venue Wi-Fi's login, a proxy), or text not JSON. */
  | 'not-rufus'

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

/** What a timer at the finish line should know about a failed call, and what to do about it, as a message. */
export function rufusErrorMessage(error: RufusError): StationMessage {
  switch (error.kind) {
    case 'not-found':
      return { code: 'cloud.not-found', params: { description: error.description ?? null } }
    case 'forbidden':
      return { code: 'cloud.key-refused', params: {} }
    case 'bad-request':
      return { code: 'cloud.bad-request', params: { description: error.description ?? null } }
    case 'conflict':
      return { code: 'cloud.conflict', params: { description: error.description ?? null } }
    case 'payload-too-large':
      return { code: 'cloud.too-large', params: {} }
    case 'rate-limited':
      return {
        code: 'cloud.rate-limited',
        params: { seconds: Math.ceil((error.retryAfterMs ?? 1000) / 1000) }
      }
    case 'server':
      return { code: 'cloud.server-problem', params: { status: error.status ?? null } }
    case 'network':
      return networkMessage(error.code)
    case 'timeout':
      return { code: 'cloud.timeout', params: {} }
    case 'invalid-response':
      return { code: 'cloud.unexpected-answer', params: {} }
    case 'not-rufus':
      return { code: 'cloud.not-rufus', params: {} }
  }
}

function networkMessage(code: string | undefined): StationMessage {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: 'cloud.not-on-network', params: {} }
    case 'ECONNREFUSED':
      return { code: 'cloud.connection-refused', params: {} }
    default:
      return { code: 'cloud.connection-failed', params: {} }
  }
}
