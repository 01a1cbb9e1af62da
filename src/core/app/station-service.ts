import type {
  CloudPassingView,
  CommandResults,
  KeyPermissions,
  KeyView,
  BibCheck,
  PassingView,
  Role,
  ScreenSettings,
  SessionView,
  StationSnapshot,
  StationUpdate
} from '../../shared/contract'
import { messageOf, type StationEvent } from '../../shared/events'
import type { StationMessage } from '../../shared/messages'
import { csvRows, UTF8_BOM } from '../csv/spreadsheet-csv'
import { PASSING_COLUMNS, passingCells } from '../journal/csv-mirror'
import type { PassingRecord, SessionRecord } from '../journal/journal'
import { describePort, type PortInfo } from '../reader/port-identity'
import { detectReader } from '../serial/detect'
import { RufusClient } from '../rufus/client'
import { rufusErrorMessage, RufusError } from '../rufus/errors'
import { readWholeSession } from '../sync/range-read'
import type { CloudPassing } from '../rufus/schemas'
import { listSerialPorts } from '../serial/reader-connection'
import { outgoingTimestamp } from '../sync/reconcile'
import type { Station } from '../station/station'
import { NotPossible } from '../not-possible'
import { logIgnored } from '../platform/log-ignored'
import type { Protocol } from '../../shared/protocols'

export type UiSettings = ScreenSettings

export interface StationServiceOptions {
  readonly station: Station
  readonly runtime: 'electron' | 'headless'
  readonly apiUrl: string
  readonly keySet: boolean
  readonly keyStorage: KeyView['storage']
  /** Where the wizard keeps a new key (encrypted by the OS in Electron; memory only elsewhere). */
  readonly saveKey?: (apiUrl: string, apiKey: string) => Promise<KeyView['storage']>
  readonly settings?: UiSettings
  readonly saveSettings?: (settings: UiSettings) => void
  readonly listPorts?: () => Promise<PortInfo[]>
  readonly detect?: typeof detectReader
  /** Called when readers are added or removed, so they resume at the next launch. */
  readonly rememberReaders?: (
    readers: Array<{
      path: string
      protocol: Protocol
      baudRate: number
    }>
  ) => void
  /** How often updates go out to screens (coalesced). */
  readonly updateIntervalMs?: number
}

const UPDATE_PASSING_CAP = 200
const NOTICE_CAP = 20
const HELD_CAP = 500
const ZERO_ID = '0'.repeat(64)

export { NotPossible }

function iso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString()
}

/**
 * Everything the screens can ask of the station, over any transport: the commands of the contract implemented
 * on the core, and coalesced updates (a few per second, whatever the read rate).
 */
export class StationService {
  readonly #o: StationServiceOptions
  #apiUrl: string
  #keySet: boolean
  #keyStorage: KeyView['storage']
  #permissions: KeyPermissions | null = null
  #settings: UiSettings
  /** Each screen's listener and that screen's own role. */
  readonly #listeners = new Map<(update: StationUpdate) => void, Role>()
  #pending: PassingView[] = []
  #dropped = 0
  #dirty = true
  #timer: NodeJS.Timeout | null = null
  readonly #notices: StationSnapshot['notices'][number][] = []
  #clock: StationSnapshot['clock'] = { offsetMs: null, uncertaintyMs: null, jumpMs: null }
  /** Set by the screen server once it listens; only the station role may read it (for the QR codes). */
  pairingUrls: { readonly entry: string; readonly viewer: string } | null = null

