import type { z } from 'zod'
import type { BindDeviceInput, BindDeviceResult, RangeQuery, RufusCloud } from './cloud'
import { MAX_RETRY_AFTER_MS, RufusError } from './errors'
import {
  bindResponseSchema,
  deviceInfoSchema,
  devicesResponseSchema,
  insertPassingsResponseSchema,
  passingSchema,
  pollingResponseSchema,
  resultListSchema,
  resultObjectSchema,
  sessionDetailSchema,
  sessionSummarySchema,
  tokenResponseSchema,
  type CloudPassing,
  type DeviceInfo,
  type DeviceSummary,
  type InsertPassingsResult,
  type OutgoingPassing,
  type PollingResult,
  type SessionDetail,
  type SessionSummary
} from './schemas'

import { PRODUCTION_API_URL } from '../../shared/rufus-cloud'

export { PRODUCTION_API_URL }
export const PASSINGS_PAGE_SIZE = 5000

export interface RufusClientOptions {
  /** Base URL including `/v0`; defaults to production. */
  readonly baseUrl?: string
  readonly apiKey: string
  /** Per-request timeout; the station sets it, the client only enforces it. */
  readonly timeoutMs?: number
  readonly fetch?: typeof fetch
  /**
   * Called with the server's `Date` header and the local send/receive times of each answer, so the station can
   * measure the laptop clock against the cloud.
   */
  readonly onServerDate?: (sample: ServerDateSample) => void
}

export interface ServerDateSample {
  readonly serverMs: number
  readonly sentAtMs: number
  readonly receivedAtMs: number
}

export interface DevicesPage {
  readonly devices: readonly DeviceSummary[]
  readonly page: number
  readonly hasMore: boolean
  readonly total: number | undefined
}

export interface DateRangeQuery {
  readonly from?: string
  readonly to?: string
  readonly page?: number
}

export interface PollingQuery extends DateRangeQuery {
  readonly token_session?: string
  readonly last?: number
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

interface RawAnswer {
  readonly status: number
  readonly body: unknown
}

/** The 404 descriptions that mean the device or the session itself is unknown, not that a list is empty. */
const DEVICE_MISSING = ['Device not found']
const SESSION_MISSING = ['Session not found', 'Session not found or closed']

const NETWORK_CODES_NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH'
])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The newer API revision wraps every answer in `{"body": …}`; the legacy one does not; a third reading (U1) has
 * `body` hold the JSON as a string. Accept all three.
 */
export function unwrapEnvelope(body: unknown): unknown {
  if (isRecord(body) && 'body' in body && !('description' in body) && Object.keys(body).length === 1) {
    const inner = body['body']
    if (typeof inner !== 'string') return inner
    const parsed = parseJson(inner)
    return parsed === INVALID_JSON ? inner : parsed
  }
  return body
}

function systemCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && isRecord(current); depth += 1) {
    const code = current['code']
    if (typeof code === 'string' && code.length > 0) return code
    current = current['cause']
  }
  return undefined
}

/** Retry-After in seconds or as a date, in ms from now, clamped to an hour (a bigger value is a broken header). */
function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined
  const date = /^\d+$/.test(value.trim()) ? nowMs + Number(value.trim()) * 1000 : Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs))
}

function descriptionOf(body: unknown): string | undefined {
  return isRecord(body) && typeof body['description'] === 'string' ? body['description'] : undefined
}

/**
 * A typed client of the RUFUS Cloud Public API v0.
 *
 * Every answer is validated at this boundary; every failure is a `RufusError`. No retries happen here. Beyond the
 * calls sync makes (`RufusCloud`), it has the ones the screens and the setup wizard use.
 */
export class RufusClient implements RufusCloud {
  readonly baseUrl: string
  readonly #apiKey: string
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch
  readonly #onServerDate: ((sample: ServerDateSample) => void) | undefined

  constructor(options: RufusClientOptions) {
    this.baseUrl = (options.baseUrl ?? PRODUCTION_API_URL).replace(/\/+$/, '')
    this.#apiKey = options.apiKey
    this.#timeoutMs = options.timeoutMs ?? 15_000
    this.#fetch = options.fetch ?? globalThis.fetch
    this.#onServerDate = options.onServerDate
  }

  // ---- devices ----

  async bindDevice(input: BindDeviceInput): Promise<BindDeviceResult> {
    const body = { type: input.type ?? 'RUFUS_STATION', ...input }
    try {
      const answer = await this.#call('POST', '/devices', bindResponseSchema, body)
      return { deviceid: answer.deviceid, alreadyBound: false }
    } catch (error) {
      if (error instanceof RufusError && error.kind === 'conflict') {
        const parsed = bindResponseSchema.safeParse(unwrapEnvelope(error.body))
        if (parsed.success) return { deviceid: parsed.data.deviceid, alreadyBound: true }
      }
      throw error
    }
  }

