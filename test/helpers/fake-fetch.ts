import { RufusClient } from '../../src/core/rufus/client'
import { RufusError } from '../../src/core/rufus/errors'
import { DESCRIPTIONS } from '../../src/emulator/wire'
import type { FakeCloud } from './fake-cloud'

/**
 * How the in-memory cloud's answers look on the wire, for the readings that live in the bytes rather than in what
 * the cloud does (U1, U3, U5, U6): which header carries the key, what a successful answer's body looks like, how an
 * empty list is worded, and a captive portal standing in front of it all.
 */
export interface WireReading {
  /** Headers the key is read from (default: `api_key`, then `x-api-key`). */
  readonly keyHeaders?: readonly string[]
  /** Writes a successful answer's body (the default: the JSON as it is). */
  readonly body?: (answer: Record<string, unknown>, path: string) => string
  /** A 404 for an empty list says this (default: the documented `Sessions not found` / `Passings not found`). */
  readonly emptyWording?: { readonly sessions: string; readonly passings: string }
  /**
   * Venue Wi-Fi answering every request with a 200 HTML page: `before` the request reaches the cloud, or `after`
   * the cloud applied it (a proxy that replaces the answer).
   */
  portal?: 'before' | 'after' | null
}

const PORTAL_PAGE =
  '<!DOCTYPE html><html><head><title>Welcome to Venue Wi-Fi</title></head><body>Log in</body></html>'

interface Routed {
  readonly status: number
  readonly json: Record<string, unknown>
}

function json(status: number, body: Record<string, unknown>): Routed {
  return { status, json: body }
}

/**
 * A `fetch` that answers from the in-memory cloud on the fake clock, so the real client (its parsing, its error
 * kinds) and the real engine run together without a socket. Not a mocking library: it routes the eight calls sync
 * makes to `FakeCloud` and writes their answers as RUFUS Cloud would, in the given wire reading.
 */
export function fakeFetch(cloud: FakeCloud, apiKey: string, wire: WireReading = {}): typeof fetch {
  const keyHeaders = wire.keyHeaders ?? ['api_key', 'x-api-key']
  return async (input, init) => {
    const url = new URL(String(input))
    const method = init?.method ?? 'GET'
    const headers = new Headers(init?.headers)
    if (wire.portal === 'before') return new Response(PORTAL_PAGE, { status: 200 })
    const given = keyHeaders.map(name => headers.get(name)).find(value => value !== null)
    let routed: Routed
    if (given !== apiKey) {
      routed = json(403, { description: DESCRIPTIONS.forbidden })
    } else {
      try {
        routed = await route(cloud, method, url, init?.body, wire)
      } catch (error) {
        if (!(error instanceof RufusError)) throw error
        if (error.kind === 'timeout') throw Object.assign(new Error('timed out'), { name: 'TimeoutError' })
        if (error.kind === 'network')
          throw Object.assign(new TypeError('fetch failed'), { cause: { code: error.code } })
        routed = json(error.status ?? 500, { description: error.description ?? null })
      }
    }
    if (wire.portal === 'after') return new Response(PORTAL_PAGE, { status: 200 })
    const ok = routed.status >= 200 && routed.status < 300
    const text = ok && wire.body ? wire.body(routed.json, url.pathname) : JSON.stringify(routed.json)
    return new Response(text, { status: routed.status })
  }
}

async function route(
  cloud: FakeCloud,
  method: string,
  url: URL,
  rawBody: unknown,
  wire: WireReading
): Promise<Routed> {
  const path = url.pathname.replace(/^\/v0/, '')
  const body = (typeof rawBody === 'string' ? JSON.parse(rawBody) : {}) as Record<string, unknown>
  const part = (n: number) => decodeURIComponent(path.split('/')[n] ?? '')
  const number = (name: string) => {
    const value = url.searchParams.get(name)
    return value === null ? undefined : Number(value)
  }
  const empty = wire.emptyWording ?? {
    sessions: DESCRIPTIONS.sessionsNotFound,
    passings: DESCRIPTIONS.passingsNotFound
  }
  if (method === 'POST' && path === '/devices') {
    const result = await cloud.bindDevice(body as never)
    return result.alreadyBound
      ? json(409, { description: DESCRIPTIONS.deviceAlreadyBound, deviceid: result.deviceid })
      : json(201, { description: DESCRIPTIONS.deviceBound, deviceid: result.deviceid })
  }
  if (method === 'GET' && /^\/devices\/[^/]+$/.test(path)) {
    return json(200, { description: DESCRIPTIONS.success, result: await cloud.deviceInfo(part(2)) })
  }
  if (method === 'POST' && path === '/sessions') {
    const token = await cloud.insertSession(String(body['deviceid']), body['alias'] as string | undefined)
    return json(201, { description: DESCRIPTIONS.sessionInserted, token_session: token })
  }
  if (method === 'PATCH' && path.startsWith('/sessions/close/')) {
    await cloud.closeSession(part(3))
    return json(200, { description: DESCRIPTIONS.sessionClosed, token_session: part(3) })
  }
  if (method === 'GET' && /^\/sessions\/device\/[^/]+\/active$/.test(path)) {
    const active = await cloud.activeSession(part(3))
    return active
      ? json(200, { description: DESCRIPTIONS.success, result: [active] })
      : json(404, { description: empty.sessions, deviceid: part(3) })
  }
  if (method === 'GET' && /^\/sessions\/[^/]+$/.test(path)) {
    return json(200, { description: DESCRIPTIONS.success, result: [await cloud.sessionInfo(part(2))] })
  }
  if (method === 'POST' && path === '/passings') {
    const answer = await cloud.insertPassings(String(body['token_session']), body['passings_list'] as never)
    return json(201, { ...answer })
  }
  if (method === 'GET' && path.startsWith('/passings/session/')) {
    const token = part(3)
    const list = await cloud.sessionPassings(token, {
      first: number('first'),
      last: number('last'),
      page: number('page')
    })
    return list.length > 0
      ? json(200, { description: DESCRIPTIONS.success, result: [...list] })
      : json(404, { description: empty.passings, token_session: token })
  }
  return json(404, { description: DESCRIPTIONS.routeNotFound })
}

/** The real client over the in-memory cloud, with the given wire reading. */
export function wiredClient(
  cloud: FakeCloud,
  wire: WireReading = {},
  apiKey = 'ror-fake0000000000000001'
): RufusClient {
  return new RufusClient({
    baseUrl: 'http://rufus.invalid/v0',
    apiKey,
    fetch: fakeFetch(cloud, apiKey, wire)
  })
}
