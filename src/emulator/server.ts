import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAllowed, ROUTES, type ApiReply, type HttpMethod } from './api'
import { decideFault, NO_FAULTS, type FaultDecision, type FaultSettings } from './faults'
import { seededRandom } from '../shared/random'
import { serverNow } from './ids'
import { rulesOf, type WireRules } from './quirks'
import { RequestLog, type RequestCounts } from './request-log'
import { EmulatorStore, type ApiKeyRecord } from './store'
import { BadRequest, isRecord } from './validate'
import { DESCRIPTIONS } from './wire'

export interface EmulatorOptions {
  readonly port: number
  readonly host?: string
  /** Folder of the database file; a temporary folder (removed on close) when absent. */
  readonly dataDir?: string
  readonly keys: readonly ApiKeyRecord[]
  /** No server-side de-duplication and no `duplicate_count`, the worst case the docs allow. */
  readonly legacy?: boolean
  /** Wrap every answer in `{"body": …}` as the newer OpenAPI revision does. */
  readonly envelope?: boolean
  /** Other readings of the docs' open questions, as `--quirk` takes them (see `quirks.ts`). */
  readonly quirks?: readonly string[]
  /** Largest request body accepted, in bytes (413 above). */
  readonly maxBodyBytes?: number
  readonly faults?: Partial<FaultSettings>
  readonly seed?: number
  /** Serve the test-only admin surface under /admin. */
  readonly admin?: boolean
  readonly now?: () => number
  readonly log?: (line: string) => void
}

export interface RunningEmulator {
  /** Base URL of the API, e.g. http://127.0.0.1:4100/v0 */
  readonly apiUrl: string
  /** Root URL of the server (admin routes hang from it). */
  readonly rootUrl: string
  readonly port: number
  readonly store: EmulatorStore
  /** What the server answered so far: requests per route kind, and faults injected. */
  readonly stats: EmulatorStats
  setFaults(faults: Partial<FaultSettings>): void
  /** Replaces the quirks in force (`--legacy` stays as started); throws one sentence for a bad set. */
  setQuirks(quirks: readonly string[]): void
  close(): Promise<void>
}

/** `GET /admin/requests`: the request log and the faults injected so far. */
export interface AdminRequests extends RequestCounts {
  readonly faults: EmulatorStats['faults']
}

export interface EmulatorStats {
  requests: number
  insertPassingsRequests: number
  faults: Record<Exclude<FaultDecision, 'none'>, number>
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
const API_PREFIX = '/v0'

class PayloadTooLarge extends Error {}

function checkPattern(pattern: string): void {
  try {
    new RegExp(pattern)
  } catch {
    throw new BadRequest('Invalid parameter: rejectBibPattern is not a regular expression')
  }
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0)
    if (declared > limit) {
      reject(new PayloadTooLarge())
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new PayloadTooLarge())
        request.removeAllListeners('data')
        request.resume()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/** A path segment's percent-decoding, or a 400 for a malformed one such as `%ZZ`. */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw new BadRequest(DESCRIPTIONS.malformedPath)
  }
}

function parseJsonObject(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = body ? JSON.parse(body) : {}
    if (isRecord(parsed)) return parsed
  } catch {
    // answered below
  }
  throw new BadRequest(DESCRIPTIONS.malformedJson)
}

/**
 * The admin surface's fault settings, checked: a share in [0, 1], seconds and milliseconds as bounded whole numbers.
 * Unchecked, a string in `retryAfterSeconds` made every injected 429 a 500 (an invalid header), and a key without a
 * company answered 500.
 */
function faultSettingsOf(body: Record<string, unknown>): FaultSettings {
  const number = (name: keyof FaultSettings, max: number, whole: boolean): number => {
    const value = body[name] ?? NO_FAULTS[name]
    if (typeof value !== 'number' || !(value >= 0 && value <= max) || (whole && !Number.isInteger(value))) {
      throw new BadRequest(`Invalid parameter: ${name} must be a number from 0 to ${max}`)
    }
    return value
  }
  const pattern = body['rejectBibPattern']
  if (pattern !== undefined && pattern !== null && typeof pattern !== 'string') {
    throw new BadRequest('Invalid parameter: rejectBibPattern must be a string')
  }
  if (pattern) checkPattern(pattern)
  return {
    serverErrorShare: number('serverErrorShare', 1, false),
    rateLimitShare: number('rateLimitShare', 1, false),
    retryAfterSeconds: number('retryAfterSeconds', 86_400, true),
    dropAfterApplyShare: number('dropAfterApplyShare', 1, false),
    latencyMs: number('latencyMs', 60_000, true),
    ...(pattern ? { rejectBibPattern: pattern } : {})
  }
}

