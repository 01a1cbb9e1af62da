import type { BindDeviceInput, BindDeviceResult, RangeQuery, RufusCloud } from '../../src/core/rufus/cloud'
import { PASSINGS_PAGE_SIZE, statusKind } from '../../src/core/rufus/client'
import { RufusError } from '../../src/core/rufus/errors'
import type {
  CloudPassing,
  DeviceInfo,
  InsertPassingsResult,
  OutgoingPassing,
  SessionDetail
} from '../../src/core/rufus/schemas'
import { DESCRIPTIONS } from '../../src/emulator/wire'

type Method = keyof RufusCloud

/** What goes wrong with one call, planned by the test. */
export type Fault =
  /** The cloud answers this status and applies nothing. */
  | {
      readonly kind: 'status'
      readonly status: number
      readonly description?: string
      readonly retryAfterMs?: number
    }
  /** The connection fails: `ECONNREFUSED` before anything is sent, `ECONNRESET` after the request left. */
  | { readonly kind: 'network'; readonly code: 'ECONNREFUSED' | 'ECONNRESET' }
  /** The cloud applies the call, then the answer is lost (the client times out). */
  | { readonly kind: 'answer-lost' }

/**
 * How the in-memory cloud reads the docs' open questions (U8, U10, U11), as the emulator's quirks do. Absent fields
 * keep the default reading.
 */
export interface FakeReading {
  /** What makes a passing a duplicate within a session (`none`: every copy is stored). */
  readonly dedupeOn?: 'number' | 'bib' | 'none'
  /** Which counts an insert answers: both, `inserted_count` only (legacy), or none (the newer spec's minimum). */
  readonly counts?: 'both' | 'inserted' | 'none'
  readonly firstPage?: 0 | 1
  readonly pageSize?: number
  /** `first`/`last` leave out the bounds themselves. */
  readonly exclusiveBounds?: boolean
  /** `page` is ignored: every page is the first. */
  readonly ignoresPage?: boolean
  /** Closing a closed session answers this (200: idempotent). */
  readonly closeClosedStatus?: 200 | 400 | 404
  /** Passings into a closed or unknown session answer this. */
  readonly closedInsertStatus?: 400 | 404
}

export interface FakeCloudCall {
  readonly method: Method
  readonly atMs: number
}

interface FakeSession {
  readonly token: string
  readonly deviceid: string
  readonly alias: string | null
  readonly createdAtMs: number
  active: boolean
  readonly passings: CloudPassing[]
}

const WRITES: ReadonlySet<Method> = new Set(['bindDevice', 'insertSession', 'closeSession', 'insertPassings'])

function hex(n: number, prefix: string): string {
  return `${prefix}${n
    .toString(16)
    .toUpperCase()
    .padStart(64 - prefix.length, '0')}`
}

/**
 * RUFUS Cloud in memory, as the default reading of the docs has it (de-duplication on the session and number,
 * both counts answered; `dedupe: false` plays the legacy cloud that stores every copy and answers only
 * `inserted_count`). It fails exactly as the test plans (`failNext`), with the `RufusError` the real client gives
 * for that failure, and records every call with the fake clock's time.
 */
export class FakeCloud implements RufusCloud {
  readonly calls: FakeCloudCall[] = []
  /** Every call answers `refusedStatus` (a revoked key, or a firewall in the way). */
  keyRefused = false
  refusedStatus: 401 | 403 = 403
  /** A WRITE-only key: reads answer 403. */
  writeOnly = false
  /** A batch holding a bib that matches is refused whole with a 400, as the emulator's `rejectBib`. */
  refuseBib: RegExp | null = null
  /** The description of a refusal by `refuseBib` (null: `Invalid bib <bib>`; a strict cloud names only the field). */
  refuseBibReason: string | null = null
  /** Every batch is refused whole with a 400 and this description (a strict cloud refusing a field all carry). */
  refuseEvery: string | null = null
  readonly #clock: { nowMs(): number }
  readonly #reading: Required<FakeReading>
  readonly #devices = new Map<string, { deviceid: string; serial: string; model: string }>()
  readonly #sessions = new Map<string, FakeSession>()
  readonly #faults = new Map<Method, Fault[]>()
  #ids = 0

