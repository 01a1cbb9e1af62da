import type { WireRules } from './quirks'
import type { ApiKeyRecord, EmulatorStore, SessionRow } from './store'
import {
  BadRequest,
  isRecord,
  optionalString,
  parsePassing,
  queryDate,
  queryInteger,
  refuseUnknownFields,
  requiredString
} from './validate'
import {
  DESCRIPTIONS,
  deviceInfoJson,
  deviceSummaryJson,
  passingJson,
  sessionDetailJson,
  sessionListItemJson
} from './wire'

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'

export interface ApiRequest {
  readonly rejectBib?: RegExp
  readonly key: ApiKeyRecord
  readonly params: readonly string[]
  readonly query: URLSearchParams
  readonly body: unknown
  /** How the emulator reads the docs' open questions (the default reading, or quirks). */
  readonly rules: WireRules
}

export interface ApiReply {
  readonly status: number
  readonly body: Record<string, unknown>
}

interface Route {
  /** Method and path template (`POST /passings`), as the request log counts it. */
  readonly name: string
  readonly method: HttpMethod
  readonly pattern: RegExp
  readonly handle: (store: EmulatorStore, request: ApiRequest) => ApiReply
}

function reply(status: number, body: Record<string, unknown>): ApiReply {
  return { status, body }
}

function bodyRecord(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new BadRequest(DESCRIPTIONS.missingParameters)
  return body
}

/** Pages beyond this hold nothing any store could have; a bigger number is a bad request, not an overflow. */
const MAX_PAGE = 1_000_000

interface Page {
  /** The page as the client numbers it. */
  readonly number: number
  /** How many pages come before it. */
  readonly index: number
}

function pageOf(request: ApiRequest): Page {
  const first = request.rules.firstPage
  const number = queryInteger(request.query, 'page', first, MAX_PAGE) ?? first
  return { number, index: number - first }
}

/** Exclusive bounds become inclusive ones a step inward: numbers and stored times (ms) are whole. */
function inclusiveBounds(
  rules: WireRules,
  lower: number | null,
  upper: number | null
): [number | null, number | null] {
  if (!rules.exclusiveBounds) return [lower, upper]
  return [lower === null ? null : lower + 1, upper === null ? null : upper - 1]
}

function dateBounds(request: ApiRequest): [number | null, number | null] {
  const from = queryDate(request.query, 'from', request.rules)
  const to = queryDate(request.query, 'to', request.rules)
  return inclusiveBounds(request.rules, from, to)
}

function deviceNotFound(deviceid: string): ApiReply {
  return reply(404, { description: DESCRIPTIONS.deviceNotFound, deviceid })
}

/** An unknown device's session list keeps the documented wording under every quirk. */
function sessionsNotFound(deviceid: string): ApiReply {
  return reply(404, { description: DESCRIPTIONS.sessionsNotFound, deviceid })
}

const param = (request: ApiRequest, index: number): string => request.params[index] ?? ''

function bindDevice(store: EmulatorStore, request: ApiRequest): ApiReply {
  const body = bodyRecord(request.body)
  const model = requiredString(body, 'model')
  const serialNumber = requiredString(body, 'serial_number')
  const fields = {
    type: optionalString(body, 'type') ?? 'CUSTOM',
    model,
    serial_number: serialNumber,
    alias: optionalString(body, 'alias'),
    firmware: optionalString(body, 'firmware')
  }
  const { deviceid, created } = store.bindDevice(request.key.company, fields)
  if (!created) return reply(409, { description: DESCRIPTIONS.deviceAlreadyBound, deviceid })
  return reply(request.rules.createdStatus, { description: DESCRIPTIONS.deviceBound, deviceid })
}

function unbindDevice(store: EmulatorStore, request: ApiRequest): ApiReply {
  const deviceid = param(request, 0)
  if (!store.unbindDevice(request.key.company, deviceid)) return deviceNotFound(deviceid)
  return reply(200, { description: DESCRIPTIONS.deviceUnbound, deviceid })
}

function listDevices(store: EmulatorStore, request: ApiRequest): ApiReply {
  const page = pageOf(request)
  const { pageSize } = request.rules
  const limit = queryInteger(request.query, 'limit', 1, pageSize) ?? pageSize
  const { rows, total } = store.listDevices(request.key.company, page.index + 1, limit)
  return reply(200, {
    description: DESCRIPTIONS.success,
    result: rows.map(deviceSummaryJson),
    pagination: { page: page.number, limit, total, has_more: (page.index + 1) * limit < total }
  })
}