  constructor(options: StationServiceOptions) {
    this.#o = options
    this.#apiUrl = options.apiUrl
    this.#keySet = options.keySet
    this.#keyStorage = options.keyStorage
    // Without saved settings (the headless station) the grace period is the station's own (its command line).
    const grace = options.station.uploadGrace
    this.#settings = options.settings ?? {
      beep: true,
      language: 'en',
      uploadGraceMs: grace.graceMs,
      graceAllPassings: grace.allPassings
    }
    this.#applyUploadGrace()
  }

  #applyUploadGrace(): void {
    this.station.setUploadGrace({
      graceMs: this.#settings.uploadGraceMs,
      allPassings: this.#settings.graceAllPassings
    })
  }

  get station(): Station {
    return this.#o.station
  }

  /** Feed every station event here. */
  readonly onStationEvent = (event: StationEvent): void => {
    switch (event.type) {
      case 'passing': {
        const passing = this.station.journal.passing(event.id)
        if (passing) {
          this.#pending.push(this.#view(passing))
          if (this.#pending.length > UPDATE_PASSING_CAP) {
            this.#dropped += this.#pending.length - UPDATE_PASSING_CAP
            this.#pending = this.#pending.slice(-UPDATE_PASSING_CAP)
          }
        }
        break
      }
      case 'clock':
        this.#clock = {
          offsetMs: event.offsetMs,
          uncertaintyMs: event.uncertaintyMs,
          jumpMs: event.jumpMs ?? this.#clock.jumpMs
        }
        break
      case 'info':
      case 'warning':
      case 'error':
        this.#notices.push({
          level: event.type,
          message: messageOf(event),
          at: new Date().toISOString()
        })
        if (this.#notices.length > NOTICE_CAP) this.#notices.shift()
        break
      default:
        break
    }
    this.#dirty = true
  }

  /** Coalesced updates for one screen; returns the unsubscribe function. */
  subscribe(listener: (update: StationUpdate) => void, role: Role): () => void {
    this.#listeners.set(listener, role)
    listener({ snapshot: this.snapshot(role), passings: [], dropped: 0 })
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#flushUpdates(), this.#o.updateIntervalMs ?? 250)
      this.#timer.unref()
    }
    return () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size === 0 && this.#timer) {
        clearInterval(this.#timer)
        this.#timer = null
      }
    }
  }

  #flushUpdates(): void {
    if (!this.#dirty && this.#pending.length === 0) return
    const updates = new Map<Role, StationUpdate>()
    const passings = this.#pending
    const dropped = this.#dropped
    this.#pending = []
    this.#dropped = 0
    this.#dirty = false
    for (const [listener, role] of this.#listeners) {
      let update = updates.get(role)
      if (!update) {
        update = { snapshot: this.snapshot(role), passings, dropped }
        updates.set(role, update)
      }
      listener(update)
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    this.#listeners.clear()
  }

  // ---- views ----

  #view(p: PassingRecord): PassingView {
    const uploaded = p.state === 'synced' || p.state === 'conflict'
    const difference = uploaded ? this.station.journal.afterSyncDifference(p.id) : null
    return {
      id: p.id,
      session: p.sessionId,
      num: p.num,
      bib: p.bib,
      name: p.bib ? this.station.journal.participantName(p.bib) : null,
      chip: p.chip,
      timestamp: outgoingTimestamp(p.timeUs),
      source: p.source,
      port: p.port,
      state: p.state,
      note: this.#note(p),
      correctedBib: difference?.correctedBib ?? null,
      voided: p.state === 'void' || (difference?.voided ?? false),
      differsFromCloud: difference !== null
    }
  }

  /** A correction made after sync stays local: say so next to the passing. */
  #note(p: PassingRecord): StationMessage | null {
    const correction =
      p.state === 'synced' || p.state === 'conflict' ? this.station.journal.latestCorrection(p.id) : null
    if (correction?.afterSync) {
      return correction.kind === 'void'
        ? { code: 'note.voided-after-upload', params: {} }
        : { code: 'note.bib-fixed-after-upload', params: { bib: correction.newBib ?? '' } }
    }
    return p.note
  }

  #sessionView(s: SessionRecord, cloudActive: boolean | null = null): SessionView {
    const counts = this.station.journal.counts(s.id)
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    const range = this.station.journal.sessionTimeRange(s.id)
    return {
      id: s.id,
      alias: s.alias,
      token: s.token,
      cloudState: s.cloudState,
      closed: s.closedAtUs !== null,
      openedAt: iso(s.openedAtUs),
      counts: { total, synced: counts.synced, pending: counts.pending + counts.held },
      first: range.firstUs === null ? null : iso(range.firstUs),
      last: range.lastUs === null ? null : iso(range.lastUs),
      cloudActive
    }
  }

  snapshot(role: Role): StationSnapshot {
    const journal = this.station.journal
    const device = journal.device()
    const session = journal.openedSession()
    const status = this.station.sync.status()
    return {
      runtime: this.#o.runtime,
      role,
      configured: this.#keySet,
      apiUrl: this.#apiUrl,
      key: {
        set: this.#keySet,
        canRead: this.#permissions?.canRead ?? status.canRead,
        canWrite: this.#permissions?.canWrite ?? null,
        canUnbind: this.#permissions?.canUnbind ?? null,
        storage: this.#keyStorage
      },
      device: {
        serialNumber: device?.serialNumber ?? '',
        deviceid: device?.deviceid ?? null,
        alias: device?.alias ?? null
      },
      session: session ? this.#sessionView(session) : null,
      sync: (({ type: _type, canRead: _canRead, ...summary }) => summary)(this.station.syncSummary()),
      clock: this.#clock,
      readers: this.station.readerHealth(),
      bibPolicy: this.station.bibPolicy,
      settings: { ...this.#settings },
      nextSessionAlias: this.station.nextSessionAlias(),
      notices: [...this.#notices]
    }
  }

  // ---- commands ----

  recentPassings(limit: number): PassingView[] {
    return this.station.journal.latestPassings(limit).map(p => this.#view(p))
  }

  async recordManual(bib: string | null, atMs?: number, entryKey?: string): Promise<PassingView> {
    const passing = await this.station.recordManual(
      bib,
      atMs === undefined ? undefined : Math.round(atMs * 1000),
      entryKey ?? null
    )
    return this.#view(passing)
  }

  undoCorrection(id: number): { outcome: string } {
    return { outcome: this.station.undoCorrection(id) }
  }

  /** Times without a bib, pinned on the finish screen until each gets a bib or is voided. */
  heldPassings(): PassingView[] {
    return this.station.journal.heldPassings(HELD_CAP).map(p => this.#view(p))
  }

  /** What the station knows of a bib being typed: the runner, whether it already passed, whether it looks wrong. */
  checkBib(bib: string): BibCheck {
    const value = bib.trim()
    const journal = this.station.journal
    const list = journal.participantBibs()
    const session = journal.openedSession()
    const inParticipants = list.count === 0 ? null : journal.isParticipantBib(value)
    return {
      name: value === '' ? null : journal.participantName(value),
      inParticipants,
      alreadyInSession: session !== null && value !== '' && journal.hasBib(session.id, value),
      unusual: value !== '' && inParticipants === false && list.allNumeric && !/^\d+$/.test(value)
    }
  }

  voidPassing(id: number): { outcome: string } {
    return { outcome: this.station.voidPassing(id) }
  }

  fixBib(id: number, bib: string): { outcome: string } {
    return { outcome: this.station.fixBib(id, bib) }
  }

  openSession(alias: string): SessionView {
    return this.#sessionView(this.station.openSession(alias))
  }

  /**
   * Closes the open session; with `openNext`, opens the next one at once (reads never fall between the two), named
   * `alias` when the timer gave a name.
   */
  closeSession(openNext: boolean, sessionId?: number, alias?: string): SessionView | null {
    // Two screens confirming the same close: the second would otherwise close the session the first just opened
    // (splitting the finishers over one more session than anyone meant).
    const open = this.station.journal.openedSession()
    if (sessionId !== undefined && open?.id !== sessionId) {
      const seen = this.station.journal.session(sessionId)
      throw new NotPossible({
        code: 'session.already-closed',
        params: { alias: seen?.alias ?? String(sessionId), open: open?.alias ?? null }
      })
    }
    if (openNext) {
      return this.#sessionView(this.station.openSession(alias ?? this.station.nextSessionAlias()))
    }
    this.station.closeSession()
    return null
  }

  async sessions(): Promise<SessionView[]> {
    const deviceid = this.station.journal.device()?.deviceid
    const active = new Map<string, boolean>()
    if (deviceid) {
      try {
        for (const s of await this.station.client.sessionsOfDevice(deviceid)) {
          active.set(s.token_session, s.active)
        }
      } catch (error) {
        // Offline or no READ: the local list still stands.
        logIgnored('the cloud list of sessions could not be read', error)
      }
    }
    return this.station.journal
      .sessions()
      .reverse()
      .map(s => this.#sessionView(s, s.token ? (active.get(s.token) ?? null) : null))
  }

  async cloudSessionPassings(
    token: string,
    first?: number,
    last?: number,
    page?: number
  ): Promise<CloudPassingView[]> {
    // A screen reads the cloud with the station's key: only the sessions this station uploaded to, never the
    // rest of the company's.
    if (!this.station.journal.knowsCloudToken(token)) {
      throw new NotPossible({ code: 'session.not-ours', params: {} })
    }
    const list = await this.station.client.sessionPassings(token, { first, last, page })
    return list.map(cloudView)
  }

  async cloudDevicePassings(
    from?: string,
    to?: string,
    page?: number
  ): Promise<CommandResults['cloud.devicePassings']> {
    const deviceid = this.#requireDevice()
    const list = await this.station.client.devicePassings(deviceid, { from, to, page })
    return list.map(p => ({ ...cloudView(p), token: p.token_session }))
  }

  localSessionPassings(sessionId: number, afterNum: number, limit: number): PassingView[] {
    return this.station.journal.passingsOfSession(sessionId, afterNum, limit).map(p => this.#view(p))
  }

  /** Local journal against the cloud's copy: numbers missing there, extra there, or different. */
  async compareSession(sessionId: number): Promise<CommandResults['compare.session']> {
    const session = this.station.journal.session(sessionId)
    if (!session?.token) throw new NotPossible({ code: 'session.no-cloud-session', params: {} })
    const cloud = (await readWholeSession(this.station.client, session.token)).passings
    const byNum = new Map(cloud.map(p => [p.num_passing, p]))
    const local = this.station.journal
      .passingsOfSession(sessionId)
      .filter(p => p.state === 'synced' && p.cloudToken === session.token)
    const localNums = new Set(local.map(p => p.num + session.cloudOffset))
    const missingInCloud: number[] = []
    const different: number[] = []
    for (const p of local) {
      const copy = byNum.get(p.num + session.cloudOffset)
      if (!copy) missingInCloud.push(p.num)
      else if (copy.bib !== p.bib) different.push(p.num)
    }
    const extraInCloud = cloud.filter(p => !localNums.has(p.num_passing)).map(p => p.num_passing)
    return { missingInCloud, extraInCloud, different }
  }

  exportCsv(sessionId: number): CommandResults['export.csv'] {
    const session = this.station.journal.session(sessionId)
    if (!session) throw new NotPossible({ code: 'session.not-found', params: { id: sessionId } })
    const corrections = new Map(this.station.journal.corrections(sessionId).map(c => [c.num, c]))
    const rows = this.station.journal.passingsOfSession(sessionId).map(p => {
      const c = corrections.get(p.num)
      const correction = c
        ? `${c.kind}${c.newBib ? ` to ${c.newBib}` : ''}${c.afterSync ? ' (after sync: local only)' : ''}`
        : ''
      const view = this.#view(p)
      return [
        ...passingCells(p),
        p.state,
        correction,
        view.correctedBib ?? '',
        view.voided ? 'yes' : '',
        localTimeText(p.timeUs),
        view.name ?? ''
      ]
    })
    return {
      fileName: `session-${session.id}-${session.alias.replace(/[^A-Za-z0-9_-]+/g, '-')}.csv`,
      // `bib` is what RUFUS Cloud has (or will get); `corrected_bib` and `voided` are the station's word after upload.
      // `local_time` is the station's time of day (its time zone), `name` the runner's from the participants list.
      csv:
        UTF8_BOM +
        csvRows([
          [...PASSING_COLUMNS, 'state', 'correction', 'corrected_bib', 'voided', 'local_time', 'name'],
          ...rows
        ])
    }
  }

  /** Finds out what a key may do with harmless calls on ids that cannot exist. */
  async checkKey(apiUrl: string, apiKey: string): Promise<KeyPermissions> {
    const client = new RufusClient({ baseUrl: apiUrl, apiKey, timeoutMs: 10_000 })
    const probe = async (call: () => Promise<unknown>): Promise<boolean | RufusError> => {
      try {
        // A screen's request like any other: behind uploads and under the station's ceiling (a check pressed
        // again and again must not flood the cloud); one that waits too long is refused as busy.
        await this.station.ceiling.run('screen', call)
        return true
      } catch (error) {
        if (error instanceof RufusError && error.kind === 'not-found') return true
        if (error instanceof RufusError && error.kind === 'forbidden') return false
        if (error instanceof RufusError) return error
        throw error
      }
    }
    const read = await probe(() => client.listDevices({ limit: 1 }))
    if (read instanceof RufusError) {
      return {
        reachable: false,
        canRead: false,
        canWrite: false,
        canUnbind: false,
        message: rufusErrorMessage(read)
      }
    }
    const write = await probe(() => client.insertSession(ZERO_ID, 'permission check'))
    const unbind = await probe(() => client.unbindDevice(ZERO_ID))
    const canWrite = write === true
    const canUnbind = unbind === true
    const message: StationMessage =
      !read && !canWrite
        ? { code: 'key.refused', params: {} }
        : !canWrite
          ? { code: 'key.read-only', params: {} }
          : !read
            ? { code: 'key.write-only', params: {} }
            : { code: 'key.read-write', params: { canUnbind } }
    return { reachable: true, canRead: read === true, canWrite, canUnbind, message }
  }

  async saveKey(apiUrl: string, apiKey: string): Promise<KeyPermissions> {
    const permissions = await this.checkKey(apiUrl, apiKey)
    if (!this.#o.saveKey) {
      throw new NotPossible({ code: 'key.set-at-start', params: {} })
    }
    this.#keyStorage = await this.#o.saveKey(apiUrl, apiKey)
    this.#apiUrl = apiUrl
    this.#keySet = true
    this.#permissions = permissions
    await this.station.setCloud(apiUrl, apiKey)
    this.#dirty = true
    return permissions
  }

  async listDevices(): Promise<CommandResults['device.list']> {
    const page = await this.station.client.listDevices({ limit: 5000 })
    return page.devices.map(d => ({
      deviceid: d.deviceid,
      alias: d.alias,
      model: d.model,
      serialNumber: d.serial_number
    }))
  }

  async bindNewDevice(alias?: string): Promise<CommandResults['device.bindNew']> {
    const device = this.station.journal.device()
    if (!device) throw new NotPossible({ code: 'device.no-identity', params: {} })
    const result = await this.station.client.bindDevice({
      model: device.model,
      serial_number: device.serialNumber,
      ...(alias ? { alias } : {})
    })
    this.station.journal.setDeviceBinding(result.deviceid, Date.now())
    this.station.sync.wake()
    return result
  }

  useDevice(deviceid: string): null {
    const unsynced = this.station.journal.counts()
    if (unsynced.synced > 0 && this.station.journal.device()?.deviceid !== deviceid) {
      throw new NotPossible({ code: 'device.already-uploaded', params: {} })
    }
    this.station.journal.setDeviceBinding(deviceid.toUpperCase(), Date.now())
    this.station.sync.wake()
    return null
  }

  async deviceInfo(): Promise<Record<string, unknown> | null> {
    const deviceid = this.station.journal.device()?.deviceid
    if (!deviceid) return null
    return { ...(await this.station.client.deviceInfo(deviceid)) }
  }

  async unbindDevice(confirmAlias: string): Promise<null> {
    const device = this.station.journal.device()
    const expected = device?.alias ?? device?.serialNumber ?? ''
    if (confirmAlias !== expected) {
      throw new NotPossible({ code: 'device.confirm-name', params: { expected } })
    }
    try {
      await this.station.unbindDevice()
    } catch (error) {
      // The generic "key refused" would send the timer to check a key that works for everything but this.
      if (error instanceof RufusError && error.kind === 'forbidden') {
        throw new NotPossible({ code: 'unbind.key-may-not', params: {} })
      }
      throw error
    }
    return null
  }

  async listPorts(): Promise<CommandResults['ports.list']> {
    const ports = await (this.#o.listPorts ?? listSerialPorts)()
    return ports.map(p => ({ path: p.path, description: describePort(p) }))
  }

  readonly #readerConfigs = new Map<string, { path: string; protocol: Protocol; baudRate: number }>()

  addReader(path: string, protocol: Protocol, baudRate: number) {
    const connection = this.station.addReader({ id: path, path, protocol, baudRate })
    this.#readerConfigs.set(path, { path, protocol, baudRate })
    this.#o.rememberReaders?.([...this.#readerConfigs.values()])
    return connection.health.snapshot()
  }

  async removeReader(id: string): Promise<null> {
    await this.station.removeReader(id)
    this.#readerConfigs.delete(id)
    this.#o.rememberReaders?.([...this.#readerConfigs.values()])
    return null
  }

  /** Listens on a port (and asks silent readers) to suggest the protocol and speed, for the wizard. */
  async detectReader(path: string): Promise<CommandResults['reader.detect']> {
    if (this.station.readerHealth().some(r => r.path === path)) {
      throw new NotPossible({ code: 'reader.already-read', params: { path } })
    }
    const found = await (this.#o.detect ?? detectReader)(path)
    return found.map(c => ({
      protocol: c.protocol,
      baudRate: c.baudRate,
      score: Math.round(c.score * 100) / 100,
      how: c.how
    }))
  }

  syncAction(action: 'resume' | 'continue-new-session' | 'rebind'): null {
    const sync = this.station.sync
    if (action === 'resume') sync.resume()
    if (action === 'rebind') sync.rebindAndReupload()
    if (action === 'continue-new-session') {
      const blocked = sync.status().blocked
      if (!blocked?.sessionId) throw new NotPossible({ code: 'sync.no-decision-waiting', params: {} })
      sync.continueInNewCloudSession(blocked.sessionId)
    }
    return null
  }

  setSettings(changes: Partial<UiSettings>): null {
    this.#settings = { ...this.#settings, ...changes }
    this.#applyUploadGrace()
    this.#o.saveSettings?.(this.#settings)
    this.#dirty = true
    return null
  }

  #requireDevice(): string {
    const deviceid = this.station.journal.device()?.deviceid
    if (!deviceid) throw new NotPossible({ code: 'device.not-bound', params: {} })
    return deviceid
  }
}

/** A passing's time in the station's time zone, as a spreadsheet reads it: `2026-11-28 10:00:01.234`. */
function localTimeText(us: number): string {
  const at = new Date(Math.floor(us / 1000))
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`
  return `${day} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`
}

function cloudView(p: CloudPassing): CloudPassingView {
  return { num: p.num_passing, bib: p.bib, chip: p.chip, timestamp: p.timestamp }
}
