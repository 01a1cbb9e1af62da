import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { SyncEvent } from '../../shared/events'
import type { StationMessage } from '../../shared/messages'
import type { CaptureQueue, CommittedBatch, WaitingInput } from '../capture/capture-queue'
import { parseParticipantsFile } from '../csv/participants-file'
import { lockDataFolder } from '../journal/folder-lock'
import {
  Journal,
  type CapturePolicy,
  type CorrectionOutcome,
  type PassingRecord,
  type SessionRecord
} from '../journal/journal'
import { NotPossible } from '../not-possible'
import { makePrivateFolder, restrictFolder } from '../platform/private-folder'
import { typedBibProblem } from '../reader/bib-policy'
import type { DecoderContext } from '../reader/decoder'
import { DEFAULT_DEDUP, validateDedup } from '../reader/dedup'
import { createDecoder, type Protocol, type ProtocolOptions } from '../reader/protocols'
import type { ReaderHealthSnapshot } from '../reader/reader-health'
import type { BindDeviceResult } from '../rufus/cloud'
import type { RequestCeiling } from '../rufus/request-ceiling'
import type { ByteSourceFactory, ReaderConfig, ReaderConnection } from '../serial/reader-connection'
import type { SyncStatus } from '../sync/sync-engine'
import { DEFAULT_UPLOAD_GRACE, type UploadGraceSetting } from '../sync/upload-grace'
import { AnchoredClock } from '../time/anchored-clock'
import type { ClockWatch } from './clock-watch'
import type { CsvCopy } from './csv-copy'
import type { DeviceBinding } from './device-binding'
import {
  deviceEvent,
  passingEvent,
  sessionEvent,
  syncEvent,
  type StationEvents,
  type StationListener
} from './event-projection'
import { JOURNAL_FILE } from './journal-file'
import { manualEntryProblem } from './manual-entry-rules'
import type { ReaderPool } from './reader-pool'
import { sessionAtStart } from './session-at-start'
import { nextSessionAlias } from './session-names'
import type { StationCloud } from './station-cloud'
import { composeParts } from './station-parts'
import type { StationConfig } from './station-config'
import type { CloudReads, StationRecords } from './station-reads'
import { explainStartError } from './start-errors'

export type { StationConfig } from './station-config'
export type { StationListener } from './event-projection'

/**
 * The station core: capture, journal, numbering, sync and clocks, with no Electron. The desktop app, the
 * headless command and the tests all build one of these.
 *
 * The one way in: the journal, the cloud client and the sync engine are its own (callers read the journal through
 * `records` and the cloud through `cloudReads`). Its parts, built and wired in `station-parts.ts`: `ReaderPool`
 * (the serial readers), `ClockWatch` (wall-clock jumps, the cloud offset), `StationEvents` and the projection
 * (`event-projection.ts`: what is reported, as it happens), `CsvCopy` (the spreadsheet copy), `StationCloud`
 * (client, request ceiling and sync engine), `DeviceBinding` (the device, as a person decides it) and
 * `sessionAtStart`.
 */
export class Station {
  readonly clock: AnchoredClock
  readonly dataFolder: string
  readonly #journal: Journal
  readonly #config: StationConfig
  readonly #lock: { release(): void }
  readonly #events: StationEvents
  readonly #clockWatch: ClockWatch
  readonly #readers: ReaderPool
  readonly #csv: CsvCopy
  readonly #cloud: StationCloud
  readonly #device: DeviceBinding
  readonly #capture: CaptureQueue
  #policy: CapturePolicy
  #uploadGrace: UploadGraceSetting
  /** Kept in memory so each chunk of reader input does not ask the journal whether a session is open. */
  #sessionOpen = false
  #closed = false
  #journalClosed = false