function deviceInfo(store: EmulatorStore, request: ApiRequest): ApiReply {
  const deviceid = param(request, 0)
  const device = store.findDevice(request.key.company, deviceid)
  if (!device) return deviceNotFound(deviceid)
  return reply(200, { description: DESCRIPTIONS.success, result: deviceInfoJson(device) })
}

function insertSession(store: EmulatorStore, request: ApiRequest): ApiReply {
  const body = bodyRecord(request.body)
  refuseUnknownFields(body, ['deviceid', 'alias'], request.rules)
  const deviceid = requiredString(body, 'deviceid')
  const alias = optionalString(body, 'alias')
  if (!store.findDevice(request.key.company, deviceid)) return deviceNotFound(deviceid)
  const token = store.insertSession(deviceid, alias)
  return reply(request.rules.createdStatus, {
    description: DESCRIPTIONS.sessionInserted,
    token_session: token
  })
}

function closeSession(store: EmulatorStore, request: ApiRequest): ApiReply {
  const token = param(request, 0)
  const session = store.findSessionState(request.key.company, token)
  if (!session) return reply(404, { description: DESCRIPTIONS.sessionNotFound, token_session: token })
  const again = request.rules.closeClosedStatus
  if (session.active !== 1 && again !== 200) {
    const description = again === 404 ? DESCRIPTIONS.sessionNotFound : DESCRIPTIONS.sessionNotFoundOrClosed
    return reply(again, { description, token_session: token })
  }
  store.closeSession(token)
  return reply(200, { description: DESCRIPTIONS.sessionClosed, token_session: token })
}

function sessionsOfDevice(store: EmulatorStore, request: ApiRequest): ApiReply {
  const deviceid = param(request, 0)
  if (!store.findDevice(request.key.company, deviceid)) return sessionsNotFound(deviceid)
  const rows = store.sessionsOfDevice(deviceid)
  if (rows.length === 0) return reply(404, { description: request.rules.noSessionsWording, deviceid })
  return reply(200, { description: DESCRIPTIONS.success, result: rows.map(sessionListItemJson) })
}

function activeSession(store: EmulatorStore, request: ApiRequest): ApiReply {
  const deviceid = param(request, 0)
  if (!store.findDevice(request.key.company, deviceid)) return sessionsNotFound(deviceid)
  const row = store.activeSession(deviceid)
  if (!row) return reply(404, { description: request.rules.noSessionsWording, deviceid })
  return reply(200, { description: DESCRIPTIONS.success, result: [sessionDetailJson(row)] })
}

function sessionInfo(store: EmulatorStore, request: ApiRequest): ApiReply {
  const token = param(request, 0)
  const row = store.findSession(request.key.company, token)
  if (!row) return reply(404, { description: DESCRIPTIONS.sessionNotFound, token_session: token })
  return reply(200, { description: DESCRIPTIONS.success, result: [sessionDetailJson(row)] })
}

function insertPassings(store: EmulatorStore, request: ApiRequest): ApiReply {
  const { rules } = request
  const body = bodyRecord(request.body)
  refuseUnknownFields(body, ['token_session', 'passings_list'], rules)
  const token = requiredString(body, 'token_session')
  const list = body['passings_list']
  if (list === undefined || list === null) throw new BadRequest(DESCRIPTIONS.missingParameters)
  if (!Array.isArray(list) || list.length === 0) throw new BadRequest('Invalid parameter: passings_list')
  const passings = list.map((item, index) => parsePassing(item, index, rules))
  const refused = request.rejectBib ? passings.findIndex(p => request.rejectBib?.test(p.bib)) : -1
  if (refused >= 0) throw new BadRequest(`Invalid parameter: passings_list[${refused}].bib`)
  const session = store.findSessionState(request.key.company, token)
  if (!session || session.active !== 1) {
    return reply(rules.closedInsertStatus, {
      description: DESCRIPTIONS.sessionNotFoundOrClosed,
      token_session: token
    })
  }
  const outcome = store.insertPassings(token, session.deviceid, passings, rules.dedupeOn)
  const answer: Record<string, unknown> = { description: DESCRIPTIONS.passingsInserted, token_session: token }
  if (rules.answersInsertedCount) answer['inserted_count'] = outcome.inserted
  if (rules.answersDuplicateCount) answer['duplicate_count'] = outcome.duplicates
  return reply(rules.createdStatus, answer)
}