  async unbindDevice(deviceid: string): Promise<void> {
    await this.#call('DELETE', `/devices/${encodeURIComponent(deviceid)}`, undefined)
  }

  async listDevices(query: { page?: number; limit?: number } = {}): Promise<DevicesPage> {
    const answer = await this.#call('GET', `/devices${queryString(query)}`, devicesResponseSchema)
    const page = answer.pagination?.page ?? query.page ?? 1
    return {
      devices: answer.result,
      page,
      hasMore: answer.pagination?.has_more ?? false,
      total: answer.pagination?.total
    }
  }

  async deviceInfo(deviceid: string): Promise<DeviceInfo> {
    const answer = await this.#call(
      'GET',
      `/devices/${encodeURIComponent(deviceid)}`,
      resultObjectSchema(deviceInfoSchema)
    )
    return answer.result
  }

  // ---- sessions ----

  async insertSession(deviceid: string, alias?: string): Promise<string> {
    const body = alias === undefined ? { deviceid } : { deviceid, alias }
    return (await this.#call('POST', '/sessions', tokenResponseSchema, body)).token_session
  }

  async closeSession(token: string): Promise<void> {
    await this.#call('PATCH', `/sessions/close/${encodeURIComponent(token)}`, undefined)
  }

  /** All sessions of a device; an empty list for a 404 other than "Device not found". */
  async sessionsOfDevice(deviceid: string): Promise<readonly SessionSummary[]> {
    return this.#listOrEmpty(
      `/sessions/device/${encodeURIComponent(deviceid)}`,
      resultListSchema(sessionSummarySchema),
      DEVICE_MISSING
    )
  }

  /** The device's active session, or null when it has none. */
  async activeSession(deviceid: string): Promise<SessionDetail | null> {
    const list = await this.#listOrEmpty(
      `/sessions/device/${encodeURIComponent(deviceid)}/active`,
      resultListSchema(sessionDetailSchema),
      DEVICE_MISSING
    )
    return list[0] ?? null
  }

  async sessionInfo(token: string): Promise<SessionDetail> {
    const answer = await this.#call(
      'GET',
      `/sessions/${encodeURIComponent(token)}`,
      resultListSchema(sessionDetailSchema)
    )
    const session = answer.result[0]
    if (!session) throw new RufusError('invalid-response', 'Session information came back empty')
    return session
  }

  // ---- passings ----

  async insertPassings(token: string, passings: readonly OutgoingPassing[]): Promise<InsertPassingsResult> {
    return this.#call('POST', '/passings', insertPassingsResponseSchema, {
      token_session: token,
      passings_list: passings
    })
  }

  /** One page of a session's passings by `num_passing`; an empty list for a 404 other than the session's own. */
  async sessionPassings(token: string, query: RangeQuery = {}): Promise<readonly CloudPassing[]> {
    return this.#listOrEmpty(
      `/passings/session/${encodeURIComponent(token)}${queryString(query)}`,
      resultListSchema(passingSchema),
      SESSION_MISSING
    )
  }

  /** One page of a device's passings by timestamp; an empty list for a 404 other than "Device not found". */
  async devicePassings(deviceid: string, query: DateRangeQuery = {}): Promise<readonly CloudPassing[]> {
    return this.#listOrEmpty(
      `/passings/device/${encodeURIComponent(deviceid)}${queryString(query)}`,
      resultListSchema(passingSchema),
      DEVICE_MISSING
    )
  }

  /** The polling read (`device2`): passings after a point, moving to a newer session when there is one. */
  async pollDevicePassings(deviceid: string, query: PollingQuery = {}): Promise<PollingResult> {
    return this.#call(
      'GET',
      `/passings/device2/${encodeURIComponent(deviceid)}${queryString(query)}`,
      pollingResponseSchema
    )
  }

  // ---- plumbing ----

  /**
   * A list, or an empty one. The docs answer an empty list with a 404 whose wording is not fixed (U6): only the
   * parent's own "not found" (`parentMissing`) means the device or session is unknown; any other 404 is empty.
   */
  async #listOrEmpty<T>(
    path: string,
    schema: z.ZodType<{ result: T[] }>,
    parentMissing: readonly string[]
  ): Promise<readonly T[]> {
    try {
      return (await this.#call('GET', path, schema)).result
    } catch (error) {
      if (
        error instanceof RufusError &&
        error.kind === 'not-found' &&
        !parentMissing.includes(error.description ?? '')
      ) {
        return []
      }
      throw error
    }
  }

  async #call<T>(method: Method, path: string, schema: z.ZodType<T> | undefined, body?: unknown): Promise<T> {
    const answer = await this.#send(method, path, body)
    if (schema === undefined) return undefined as T
    const parsed = schema.safeParse(answer.body)
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map(issue => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')
      // A 2xx to a write whose body is not what was expected may still have been applied: the caller must look
      // before doing it again.
      throw new RufusError('invalid-response', `Unexpected answer shape from ${method} ${path}: ${where}`, {
        status: answer.status,
        body: answer.body,
        ambiguous: method !== 'GET'
      })
    }
    return parsed.data
  }

  async #send(method: Method, path: string, body: unknown): Promise<RawAnswer> {
    const sentAtMs = Date.now()
    let response: Response
    try {
      response = await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        // Both names the docs give: a proxy that drops headers with underscores (nginx) still passes `x-api-key`.
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          api_key: this.#apiKey,
          'x-api-key': this.#apiKey
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs)
      })
    } catch (error) {
      throw this.#transportError(method, path, error)
    }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      throw this.#transportError(method, path, error)
    }
    const receivedAtMs = Date.now()
    const dateHeader = response.headers.get('date')
    if (dateHeader && this.#onServerDate) {
      const serverMs = Date.parse(dateHeader)
      if (!Number.isNaN(serverMs)) this.#onServerDate({ serverMs, sentAtMs, receivedAtMs })
    }
    const parsedBody = parseJson(text)
    if (parsedBody === INVALID_JSON) throw notJsonError(method, path, response.status, text)
    const unwrapped = unwrapEnvelope(parsedBody)
    if (response.ok) return { status: response.status, body: unwrapped }
    const description = descriptionOf(unwrapped)
    const kind = statusKind(response.status)
    throw new RufusError(
      kind,
      `${method} ${path} failed: HTTP ${response.status}${description ? ` ${description}` : ''}`,
      {
        status: response.status,
        description,
        body: unwrapped,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), receivedAtMs),
        ambiguous: kind === 'server' && method !== 'GET'
      }
    )
  }

  #transportError(method: Method, path: string, error: unknown): RufusError {
    if (isRecord(error) && (error['name'] === 'TimeoutError' || error['name'] === 'AbortError')) {
      return new RufusError('timeout', `${method} ${path} timed out after ${this.#timeoutMs} ms`, {
        ambiguous: method !== 'GET',
        cause: error
      })
    }
    const code = systemCode(error)
    const notSent = code !== undefined && NETWORK_CODES_NOT_SENT.has(code)
    return new RufusError('network', `${method} ${path} failed: ${code ?? String(error)}`, {
      code,
      ambiguous: !notSent && method !== 'GET',
      cause: error
    })
  }
}