  private constructor(
    config: StationConfig,
    listener: StationListener,
    journal: Journal,
    lock: { release(): void }
  ) {
    this.#config = config
    this.#journal = journal
    this.#lock = lock
    this.dataFolder = config.dataFolder
    this.#policy = {
      dedup: validateDedup(config.dedup ?? DEFAULT_DEDUP),
      bibPolicy: config.bibPolicy ?? 'chip'
    }
    this.#uploadGrace = config.uploadGrace ?? DEFAULT_UPLOAD_GRACE
    this.clock = new AnchoredClock(config.clockSources)
    const parts = composeParts({
      config,
      journal,
      listener,
      clock: this.clock,
      stationTag: `rs-${this.installationId.slice(0, 8)}`,
      host: {
        ingest: (id, bytes, atUs) => this.ingest(id, bytes, atUs),
        decoderContext: id => this.decoderContext(id),
        syncSummary: () => this.syncSummary(),
        uploadGrace: () => this.#uploadGrace,
        policy: () => this.#policy,
        journalOpen: () => !this.#journalClosed,
        onCommitted: batch => this.#onCommitted(batch),
        onCommitError: (error, waiting) => this.#onCommitError(error, waiting)
      }
    })
    this.#events = parts.events
    this.#clockWatch = parts.clockWatch
    this.#readers = parts.readers
    this.#csv = parts.csv
    this.#cloud = parts.cloud
    this.#device = parts.device
    this.#capture = parts.capture
  }

  /**
   * Opens the station on its data folder: lock, journal, identity, the open session (resumed or new), crash
   * recovery of undecoded input, then sync. Throws a `StationStartError` with a plain message on failure.
   */
  static open(config: StationConfig, listener: StationListener = () => undefined): Station {
    let lock: { release(): void } | null = null
    let journal: Journal | null = null
    try {
      makePrivateFolder(config.dataFolder)
      lock = lockDataFolder(config.dataFolder)
      journal = new Journal(join(config.dataFolder, JOURNAL_FILE), { maxPageCount: config.maxPageCount })
      restrictFolder(config.dataFolder)
      const station = new Station(config, listener, journal, lock)
      station.#start()
      return station
    } catch (error) {
      journal?.close()
      lock?.release()
      throw explainStartError(error, config.dataFolder)
    }
  }

  #start(): void {
    const config = this.#config
    const defaultSerial = `RS-${this.installationId.replace(/-/g, '').slice(0, 12).toUpperCase()}`
    const identity = {
      serialNumber: config.deviceSerial,
      model: config.deviceModel,
      alias: config.deviceAlias
    }
    const device = this.#device.establish(identity, defaultSerial)
    if (device) this.#events.emit(deviceEvent(device))
    // From here on the device and sessions are reported as the journal writes them (the sync engine included).
    this.#journal.watch(this.#events.journalChanged)

    const undecoded = this.#journal.undecodedChunks()
    const session = sessionAtStart({
      journal: this.#journal,
      sessionAlias: config.sessionAlias,
      newSession: config.newSession,
      nowUs: this.clock.nowUs(),
      emit: this.#events.emit
    })
    this.#sessionOpen = true
    this.#csv.catchUpLater(session)
    this.#events.emit(sessionEvent(session))
    if (undecoded > 0) {
      const message = `decoding ${undecoded} raw chunks stored before an interruption`
      this.#journal.log('recovery', message, this.clock.nowUs())
      this.#events.emit({ type: 'info', code: 'station.recovered', params: { chunks: undecoded } })
      this.#capture.flush()
    }
    this.#clockWatch.start()
    this.#events.syncNow()
    if (config.sync !== false) this.#cloud.sync.start()
  }

  get installationId(): string {
    let id = this.#journal.getMeta('installation_id')
    if (!id) {
      id = randomUUID()
      this.#journal.setMeta('installation_id', id)
    }
    return id
  }

  get bibPolicy(): string {
    return this.#policy.bibPolicy
  }

  /** The journal, to read: sessions, passings, counts, the device, participants. */
  get records(): StationRecords {
    return this.#journal
  }

  /** RUFUS Cloud for screens: behind the request ceiling, after the uploads. */
  get cloudReads(): CloudReads {
    return this.#cloud.screen
  }

  /** Every cloud request of this station, sync's and screens', goes through it. */
  get ceiling(): RequestCeiling {
    return this.#cloud.ceiling
  }

  /** The last clock estimate against the cloud, if any. */
  cloudOffset(): { offsetMs: number; uncertaintyMs: number } | null {
    return this.#clockWatch.estimate()
  }

  // ---- capture ----

  /** A new connection number for a port (each open of a port starts a new byte stream). */
  nextConnection(port: string): number {
    return this.#readers.nextConnection(port)
  }

  /** Bytes from a reader, exactly as received, stamped on arrival. */
  ingest(port: string, bytes: Uint8Array, receivedAtUs: number = this.clock.nowUs()): void {
    const connection = this.#readers.connectionOf(port)
    if (!this.#sessionOpen) this.#openNextSession('reads')
    this.#capture.ingest({ port, connection, bytes, receivedAtUs })
  }

  /** A manual passing, stamped at the keypress (`atUs`), saved before this resolves. Null bib: fill in later. */
  async recordManual(
    bib: string | null,
    atUs: number = this.clock.nowUs(),
    entryKey: string | null = null
  ): Promise<PassingRecord> {
    // A bib refused opens no session: checked before the next one would be opened for it.
    const bibProblem = bib === null ? null : typedBibProblem(bib)
    if (bibProblem) throw new NotPossible(bibProblem)
    const session = this.#journal.openedSession() ?? this.#openNextSession('manual')
    const problem = manualEntryProblem(session, atUs, this.clock.nowUs())
    if (problem) throw new NotPossible(problem)
    return this.#capture.recordManual(session.id, bib, atUs, entryKey)
  }

  /** The protocol context committed for a reader (a pull driver continues from it). */
  decoderContext(readerId: string): DecoderContext {
    this.#capture.flush()
    return this.#journal.decoderContext(readerId)
  }

  /** Decodes a session's raw input from a reader again with another protocol; only new reads become passings. */
  replay(
    readerId: string,
    protocol: Protocol,
    options?: ProtocolOptions,
    sessionId = this.currentSession().id
  ): PassingRecord[] {
    this.#capture.flush()
    const decoder = createDecoder(protocol, this.#readers.protocolOptions(options))
    const outcome = this.#journal.replay(sessionId, readerId, decoder, this.#policy, this.clock.nowUs())
    this.#onCommitted({ ...outcome, chunks: [], committedAtUs: this.clock.nowUs() })
    return [...outcome.passings]
  }

  /** Imports a participants CSV (chip, bib, name), as text or as the file's bytes, and uses it for chips from now on. */
  importParticipants(csv: string | Uint8Array): { imported: number; errors: StationMessage[] } {
    const parsed = parseParticipantsFile(csv)
    const inUse = this.#journal.participantBibs().count
    if (parsed.participants.length === 0 && parsed.errors.length > 0 && inUse > 0) {
      // A file that cannot be read at all (the wrong file, UTF-16, a broken quote) must not wipe the list in use: a
      // restart with the same --participants would otherwise hold every chip without a bib for the rest of the race.
      return {
        imported: 0,
        errors: [...parsed.errors, { code: 'participants.kept', params: { count: inUse } }]
      }
    }
    this.#journal.replaceParticipants(parsed.participants)
    this.#policy = { ...this.#policy, bibPolicy: 'participants' }
    return { imported: parsed.participants.length, errors: parsed.errors }
  }

  /** Reads before / after these times (µs since the epoch, null for none) are kept raw but not made passings. */
  setIgnoreWindow(beforeUs: number | null, afterUs: number | null): void {
    this.#journal.setIgnoreWindow(this.currentSession().id, beforeUs, afterUs)
  }

  // ---- corrections ----

  voidPassing(id: number): CorrectionOutcome {
    const outcome = this.#journal.voidPassing(id, this.clock.nowUs())
    this.#afterCorrection()
    return outcome
  }

  fixBib(id: number, bib: string): CorrectionOutcome {
    const problem = typedBibProblem(bib)
    if (problem) throw new NotPossible(problem)
    const outcome = this.#journal.fixBib(id, bib, this.clock.nowUs())
    this.#afterCorrection()
    return outcome
  }

  /** Takes back the latest void or bib fix of a passing (the undo offered for a few seconds after each). */
  undoCorrection(id: number): CorrectionOutcome {
    const outcome = this.#journal.undoCorrection(id, this.clock.nowUs())
    this.#afterCorrection()
    return outcome
  }

  #afterCorrection(): void {
    const session = this.currentSession()
    this.#csv.rewrite(session, this.#journal.passingsOfSession(session.id))
    this.#events.syncChanged()
    this.#cloud.sync.wake()
  }

  // ---- sessions ----

  currentSession(): SessionRecord {
    const session = this.#journal.openedSession()
    if (!session) throw new NotPossible({ code: 'station.no-session', params: {} })
    return session
  }

  /** Opens a new local session (closing the current one); its cloud session follows when the network allows. */
  openSession(alias: string): SessionRecord {
    this.#capture.flush()
    this.clock.reanchor()
    const session = this.#journal.openSession(alias, this.clock.nowUs())
    this.#sessionOpen = true
    this.#csv.rewrite(session, [])
    this.#events.emit(sessionEvent(session))
    this.#cloud.sync.wake()
    return session
  }

  closeSession(): void {
    this.#capture.flush()
    const session = this.#journal.openedSession()
    if (!session) return
    this.#journal.closeSession(session.id, this.clock.nowUs())
    this.#sessionOpen = false
    this.#events.emit(sessionEvent(this.#journal.session(session.id) as SessionRecord))
    this.#cloud.sync.wake()
  }

  /** The name the next session gets when opened without one (named from the last). */
  nextSessionAlias(): string {
    const last = this.#journal.lastSession()
    return nextSessionAlias(last?.alias ?? this.#config.sessionAlias ?? 'FINISH')
  }

  /**
   * Input arrived with no session open: capture never depends on one, so the next session opens by itself,
   * named after the last ("FINISH" → "FINISH 2"), and the screens are told which.
   */
  #openNextSession(cause: 'reads' | 'manual'): SessionRecord {
    const session = this.openSession(this.nextSessionAlias())
    this.#events.emit({
      type: 'info',
      code: 'station.session-opened',
      params: { cause, alias: session.alias }
    })
    return session
  }

  // ---- the device ----

  /** Binds this station as a device in RUFUS Cloud, optionally with an alias (the setup screen). */
  bindNewDevice(alias?: string): Promise<BindDeviceResult> {
    return this.#device.bindNew(alias)
  }

  /** Uses a device already in RUFUS Cloud; refused once passings went up under another one. */
  useDevice(deviceid: string): void {
    this.#device.use(deviceid)
  }

  /** Unbinds the device in the cloud. Refused while any passing is not yet synced. */
  unbindDevice(): Promise<void> {
    return this.#device.unbind()
  }

  // ---- readers ----

  /** Starts reading a serial reader; several readers can feed the same session. */
  addReader(config: ReaderConfig, openSource?: ByteSourceFactory): ReaderConnection {
    return this.#readers.add(config, openSource)
  }

  removeReader(id: string): Promise<void> {
    return this.#readers.remove(id)
  }

  readerHealth(): ReaderHealthSnapshot[] {
    return this.#readers.health()
  }

  // ---- sync ----

  /** Where sync stands, for the whole data folder: counts, connection, last error, what blocks it. */
  syncSummary(): SyncEvent {
    return syncEvent(this.#journal.counts(), this.#cloud.sync.status())
  }

  syncStatus(): SyncStatus {
    return this.#cloud.sync.status()
  }

  /** The size of the next upload (it shrinks when the cloud refuses a batch as too large). */
  get uploadBatchSize(): number {
    return this.#cloud.sync.batchSize
  }

  /** Starts uploading (a station opened with `sync: false`, or after `stopSync`). */
  startSync(): void {
    this.#cloud.sync.start()
  }

  /** Stops uploading after the request in flight. */
  stopSync(): Promise<void> {
    return this.#cloud.sync.stop()
  }

  /** Sync looks again now rather than at its next pause. */
  wakeSync(): void {
    this.#cloud.sync.wake()
  }

  /** After a person fixed what blocked sync (a key): try again. */
  resumeSync(): void {
    this.#cloud.sync.resume()
  }

  /** The cloud session was closed elsewhere: this local session continues in a new one, numbers kept. */
  continueInNewCloudSession(sessionId: number): void {
    this.#cloud.sync.continueInNewCloudSession(sessionId)
  }

  /** The device was unbound in the cloud (which deleted its data): bind again and upload everything again. */
  rebindAndReupload(): void {
    this.#cloud.sync.rebindAndReupload()
  }

  get uploadGrace(): UploadGraceSetting {
    return this.#uploadGrace
  }

  /** Changes the upload grace period; passings already waiting follow the new one. */
  setUploadGrace(grace: UploadGraceSetting): void {
    this.#uploadGrace = grace
    this.#cloud.sync.wake()
  }

  /** Switches to another API address or key (the wizard, a new key); sync restarts with it. */
  async setCloud(apiUrl: string, apiKey: string): Promise<void> {
    await this.#cloud.replace(apiUrl, apiKey)
    this.#events.syncNow()
  }

  // ---- shutdown ----

  /** Flushes captures, stops sync after its request in flight, closes the journal and releases the folder. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#events.beginClose()
    await this.#readers.close()
    this.#capture.close()
    this.#clockWatch.stop()
    this.#csv.close()
    await this.#cloud.sync.stop()
    this.#events.close()
    this.#journalClosed = true
    this.#journal.close()
    this.#lock.release()
  }

  // ---- after each commit ----

  #onCommitted(batch: CommittedBatch): void {
    const bySession = new Map<number, PassingRecord[]>()
    for (const passing of batch.passings) {
      const list = bySession.get(passing.sessionId)
      if (list) list.push(passing)
      else bySession.set(passing.sessionId, [passing])
      this.#events.emit(passingEvent(passing))
    }
    for (const [sessionId, passings] of bySession) {
      const session = this.#journal.session(sessionId)
      if (session) this.#csv.append(session, passings)
    }
    this.#readers.committed(batch)
    if (batch.readsWithoutSession > 0) {
      this.#events.emit({
        type: 'warning',
        code: 'station.reads-without-session',
        params: { count: batch.readsWithoutSession }
      })
    }
    if (batch.passings.length > 0) {
      this.#events.syncChanged()
      this.#cloud.sync.wake()
    }
  }

  #onCommitError(error: unknown, waiting: WaitingInput): void {
    const explained = explainStartError(error, this.dataFolder)
    this.#events.emit({
      type: 'error',
      code: 'capture.waiting',
      params: { cause: explained.reason, pieces: waiting.pieces, droppedBytes: waiting.droppedBytes }
    })
  }
}