function passingsOfSession(store: EmulatorStore, request: ApiRequest): ApiReply {
  const token = param(request, 0)
  const [first, last] = inclusiveBounds(
    request.rules,
    queryInteger(request.query, 'first', 0),
    queryInteger(request.query, 'last', 0)
  )
  const page = pageOf(request)
  const { pageSize } = request.rules
  if (!store.findSessionState(request.key.company, token)) {
    return reply(404, { description: DESCRIPTIONS.sessionNotFound, token_session: token })
  }
  const rows = store.passingsOfSession(token, first, last, pageSize, page.index * pageSize)
  if (rows.length === 0) {
    return reply(404, { description: request.rules.noPassingsWording, token_session: token })
  }
  return reply(200, { description: DESCRIPTIONS.success, result: rows.map(passingJson) })
}

function passingsOfDevice(store: EmulatorStore, request: ApiRequest): ApiReply {
  const deviceid = param(request, 0)
  const [from, to] = dateBounds(request)
  const page = pageOf(request)
  const { pageSize } = request.rules
  if (!store.findDevice(request.key.company, deviceid)) return deviceNotFound(deviceid)
  const rows = store.passingsOfDevice(deviceid, from, to, pageSize, page.index * pageSize)
  if (rows.length === 0) return reply(404, { description: request.rules.noPassingsWording, deviceid })
  return reply(200, { description: DESCRIPTIONS.success, result: rows.map(passingJson) })
}

/**
 * The polling read. With `token_session` and `last` it returns what follows in that session; once that session
 * has nothing more and a newer session exists, it moves to the newer one from its beginning. Without a token it
 * reads the newest session. An empty poll answers 200 with an empty list.
 */
function passingsOfDevicePolling(store: EmulatorStore, request: ApiRequest): ApiReply {
  const deviceid = param(request, 0)
  const [from, to] = dateBounds(request)
  const last = queryInteger(request.query, 'last', 0)
  const page = pageOf(request)
  const { pageSize } = request.rules
  const token = request.query.get('token_session')
  if (!store.findDevice(request.key.company, deviceid)) return deviceNotFound(deviceid)
  let session: SessionRow | undefined = token ? store.findSession(request.key.company, token) : undefined
  if (token && (!session || session.deviceid !== deviceid)) {
    return reply(404, { description: DESCRIPTIONS.sessionNotFound, token_session: token })
  }
  let resumedFrom = session ? (last ?? 0) : 0
  session ??= store.latestSession(deviceid)
  if (!session) return reply(404, { description: DESCRIPTIONS.sessionsNotFound, deviceid })
  const offset = page.index * pageSize
  let rows = store.passingsAfter(session.token_session, resumedFrom, from, to, pageSize, offset)
  const newer = rows.length === 0 && token ? store.nextSessionAfter(deviceid, session.created_seq) : undefined
  if (newer) {
    session = newer
    resumedFrom = 0
    rows = store.passingsAfter(session.token_session, -1, from, to, pageSize, offset)
  }
  return reply(200, {
    description: DESCRIPTIONS.success,
    deviceid,
    session_used: session.token_session,
    session_label: session.alias,
    resumed_from: resumedFrom,
    passings: rows.map(passingJson)
  })
}

const ID = '([^/]+)'

/** A route from its path template; `{name}` stands for one path segment, handed to the handler in order. */
function route(method: HttpMethod, template: string, handle: Route['handle']): Route {
  const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, ID)}$`)
  return { name: `${method} ${template}`, method, pattern, handle }
}

export const ROUTES: readonly Route[] = [
  route('POST', '/devices', bindDevice),
  route('GET', '/devices', listDevices),
  route('GET', '/devices/{deviceid}', deviceInfo),
  route('DELETE', '/devices/{deviceid}', unbindDevice),
  route('POST', '/sessions', insertSession),
  route('PATCH', '/sessions/close/{token}', closeSession),
  route('GET', '/sessions/device/{deviceid}/active', activeSession),
  route('GET', '/sessions/device/{deviceid}', sessionsOfDevice),
  route('GET', '/sessions/{token}', sessionInfo),
  route('POST', '/passings', insertPassings),
  route('GET', '/passings/session/{token}', passingsOfSession),
  route('GET', '/passings/device2/{deviceid}', passingsOfDevicePolling),
  route('GET', '/passings/device/{deviceid}', passingsOfDevice)
]

/** GET needs READ; POST and PATCH need WRITE; DELETE (unbind) needs WRITE with the unbind flag. */
export function isAllowed(key: ApiKeyRecord, method: HttpMethod): boolean {
  switch (method) {
    case 'GET':
      return key.access === 'READ' || key.access === 'READ_WRITE'
    case 'POST':
    case 'PATCH':
      return key.access === 'WRITE' || key.access === 'READ_WRITE'
    case 'DELETE':
      return (key.access === 'WRITE' || key.access === 'READ_WRITE') && key.canUnbind
  }
}