function apiKeyOf(body: Record<string, unknown>): ApiKeyRecord {
  const { apiKey, company, access, canUnbind } = body
  if (typeof apiKey !== 'string' || apiKey === '' || typeof company !== 'string' || company === '') {
    throw new BadRequest('Invalid parameter: apiKey and company must be non-empty strings')
  }
  if (access !== 'READ' && access !== 'WRITE' && access !== 'READ_WRITE') {
    throw new BadRequest('Invalid parameter: access must be READ, WRITE or READ_WRITE')
  }
  if (canUnbind !== undefined && typeof canUnbind !== 'boolean') {
    throw new BadRequest('Invalid parameter: canUnbind must be true or false')
  }
  return { apiKey, company, access, canUnbind: canUnbind === true }
}

/** The admin surface's quirk set, `{"quirks": ["name", …]}`; a refused set is a 400 with its one sentence. */
function quirkRulesOf(body: Record<string, unknown>, legacy: boolean): WireRules {
  const quirks = body['quirks']
  if (!Array.isArray(quirks) || !quirks.every(quirk => typeof quirk === 'string')) {
    throw new BadRequest('Invalid parameter: quirks must be a list of names')
  }
  try {
    return rulesOf(quirks, legacy)
  } catch (error) {
    throw new BadRequest(error instanceof Error ? error.message : String(error))
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Starts an emulator of RUFUS Cloud v0 on loopback (or the given host) with its own SQLite database. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const temporary = options.dataDir === undefined
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rufus-emulator-'))
  mkdirSync(dataDir, { recursive: true })
  const now = options.now ?? Date.now
  const legacy = options.legacy ?? false
  // Parsed before anything is created, so a refused set leaves nothing behind.
  let rules: WireRules = rulesOf(options.quirks ?? [], legacy)
  const store = new EmulatorStore(join(dataDir, 'rufus-cloud.sqlite'), { now })
  for (const key of options.keys) store.upsertKey(key)
  let faults: FaultSettings = { ...NO_FAULTS, ...options.faults }
  const random = seededRandom(options.seed ?? 1)
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const log = options.log ?? (() => undefined)
  const stats: EmulatorStats = {
    requests: 0,
    insertPassingsRequests: 0,
    faults: { 'server-error': 0, 'rate-limit': 0, 'drop-after-apply': 0 }
  }
  const requestLog = new RequestLog()

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ) => {
    const payload = JSON.stringify(options.envelope ? { body } : body, null, rules.jsonIndent)
    response.writeHead(status, {
      // The emulator's clock (which tests may shift) is what the Date header tells.
      Date: new Date(now()).toUTCString(),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(payload),
      ...headers
    })
    response.end(payload)
  }

  // The admin surface hands out every company's keys: like the station's screen server, it answers only requests
  // whose Host names this server on loopback, so a web page on another name (DNS rebinding) cannot reach it.
  const adminHostAllowed = (request: IncomingMessage) => {
    const port = (server.address() as AddressInfo | null)?.port
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(request.headers.host ?? '')
  }

  const handleAdmin = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    if (!adminHostAllowed(request)) {
      request.resume()
      return send(response, 421, { description: DESCRIPTIONS.foreignHost })
    }
    const method = request.method ?? 'GET'
    const body = method === 'GET' || method === 'DELETE' ? '' : await readBody(request, maxBody)
    const parsed = parseJsonObject(body)
    let match: RegExpMatchArray | null
    if (method === 'GET' && path === '/admin/state') return send(response, 200, store.dump())
    if (method === 'GET' && path === '/admin/requests') {
      const answer: AdminRequests = { ...requestLog.counts(), faults: stats.faults }
      return send(response, 200, answer)
    }
    if (method === 'POST' && path === '/admin/reset') {
      store.reset()
      return send(response, 200, { ok: true })
    }
    if (method === 'POST' && path === '/admin/faults') {
      faults = faultSettingsOf(parsed)
      return send(response, 200, faults)
    }
    if (method === 'POST' && path === '/admin/quirks') {
      rules = quirkRulesOf(parsed, legacy)
      return send(response, 200, rules)
    }
    if (method === 'POST' && path === '/admin/keys') {
      store.upsertKey(apiKeyOf(parsed))
      return send(response, 200, { ok: true })
    }
    if (method === 'DELETE' && (match = path.match(/^\/admin\/keys\/([^/]+)$/))) {
      return send(response, 200, { revoked: store.revokeKey(decodePathPart(match[1] ?? '')) })
    }
    if (method === 'DELETE' && (match = path.match(/^\/admin\/passings\/([^/]+)\/(\d+)$/))) {
      const num = Number(match[2])
      if (!Number.isSafeInteger(num)) throw new BadRequest('Invalid parameter: num_passing')
      return send(response, 200, { deleted: store.deletePassing(decodePathPart(match[1] ?? ''), num) })
    }
    return send(response, 404, { description: DESCRIPTIONS.routeNotFound })
  }

  const handleApi = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const path = url.pathname.slice(API_PREFIX.length) || '/'
    const method = (request.method ?? 'GET').toUpperCase()
    const candidates = ROUTES.filter(route => route.pattern.test(path))
    const route = candidates.find(candidate => candidate.method === method)
    // Every request counts, refused ones too: a client looping on a 403 is as loud as one looping on a 200.
    requestLog.record(now(), route?.name)
    if (!route) {
      const status = candidates.length > 0 ? 405 : 404
      return send(response, status, {
        description: status === 405 ? DESCRIPTIONS.methodNotAllowed : DESCRIPTIONS.routeNotFound
      })
    }
    // By default the documented header first, then the alternate one.
    const apiKey = rules.keyHeaders.map(name => headerValue(request.headers[name])).find(Boolean)
    const key = apiKey ? store.findKey(apiKey) : undefined
    if (!key || !isAllowed(key, method as HttpMethod)) {
      request.resume()
      return send(response, 403, { description: DESCRIPTIONS.forbidden })
    }
    const raw = method === 'GET' || method === 'DELETE' ? '' : await readBody(request, maxBody)
    let body: unknown = undefined
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw)
      } catch {
        return send(response, 400, { description: DESCRIPTIONS.malformedJson })
      }
    }
    const fault = decideFault(faults, random())
    stats.requests += 1
    if (method === 'POST' && path === '/passings') stats.insertPassingsRequests += 1
    if (fault !== 'none') stats.faults[fault] += 1
    if (fault === 'server-error') return send(response, 500, { description: DESCRIPTIONS.internalError })
    if (fault === 'rate-limit') {
      return send(
        response,
        429,
        { description: DESCRIPTIONS.tooManyRequests },
        {
          'Retry-After': String(faults.retryAfterSeconds)
        }
      )
    }
    if (rules.sessionLifetimeMs !== null) {
      store.closeSessionsCreatedBy(serverNow(now() - rules.sessionLifetimeMs))
    }
    const params = (path.match(route.pattern) ?? []).slice(1).map(decodePathPart)
    const rejectBib = faults.rejectBibPattern ? new RegExp(faults.rejectBibPattern) : undefined
    const result: ApiReply = route.handle(store, {
      key,
      params,
      query: url.searchParams,
      body,
      rejectBib,
      rules
    })
    if (fault === 'drop-after-apply') {
      // The change is committed; the client never learns it. This is the ambiguous failure sync must survive.
      response.socket?.destroy()
      return
    }
    send(response, result.status, result.body)
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    try {
      // A request target such as `//[` is no URL: it is answered, never thrown out of the handler.
      const url = URL.canParse(request.url ?? '/', 'http://emulator.invalid')
        ? new URL(request.url ?? '/', 'http://emulator.invalid')
        : null
      if (url === null) {
        request.resume()
        return send(response, 400, { description: DESCRIPTIONS.malformedPath })
      }
      try {
        if (faults.latencyMs > 0) await new Promise(resolve => setTimeout(resolve, faults.latencyMs))
        if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
          await handleApi(request, response, url)
        } else if (options.admin && url.pathname.startsWith('/admin/')) {
          await handleAdmin(request, response, url.pathname)
        } else {
          send(response, 404, { description: DESCRIPTIONS.routeNotFound })
        }
      } catch (error) {
        if (response.headersSent || response.destroyed) return
        if (error instanceof PayloadTooLarge) {
          response.setHeader('Connection', 'close')
          return send(response, 413, { description: DESCRIPTIONS.payloadTooLarge })
        }
        if (error instanceof BadRequest) return send(response, 400, { description: error.message })
        log(`emulator: ${request.method} ${url.pathname} failed: ${String(error)}`)
        send(response, 500, { description: DESCRIPTIONS.internalError })
      }
    } catch (error) {
      // Last line: nothing a client sends may end the process (the demo station runs in it too).
      log(`emulator: could not answer ${request.method}: ${String(error)}`)
      response.destroy()
    }
  }

  const server: Server = createServer((request, response) => void handle(request, response))
  server.keepAliveTimeout = 5000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const rootUrl = `http://${host}:${address.port}`

  return {
    apiUrl: `${rootUrl}${API_PREFIX}`,
    rootUrl,
    port: address.port,
    store,
    stats,
    setFaults(next) {
      faults = { ...NO_FAULTS, ...next }
    },
    setQuirks(next) {
      rules = rulesOf(next, legacy)
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
      store.close()
      if (temporary) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