const INVALID_JSON = Symbol('invalid-json')

/** 511 Network Authentication Required: what a captive portal is meant to answer. */
const PORTAL_STATUS = 511

/**
 * An answer that is not JSON. An HTML page (any status but a server error), or any 2xx that is not JSON, comes from
 * something that is not RUFUS Cloud: venue Wi-Fi's login page, a proxy. A write may have passed through it, so it
 * is ambiguous. Otherwise the status decides, as for JSON.
 */
function notJsonError(method: Method, path: string, status: number, text: string): RufusError {
  const looksHtml = /^\s*</.test(text)
  const ok = status >= 200 && status < 300
  const serverError = status >= 500 && status !== PORTAL_STATUS
  const snippet = text.slice(0, 80).replace(/\s+/g, ' ')
  const what = `${method} ${path} answered HTTP ${status} with ${looksHtml ? 'HTML' : 'non-JSON'}: ${snippet}`
  if (ok || (looksHtml && !serverError) || status === PORTAL_STATUS) {
    return new RufusError('not-rufus', what, { status, ambiguous: method !== 'GET' })
  }
  const kind = statusKind(status)
  return new RufusError(kind, what, { status, ambiguous: kind === 'server' && method !== 'GET' })
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    return INVALID_JSON
  }
}

/** The kind of failure an HTTP status is (exported for the in-memory cloud of the tests, which fails the same way). */
export function statusKind(status: number): RufusError['kind'] {
  if (status === 400) return 'bad-request'
  if (status === 401 || status === 403) return 'forbidden'
  if (status === 404) return 'not-found'
  if (status === 409) return 'conflict'
  if (status === 413) return 'payload-too-large'
  if (status === 429) return 'rate-limited'
  if (status >= 500) return 'server'
  return 'invalid-response'
}

function queryString(query: object): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(name, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}