  constructor(
    clock: { nowMs(): number },
    options: { readonly dedupe?: boolean; readonly reading?: FakeReading } = {}
  ) {
    this.#clock = clock
    const legacy = options.dedupe === false
    this.#reading = {
      dedupeOn: legacy ? 'none' : 'number',
      counts: legacy ? 'inserted' : 'both',
      firstPage: 1,
      pageSize: PASSINGS_PAGE_SIZE,
      exclusiveBounds: false,
      ignoresPage: false,
      closeClosedStatus: 200,
      closedInsertStatus: 404,
      ...options.reading
    }
  }

  /** Every call of `method` so far, as the wire saw it (for counting requests). */
  countOf(method: Method): number {
    return this.callsOf(method).length
  }

  /** The next `times` calls of `method` fail this way. */
  failNext(method: Method, fault: Fault, times = 1): void {
    const list = this.#faults.get(method) ?? []
    for (let i = 0; i < times; i += 1) list.push(fault)
    this.#faults.set(method, list)
  }

  callsOf(method: Method): FakeCloudCall[] {
    return this.calls.filter(call => call.method === method)
  }

  /** Every copy the cloud holds of a session's passings, in the order stored. */
  passingsOf(token: string): readonly CloudPassing[] {
    return this.#sessions.get(token)?.passings ?? []
  }

  isActive(token: string): boolean {
    return this.#sessions.get(token)?.active ?? false
  }

  /** Another station or the web closes the session. */
  closeElsewhere(token: string): void {
    const session = this.#sessions.get(token)
    if (session) session.active = false
  }

  /** Someone unbinds the device: the cloud deletes it with its sessions and passings. */
  unbindElsewhere(deviceid: string): void {
    for (const [serial, device] of this.#devices)
      if (device.deviceid === deviceid) this.#devices.delete(serial)
    for (const [token, session] of this.#sessions)
      if (session.deviceid === deviceid) this.#sessions.delete(token)
  }

  bindDevice(input: BindDeviceInput): Promise<BindDeviceResult> {
    return this.#call('bindDevice', () => {
      const known = this.#devices.get(input.serial_number)
      if (known) return { deviceid: known.deviceid, alreadyBound: true }
      const deviceid = hex((this.#ids += 1), 'D')
      this.#devices.set(input.serial_number, { deviceid, serial: input.serial_number, model: input.model })
      return { deviceid, alreadyBound: false }
    })
  }

  deviceInfo(deviceid: string): Promise<DeviceInfo> {
    return this.#call('deviceInfo', () => {
      const device = this.#device('deviceInfo', deviceid)
      return {
        deviceid,
        type: 'RUFUS_STATION',
        model: device.model,
        alias: null,
        firmware: null,
        serial_number: device.serial,
        creation_date: null,
        sessions: this.#sessionsOf(deviceid).length,
        passings: null,
        last_seen: null
      }
    })
  }

  insertSession(deviceid: string, alias?: string): Promise<string> {
    return this.#call('insertSession', () => {
      this.#device('insertSession', deviceid)
      // The documented rule: a new session closes the device's active one.
      for (const session of this.#sessionsOf(deviceid)) session.active = false
      const token = hex((this.#ids += 1), 'S')
      this.#sessions.set(token, {
        token,
        deviceid,
        alias: alias ?? null,
        createdAtMs: this.#clock.nowMs(),
        active: true,
        passings: []
      })
      return token
    })
  }

  closeSession(token: string): Promise<void> {
    return this.#call('closeSession', () => {
      const session = this.#session('closeSession', token)
      const status = this.#reading.closeClosedStatus
      if (!session.active && status !== 200) {
        throw this.#error(
          'closeSession',
          status,
          status === 404 ? DESCRIPTIONS.sessionNotFound : DESCRIPTIONS.sessionNotFoundOrClosed
        )
      }
      session.active = false
    })
  }

  activeSession(deviceid: string): Promise<SessionDetail | null> {
    return this.#call('activeSession', () => {
      const active = this.#sessionsOf(deviceid).find(session => session.active)
      return active ? this.#detail(active) : null
    })
  }

  sessionInfo(token: string): Promise<SessionDetail> {
    return this.#call('sessionInfo', () => this.#detail(this.#session('sessionInfo', token)))
  }

  insertPassings(token: string, passings: readonly OutgoingPassing[]): Promise<InsertPassingsResult> {
    return this.#call('insertPassings', () => {
      const session = this.#sessions.get(token)
      if (!session?.active) {
        throw this.#error(
          'insertPassings',
          this.#reading.closedInsertStatus,
          DESCRIPTIONS.sessionNotFoundOrClosed
        )
      }
      if (this.refuseEvery !== null) throw this.#error('insertPassings', 400, this.refuseEvery)
      const refused = passings.find(p => this.refuseBib?.test(p.bib))
      if (refused)
        throw this.#error('insertPassings', 400, this.refuseBibReason ?? `Invalid bib ${refused.bib}`)
      let inserted = 0
      for (const passing of passings) {
        if (session.passings.some(p => this.#isDuplicate(p, passing))) continue
        session.passings.push(this.#stored(session, passing))
        inserted += 1
      }
      const answer = { description: DESCRIPTIONS.passingsInserted, token_session: token }
      switch (this.#reading.counts) {
        case 'both':
          return { ...answer, inserted_count: inserted, duplicate_count: passings.length - inserted }
        case 'inserted':
          return { ...answer, inserted_count: inserted }
        case 'none':
          // The newer spec requires only these two fields (the client's type has the counts optional).
          return answer as InsertPassingsResult
      }
    })
  }

  sessionPassings(token: string, query: RangeQuery = {}): Promise<readonly CloudPassing[]> {
    return this.#call('sessionPassings', () => {
      const session = this.#session('sessionPassings', token)
      const { firstPage, pageSize, exclusiveBounds, ignoresPage } = this.#reading
      const index = ignoresPage ? 0 : (query.page ?? firstPage) - firstPage
      if (index < 0) throw this.#error('sessionPassings', 400, 'Invalid parameter: page')
      const first = query.first ?? -Infinity
      const last = query.last ?? Infinity
      return session.passings
        .filter(p =>
          exclusiveBounds
            ? p.num_passing > first && p.num_passing < last
            : p.num_passing >= first && p.num_passing <= last
        )
        .sort((a, b) => a.num_passing - b.num_passing)
        .slice(index * pageSize, (index + 1) * pageSize)
    })
  }

  /** Puts a passing in the cloud as another writer would (for conflicts). */
  store(token: string, passing: OutgoingPassing): void {
    const session = this.#session('insertPassings', token)
    session.passings.push(this.#stored(session, passing))
  }

  async #call<T>(method: Method, apply: () => T): Promise<T> {
    this.calls.push({ method, atMs: this.#clock.nowMs() })
    // Answers arrive on a later turn, as over a network.
    await Promise.resolve()
    const write = WRITES.has(method)
    if (this.keyRefused) throw this.#error(method, this.refusedStatus, DESCRIPTIONS.forbidden)
    if (this.writeOnly && !write) throw this.#error(method, 403, DESCRIPTIONS.forbidden)
    const fault = this.#faults.get(method)?.shift()
    if (fault?.kind === 'status') {
      throw this.#error(method, fault.status, fault.description, fault.retryAfterMs)
    }
    if (fault?.kind === 'network') {
      throw new RufusError('network', `${method} failed: ${fault.code}`, {
        code: fault.code,
        ambiguous: write && fault.code !== 'ECONNREFUSED'
      })
    }
    const result = apply()
    if (fault?.kind === 'answer-lost') {
      throw new RufusError('timeout', `${method} timed out`, { ambiguous: write })
    }
    return result
  }

  #isDuplicate(stored: CloudPassing, incoming: OutgoingPassing): boolean {
    switch (this.#reading.dedupeOn) {
      case 'number':
        return stored.num_passing === incoming.num_passing
      case 'bib':
        return stored.bib === incoming.bib
      case 'none':
        return false
    }
  }

  #error(method: Method, status: number, description?: string, retryAfterMs?: number): RufusError {
    const kind = statusKind(status)
    return new RufusError(kind, `${method} failed: HTTP ${status}${description ? ` ${description}` : ''}`, {
      status,
      description,
      retryAfterMs,
      ambiguous: kind === 'server' && WRITES.has(method)
    })
  }

  #device(method: Method, deviceid: string): { deviceid: string; serial: string; model: string } {
    for (const device of this.#devices.values()) if (device.deviceid === deviceid) return device
    throw this.#error(method, 404, DESCRIPTIONS.deviceNotFound)
  }

  #session(method: Method, token: string): FakeSession {
    const session = this.#sessions.get(token)
    if (!session) throw this.#error(method, 404, DESCRIPTIONS.sessionNotFound)
    return session
  }

  #sessionsOf(deviceid: string): FakeSession[] {
    return [...this.#sessions.values()].filter(session => session.deviceid === deviceid)
  }

  #detail(session: FakeSession): SessionDetail {
    const passings = session.passings
    return {
      token_session: session.token,
      alias: session.alias,
      creation_date: new Date(session.createdAtMs).toISOString(),
      active: session.active,
      passings: passings.length,
      duration: null,
      first: passings[0]?.timestamp ?? null,
      last: passings.at(-1)?.timestamp ?? null
    }
  }

  #stored(session: FakeSession, passing: OutgoingPassing): CloudPassing {
    return {
      token_session: session.token,
      timestamp: passing.timestamp,
      num_passing: passing.num_passing,
      bib: passing.bib,
      chip: passing.chip ?? null,
      participant_id: null,
      gender: null,
      status: null,
      timezone: passing.timezone ?? null,
      latitude: null,
      longitude: null,
      deviceid: session.deviceid
    }
  }
}
