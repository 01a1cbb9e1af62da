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
import { compareWithCloud } from '../../shared/cloud-copy'
import { messageOf, type StationEvent } from '../../shared/events'
import { describePort, type PortInfo } from '../reader/port-identity'
import { detectReader } from '../serial/detect'
import { readWholeSession } from '../sync/range-read'
import { listSerialPorts } from '../serial/reader-connection'
import { outgoingTimestamp } from '../sync/reconcile'
import type { Station } from '../station/station'
import type { StationRecords } from '../station/station-reads'
import { NotPossible } from '../not-possible'
import { RufusError } from '../rufus/errors'
import { logIgnored } from '../platform/log-ignored'
import type { Protocol } from '../../shared/protocols'
import { checkKey } from './key-check'
import { exportSession } from './session-export'
import { ScreenBroadcaster } from './screen-broadcaster'
import { cloudPassingView, ScreenViews } from './screen-views'

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

const NOTICE_CAP = 20
const HELD_CAP = 500

export { NotPossible }

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
  /** The journal, read through the station. */
  readonly #records: StationRecords
  readonly #views: ScreenViews
  readonly #screens: ScreenBroadcaster
  readonly #notices: StationSnapshot['notices'][number][] = []
  #clock: StationSnapshot['clock'] = { offsetMs: null, uncertaintyMs: null, jumpMs: null }
  /** Set by the screen server once it listens; only the station role may read it (for the QR codes). */
  pairingUrls: { readonly entry: string; readonly viewer: string } | null = null

  constructor(options: StationServiceOptions) {
    this.#o = options
    this.#apiUrl = options.apiUrl
    this.#keySet = options.keySet
    this.#keyStorage = options.keyStorage
    this.#records = options.station.records
    this.#views = new ScreenViews(this.#records)
    this.#screens = new ScreenBroadcaster({
      snapshot: role => this.snapshot(role),
      intervalMs: options.updateIntervalMs
    })
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
        const passing = this.#records.passing(event.id)
        if (passing) this.#screens.passing(this.#views.passing(passing))
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
    this.#screens.changed()
  }

  /** Coalesced updates for one screen; returns the unsubscribe function. */
  subscribe(listener: (update: StationUpdate) => void, role: Role): () => void {
    return this.#screens.subscribe(listener, role)
  }

  stop(): void {
    this.#screens.stop()
  }

  // ---- views ----

  snapshot(role: Role): StationSnapshot {
    const device = this.#records.device()
    const session = this.#records.openedSession()
    const status = this.station.syncStatus()
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
      session: session ? this.#views.session(session) : null,
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
    return this.#records.latestPassings(limit).map(p => this.#views.passing(p))
  }

  async recordManual(bib: string | null, atMs?: number, entryKey?: string): Promise<PassingView> {
    const passing = await this.station.recordManual(
      bib,
      atMs === undefined ? undefined : Math.round(atMs * 1000),
      entryKey ?? null
    )
    return this.#views.passing(passing)
  }

  undoCorrection(id: number): { outcome: string } {
    return { outcome: this.station.undoCorrection(id) }
  }

  /** Times without a bib, pinned on the finish screen until each gets a bib or is voided. */
  heldPassings(): PassingView[] {
    return this.#records.heldPassings(HELD_CAP).map(p => this.#views.passing(p))
  }

  /** What the station knows of a bib being typed: the runner, whether it already passed, whether it looks wrong. */
  checkBib(bib: string): BibCheck {
    const value = bib.trim()
    const records = this.#records
    const list = records.participantBibs()
    const session = records.openedSession()
    const inParticipants = list.count === 0 ? null : records.isParticipantBib(value)
    return {
      name: value === '' ? null : records.participantName(value),
      inParticipants,
      alreadyInSession: session !== null && value !== '' && records.hasBib(session.id, value),
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
    return this.#views.session(this.station.openSession(alias))
  }

  /**
   * Closes the open session; with `openNext`, opens the next one at once (reads never fall between the two), named
   * `alias` when the timer gave a name.
   */
  closeSession(openNext: boolean, sessionId?: number, alias?: string): SessionView | null {
    // Two screens confirming the same close: the second would otherwise close the session the first just opened
    // (splitting the finishers over one more session than anyone meant).
    const open = this.#records.openedSession()
    if (sessionId !== undefined && open?.id !== sessionId) {
      const seen = this.#records.session(sessionId)
      throw new NotPossible({
        code: 'session.already-closed',
        params: { alias: seen?.alias ?? String(sessionId), open: open?.alias ?? null }
      })
    }
    if (openNext) {
      return this.#views.session(this.station.openSession(alias ?? this.station.nextSessionAlias()))
    }
    this.station.closeSession()
    return null
  }

  async sessions(): Promise<SessionView[]> {
    const deviceid = this.#records.device()?.deviceid
    const active = new Map<string, boolean>()
    if (deviceid) {
      try {
        for (const s of await this.station.cloudReads.sessionsOfDevice(deviceid)) {
          active.set(s.token_session, s.active)
        }
      } catch (error) {
        // Offline or no READ: the local list still stands.
        logIgnored('the cloud list of sessions could not be read', error)
      }
    }
    return this.#records
      .sessions()
      .reverse()
      .map(s => this.#views.session(s, s.token ? (active.get(s.token) ?? null) : null))
  }

  async cloudSessionPassings(
    token: string,
    first?: number,
    last?: number,
    page?: number
  ): Promise<CloudPassingView[]> {
    // A screen reads the cloud with the station's key: only the sessions this station uploaded to, never the
    // rest of the company's.
    if (!this.#records.knowsCloudToken(token)) {
      throw new NotPossible({ code: 'session.not-ours', params: {} })
    }
    const list = await this.station.cloudReads.sessionPassings(token, { first, last, page })
    return list.map(cloudPassingView)
  }

  async cloudDevicePassings(
    from?: string,
    to?: string,
    page?: number
  ): Promise<CommandResults['cloud.devicePassings']> {
    const deviceid = this.#requireDevice()
    const list = await this.station.cloudReads.devicePassings(deviceid, { from, to, page })
    return list.map(p => ({ ...cloudPassingView(p), token: p.token_session }))
  }

  localSessionPassings(sessionId: number, afterNum: number, limit: number): PassingView[] {
    return this.#records.passingsOfSession(sessionId, afterNum, limit).map(p => this.#views.passing(p))
  }

  /** Local journal against the cloud's copy: numbers missing there, extra there, or different. */
  async compareSession(sessionId: number): Promise<CommandResults['compare.session']> {
    const session = this.#records.session(sessionId)
    if (!session?.token) throw new NotPossible({ code: 'session.no-cloud-session', params: {} })
    const cloud = (await readWholeSession(this.station.cloudReads, session.token)).passings
    // What was confirmed under this cloud session; a passing uploaded under an earlier one is not expected here.
    const local = this.#records
      .passingsOfSession(sessionId)
      .filter(p => p.state === 'synced' && p.cloudToken === session.token)
      .map(p => ({ num: p.num, bib: p.bib, chip: p.chip, timestamp: outgoingTimestamp(p.timeUs) }))
    return compareWithCloud(local, cloud.map(cloudPassingView), session.cloudOffset)
  }

  exportCsv(sessionId: number): CommandResults['export.csv'] {
    return exportSession(this.#records, this.#views, sessionId)
  }

  /** Finds out what a key may do with harmless calls on ids that cannot exist. */
  checkKey(apiUrl: string, apiKey: string): Promise<KeyPermissions> {
    // A screen's requests like any other: behind uploads and under the station's ceiling (a check pressed again and
    // again must not flood the cloud); one that waits too long is refused as busy.
    return checkKey(apiUrl, apiKey, { run: call => this.station.ceiling.run('screen', call) })
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
    this.#screens.changed()
    return permissions
  }

  async listDevices(): Promise<CommandResults['device.list']> {
    const page = await this.station.cloudReads.listDevices({ limit: 5000 })
    return page.devices.map(d => ({
      deviceid: d.deviceid,
      alias: d.alias,
      model: d.model,
      serialNumber: d.serial_number
    }))
  }

  bindNewDevice(alias?: string): Promise<CommandResults['device.bindNew']> {
    return this.station.bindNewDevice(alias)
  }

  useDevice(deviceid: string): null {
    this.station.useDevice(deviceid)
    return null
  }

  async deviceInfo(): Promise<Record<string, unknown> | null> {
    const deviceid = this.#records.device()?.deviceid
    if (!deviceid) return null
    return { ...(await this.station.cloudReads.deviceInfo(deviceid)) }
  }

  async unbindDevice(confirmAlias: string): Promise<null> {
    const device = this.#records.device()
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
    if (action === 'resume') this.station.resumeSync()
    if (action === 'rebind') this.station.rebindAndReupload()
    if (action === 'continue-new-session') {
      const blocked = this.station.syncStatus().blocked
      if (!blocked?.sessionId) throw new NotPossible({ code: 'sync.no-decision-waiting', params: {} })
      this.station.continueInNewCloudSession(blocked.sessionId)
    }
    return null
  }

  setSettings(changes: Partial<UiSettings>): null {
    this.#settings = { ...this.#settings, ...changes }
    this.#applyUploadGrace()
    this.#o.saveSettings?.(this.#settings)
    this.#screens.changed()
    return null
  }

  #requireDevice(): string {
    const deviceid = this.#records.device()?.deviceid
    if (!deviceid) throw new NotPossible({ code: 'device.not-bound', params: {} })
    return deviceid
  }
}
