import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { StationEvent, SyncEvent } from '../../shared/events'
import { inEnglish, type StationMessage } from '../../shared/messages'
import { CaptureQueue, type CommittedBatch, type WaitingInput } from '../capture/capture-queue'
import { CsvMirror } from '../journal/csv-mirror'
import { lockDataFolder } from '../journal/folder-lock'
import {
  Journal,
  type CapturePolicy,
  type CorrectionOutcome,
  type PassingRecord,
  type SessionRecord
} from '../journal/journal'
import { typedBibProblem, type BibPolicy } from '../reader/bib-policy'
import { DEFAULT_DEDUP, validateDedup, type DedupSettings } from '../reader/dedup'
import type { Decoder, DecoderContext } from '../reader/decoder'
import { createLineDecoder, type LineField } from '../reader/line-decoder'
import { parseParticipantsFile } from '../csv/participants-file'
import { createDecoder, type Protocol, type ProtocolOptions } from '../reader/protocols'
import { BadFrameSampler, type BadFrameReport } from '../reader/bad-frame-sampler'
import type { ReaderHealthSnapshot, ReaderState } from '../reader/reader-health'
import { ReaderConnection, type ByteSourceFactory, type ReaderConfig } from '../serial/reader-connection'
import { RufusClient } from '../rufus/client'
import { CeilingCloud, screenCloud, type ScreenCloud } from '../rufus/limited-cloud'
import { RequestCeiling, type CeilingOptions } from '../rufus/request-ceiling'
import type { BackoffOptions } from '../sync/backoff'
import { outgoingTimestamp } from '../sync/reconcile'
import { DEFAULT_UPLOAD_GRACE, type UploadGraceSetting } from '../sync/upload-grace'
import type { ClosedElsewherePolicy, UnboundPolicy } from '../sync/blocks'
import { SyncEngine } from '../sync/sync-engine'
import { realTimer } from '../sync/sync-time'
import { AnchoredClock, type ClockSources } from '../time/anchored-clock'
import { CloudOffsetEstimator } from '../time/cloud-offset'
import { nextSessionAlias } from './session-names'
import { explainStartError } from './start-errors'
import { JOURNAL_FILE } from './journal-file'
import { manualEntryProblem } from './manual-entry-rules'
import { NotPossible } from '../not-possible'
import { makePrivateFolder, restrictFolder } from '../platform/private-folder'
import { logIgnored } from '../platform/log-ignored'

export interface StationConfig {
  readonly dataFolder: string
  readonly apiUrl: string
  readonly apiKey: string
  readonly deviceSerial?: string
  readonly deviceModel?: string
  readonly deviceAlias?: string
  readonly sessionAlias?: string
  /**
   * Headless `--new-session`: at start, close the open session (its passings still upload) and open one with this
   * alias; a later start with the same alias opens nothing.
   */
  readonly newSession?: string
  /** The request ceiling for the whole station (default 10 a second; sync first, screens refused after 3 s). */
  readonly requestCeiling?: Omit<CeilingOptions, 'timer'>
  /** What a line of the line protocol carries. */
  readonly lineField?: LineField
  readonly decoderFor?: (port: string) => Decoder
  readonly batchSize?: number
  readonly backoff?: BackoffOptions
  readonly idlePollMs?: number
  readonly requestTimeoutMs?: number
  readonly commitIntervalMs?: number
  readonly onClosedElsewhere?: ClosedElsewherePolicy
  readonly onUnbound?: UnboundPolicy
  readonly adoptActiveSession?: boolean
  readonly clockSources?: ClockSources
  /** A large laptop-versus-cloud offset, in ms, that earns a warning. */
  readonly clockWarningMs?: number
  /** Duplicate suppression per chip (default: first read, 2 s window). */
  readonly dedup?: DedupSettings
  /** How chips become bibs (default: the chip code is the bib). */
  readonly bibPolicy?: BibPolicy
  /** Reader input kept in memory while the disk refuses it (default 64 MiB). */
  readonly maxWaitingBytes?: number
  /** Test hook: cap the journal's size (pages) to reproduce a full disk. */
  readonly maxPageCount?: number
  /** Delay before the CSV copy catches up after a start (default 1 s; tests shorten it). */
  readonly mirrorCatchUpDelayMs?: number
  /** Start the sync engine (tests of capture alone turn it off). */
  readonly sync?: boolean
  /** The upload grace period (default `DEFAULT_UPLOAD_GRACE`); changed later with `setUploadGrace`. */
  readonly uploadGrace?: UploadGraceSetting
}

export type StationListener = (event: StationEvent) => void

const SYNC_EVENT_INTERVAL_MS = 100
/** How long after a start the CSV copy begins to catch up: capture comes first. */
const MIRROR_CATCH_UP_DELAY_MS = 1000
/** How soon a CSV copy that could not be written tries again (the journal has every passing meanwhile). */
const MIRROR_RETRY_MS = 1000

/**
 * The station core: capture, journal, numbering, sync and clocks, with no Electron. The desktop app, the
 * headless command and the tests all build one of these.
 */
export class Station {
  readonly journal: Journal
  readonly clock: AnchoredClock
  /** RUFUS Cloud for screens and a person's actions: behind the request ceiling, after the uploads. */
  client: ScreenCloud
  sync: SyncEngine
  /** Every cloud request of this station, sync's and screens', goes through it. */
  readonly ceiling: RequestCeiling
  readonly dataFolder: string
  readonly #capture: CaptureQueue
  readonly #mirror: CsvMirror
  readonly #lock: { release(): void }
  readonly #listener: StationListener
  readonly #offset = new CloudOffsetEstimator()
  readonly #config: StationConfig
  #policy: CapturePolicy
  readonly #decoders = new Map<string, Decoder>()
  readonly #connections = new Map<string, number>()
  readonly #readers = new Map<string, ReaderConnection>()
  #lastSyncJson = ''
  #lastStateJson = ''
  #syncTimer: NodeJS.Timeout | null = null
  #clockTimer: NodeJS.Timeout | null = null
  #mirrorTimer: NodeJS.Timeout | null = null
  /** The CSV copy could not be written; said once until it catches up again. */
  #mirrorFailing = false
  readonly #badFrames = new BadFrameSampler()
  #badFrameTimer: NodeJS.Timeout | null = null
  #lastOffsetReported: number | null = null
  #closed = false
  #journalClosed = false
  #uploadGrace: UploadGraceSetting
  /** Kept in memory so each chunk of reader input does not ask the journal whether a session is open. */
  #sessionOpen = false

  private constructor(
    config: StationConfig,
    listener: StationListener,
    journal: Journal,
    lock: { release(): void }
  ) {
    this.#config = config
    this.#policy = {
      dedup: validateDedup(config.dedup ?? DEFAULT_DEDUP),
      bibPolicy: config.bibPolicy ?? 'chip'
    }
    this.#listener = listener
    this.#uploadGrace = config.uploadGrace ?? DEFAULT_UPLOAD_GRACE
    this.journal = journal
    this.#lock = lock
    this.dataFolder = config.dataFolder
    this.clock = new AnchoredClock(config.clockSources)
    this.#mirror = new CsvMirror(config.dataFolder)
    this.ceiling = new RequestCeiling({ ...config.requestCeiling, timer: realTimer })
    const client = this.#makeClient(config.apiUrl, config.apiKey)
    this.client = screenCloud(client, this.ceiling)
    this.sync = this.#makeSync(client)
    this.#capture = new CaptureQueue({
      journal,
      decoderFor: port => this.#decoderFor(port),
      policy: () => this.#policy,
      nowUs: () => this.clock.nowUs(),
      commitIntervalMs: config.commitIntervalMs,
      maxWaitingBytes: config.maxWaitingBytes,
      onCommitted: batch => this.#onCommitted(batch),
      onCommitError: (error, waiting) => this.#onCommitError(error, waiting)
    })
  }

  #makeClient(apiUrl: string, apiKey: string): RufusClient {
    return new RufusClient({
      baseUrl: apiUrl,
      apiKey,
      timeoutMs: this.#config.requestTimeoutMs ?? 15_000,
      onServerDate: sample => this.#onServerDate(sample)
    })
  }

  #makeSync(client: RufusClient): SyncEngine {
    const config = this.#config
    return new SyncEngine({
      journal: this.journal,
      client: new CeilingCloud(client, this.ceiling),
      stationTag: `rs-${this.installationId.slice(0, 8)}`,
      batchSize: config.batchSize,
      backoff: config.backoff,
      idlePollMs: config.idlePollMs,
      onClosedElsewhere: config.onClosedElsewhere,
      onUnbound: config.onUnbound,
      adoptActiveSession: config.adoptActiveSession,
      uploadGrace: () => this.#uploadGrace,
      // Journal stamps and the status on the wall clock; grace periods on the capture clock, as passings are.
      clock: { nowMs: () => Date.now(), nowUs: () => this.clock.nowUs() },
      timer: realTimer,
      onChange: () => this.#scheduleSyncEvent(),
      onNotice: (level, message) => this.#emit({ type: level, ...message })
    })
  }

  /** Switches to another API address or key (the wizard, a new key); sync restarts with it. */
  async setCloud(apiUrl: string, apiKey: string): Promise<void> {
    await this.sync.stop()
    const client = this.#makeClient(apiUrl, apiKey)
    this.client = screenCloud(client, this.ceiling)
    this.sync = this.#makeSync(client)
    this.sync.start()
    this.#emitSyncNow()
  }

  /** The last clock estimate against the cloud, if any. */
  cloudOffset(): { offsetMs: number; uncertaintyMs: number } | null {
    return this.#offset.estimate()
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

  get bibPolicy(): string {
    return this.#policy.bibPolicy
  }

  get installationId(): string {
    let id = this.journal.getMeta('installation_id')
    if (!id) {
      id = randomUUID()
      this.journal.setMeta('installation_id', id)
    }
    return id
  }

  #start(): void {
    const defaultSerial = `RS-${this.installationId.replace(/-/g, '').slice(0, 12).toUpperCase()}`
    const current = this.journal.device()
    const serialNumber = this.#config.deviceSerial ?? current?.serialNumber ?? defaultSerial
    const model = this.#config.deviceModel ?? current?.model ?? 'RUFUS Station'
    const alias = this.#config.deviceAlias ?? current?.alias ?? null
    this.journal.setDeviceIdentity({ serialNumber, model, alias })
    if (current && current.serialNumber !== serialNumber && current.deviceid) {
      // A different serial number is a different cloud device.
      this.journal.setDeviceBinding(null, null)
    }
    const device = this.journal.device()
    if (device) this.#emit({ type: 'device', serialNumber: device.serialNumber, deviceid: device.deviceid })

    const undecoded = this.journal.undecodedChunks()
    let session =
      this.#config.newSession === undefined
        ? this.journal.openedSession()
        : this.#openRequestedSession(this.#config.newSession)
    if (!session) {
      session = this.journal.openSession(this.#config.sessionAlias ?? 'FINISH', this.clock.nowUs())
    }
    this.#sessionOpen = true
    this.#scheduleMirrorCatchUp(session)
    this.#emitSession(session)
    if (undecoded > 0) {
      this.journal.log(
        'recovery',
        `decoding ${undecoded} raw chunks stored before an interruption`,
        this.clock.nowUs()
      )
      this.#emit({ type: 'info', code: 'station.recovered', params: { chunks: undecoded } })
      this.#capture.flush()
    }
    this.#clockTimer = setInterval(() => this.#checkClock(), 1000)
    this.#clockTimer.unref()
    this.#emitSyncNow()
    if (this.#config.sync !== false) this.sync.start()
  }

  /**
   * `--new-session`: a box without a screen starts its next wave from the command line. The session it closes keeps
   * its passings and uploads them (sessions go up in order); a restart with the same alias keeps the open session.
   */
  #openRequestedSession(alias: string): SessionRecord | null {
    const earlier = this.journal.sessions().find(s => s.alias === alias) ?? null
    const opened = this.journal.openRequestedSession(alias, this.clock.nowUs())
    if (!opened) {
      const open = this.journal.openedSession()
      if (open)
        this.#emit({ type: 'info', code: 'station.new-session-kept', params: { alias, open: open.alias } })
      return open
    }
    const { closed } = opened
    if (closed) this.#emitSession(closed)
    const waiting = closed ? this.journal.counts(closed.id).pending + this.journal.counts(closed.id).held : 0
    this.#emit({
      type: 'info',
      code: 'station.new-session',
      params: { alias, closed: closed?.alias ?? null, waiting }
    })
    if (earlier) {
      this.#emit({
        type: 'warning',
        code: 'station.session-alias-reused',
        params: { alias, earlier: earlier.id }
      })
    }
    return opened.session
  }

  /**
   * A CSV row that cannot be written (the file held by a spreadsheet, a full disk) is not a failed commit: the
   * passings are in the journal. The copy stops taking rows and catches up from its own last row later, so it
   * gets no hole, and nothing after this append (sync, reader health) is skipped.
   */
  #appendToMirror(session: SessionRecord, passings: readonly PassingRecord[]): void {
    try {
      this.#mirror.append(session, passings)
    } catch (error) {
      this.#mirrorFailed(session, error)
    }
  }

  #mirrorFailed(session: SessionRecord, error: unknown): void {
    if (!this.#mirrorFailing) {
      this.#mirrorFailing = true
      this.#emit({
        type: 'warning',
        code: 'station.csv-copy-failed',
        params: { session: session.id, detail: error instanceof Error ? error.message : String(error) }
      })
    }
    if (!this.#closed && !this.#mirrorTimer) this.#scheduleMirrorCatchUp(session, MIRROR_RETRY_MS)
  }

  /**
   * The CSV copy catches up from its own last row once capture has started: its cost grows with what is
   * missing (rows committed just before a crash, or all of them for a new file), never before the first read.
   */
  #scheduleMirrorCatchUp(
    session: SessionRecord,
    delayMs = this.#config.mirrorCatchUpDelayMs ?? MIRROR_CATCH_UP_DELAY_MS
  ): void {
    this.#mirror.holdAppends(session.id)
    this.#mirrorTimer = setTimeout(() => {
      this.#mirrorTimer = null
      this.#mirror
        .catchUp(session, (id, afterNum, limit) =>
          this.#journalClosed ? [] : this.journal.passingsOfSession(id, afterNum, limit)
        )
        .then(() => {
          this.#mirrorFailing = false
        })
        .catch((error: unknown) => this.#mirrorFailed(session, error))
    }, delayMs)
    this.#mirrorTimer.unref()
  }

  // ---- capture ----

  /** A new connection number for a port (each open of a port starts a new byte stream). */
  nextConnection(port: string): number {
    const next = Number(this.journal.getMeta('connection_seq') ?? 0) + 1
    this.journal.setMeta('connection_seq', String(next))
    this.#connections.set(port, next)
    return next
  }

  /** Bytes from a reader, exactly as received, stamped on arrival. */
  ingest(port: string, bytes: Uint8Array, receivedAtUs: number = this.clock.nowUs()): void {
    const connection = this.#connections.get(port) ?? this.nextConnection(port)
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
    const session = this.journal.openedSession() ?? this.#openNextSession('manual')
    const problem = manualEntryProblem(session, atUs, this.clock.nowUs())
    if (problem) throw new NotPossible(problem)
    return this.#capture.recordManual(session.id, bib, atUs, entryKey)
  }

  /** Takes back the latest void or bib fix of a passing (the undo offered for a few seconds after each). */
  undoCorrection(id: number): CorrectionOutcome {
    const outcome = this.journal.undoCorrection(id, this.clock.nowUs())
    this.#afterCorrection()
    return outcome
  }

  get uploadGrace(): UploadGraceSetting {
    return this.#uploadGrace
  }

  /** Changes the upload grace period; passings already waiting follow the new one. */
  setUploadGrace(grace: UploadGraceSetting): void {
    this.#uploadGrace = grace
    this.sync.wake()
  }

  /** The name the next session gets when opened without one (named from the last). */
  nextSessionAlias(): string {
    const last = this.journal.lastSession()
    return nextSessionAlias(last?.alias ?? this.#config.sessionAlias ?? 'FINISH')
  }

  /**
   * Input arrived with no session open: capture never depends on one, so the next session opens by itself,
   * named after the last ("FINISH" → "FINISH 2"), and the screens are told which.
   */
  #openNextSession(cause: 'reads' | 'manual'): SessionRecord {
    const session = this.openSession(this.nextSessionAlias())
    this.#emit({ type: 'info', code: 'station.session-opened', params: { cause, alias: session.alias } })
    return session
  }

  voidPassing(id: number): CorrectionOutcome {
    const outcome = this.journal.voidPassing(id, this.clock.nowUs())
    this.#afterCorrection()
    return outcome
  }

  fixBib(id: number, bib: string): CorrectionOutcome {
    const problem = typedBibProblem(bib)
    if (problem) throw new NotPossible(problem)
    const outcome = this.journal.fixBib(id, bib, this.clock.nowUs())
    this.#afterCorrection()
    return outcome
  }

  #afterCorrection(): void {
    const session = this.currentSession()
    this.#mirror.rewrite(session, this.journal.passingsOfSession(session.id))
    this.#scheduleSyncEvent()
    this.sync.wake()
  }

  // ---- sessions and device ----

  currentSession(): SessionRecord {
    const session = this.journal.openedSession()
    if (!session) throw new NotPossible({ code: 'station.no-session', params: {} })
    return session
  }

  /** Opens a new local session (closing the current one); its cloud session follows when the network allows. */
  openSession(alias: string): SessionRecord {
    this.#capture.flush()
    this.clock.reanchor()
    const session = this.journal.openSession(alias, this.clock.nowUs())
    this.#sessionOpen = true
    this.#mirror.rewrite(session, [])
    this.#emitSession(session)
    this.sync.wake()
    return session
  }

  closeSession(): void {
    this.#capture.flush()
    const session = this.journal.openedSession()
    if (!session) return
    this.journal.closeSession(session.id, this.clock.nowUs())
    this.#sessionOpen = false
    this.#emitSession(this.journal.session(session.id) as SessionRecord)
    this.sync.wake()
  }

  /** Unbinds the device in the cloud. Refused while any passing is not yet synced. */
  async unbindDevice(): Promise<void> {
    const counts = this.journal.counts()
    if (counts.held > 0) {
      throw new NotPossible({ code: 'unbind.times-without-bib', params: { count: counts.held } })
    }
    const unsynced = counts.pending + counts.quarantined + counts.conflict
    if (unsynced > 0) {
      throw new NotPossible({ code: 'unbind.not-in-cloud', params: { count: unsynced } })
    }
    const device = this.journal.device()
    if (!device?.deviceid) return
    await this.client.unbindDevice(device.deviceid)
    this.journal.setDeviceBinding(null, null)
    this.#emit({ type: 'device', serialNumber: device.serialNumber, deviceid: null })
  }

  // ---- readers ----

  /** Starts reading a serial reader; several readers can feed the same session. */
  addReader(config: ReaderConfig, openSource?: ByteSourceFactory): ReaderConnection {
    if (this.#readers.has(config.id)) {
      throw new NotPossible({ code: 'reader.already-running', params: { id: config.id } })
    }
    this.#decoders.set(
      config.id,
      createDecoder(config.protocol, this.#protocolOptions(config.protocolOptions))
    )
    const connection = new ReaderConnection(
      config,
      {
        nextConnection: id => this.nextConnection(id),
        ingest: (id, bytes, atUs) => this.ingest(id, bytes, atUs),
        decoderContext: id => this.decoderContext(id),
        readerState: (id, state, message) => this.#readerState(id, state, message)
      },
      { nowUs: () => this.clock.nowUs(), ...(openSource ? { openSource } : {}) }
    )
    this.#readers.set(config.id, connection)
    connection.start()
    return connection
  }

  async removeReader(id: string): Promise<void> {
    const connection = this.#readers.get(id)
    this.#readers.delete(id)
    await connection?.stop()
  }

  readerHealth(): ReaderHealthSnapshot[] {
    return [...this.#readers.values()].map(r => {
      const snapshot = r.health.snapshot()
      const bad = this.journal.badFrameCount(snapshot.id)
      return { ...snapshot, decodeErrors: bad.count, lastDecodeError: bad.lastReason }
    })
  }

  /** The protocol context committed for a reader (a pull driver continues from it). */
  decoderContext(readerId: string): DecoderContext {
    this.#capture.flush()
    return this.journal.decoderContext(readerId)
  }

  /** Decodes a session's raw input from a reader again with another protocol; only new reads become passings. */
  replay(
    readerId: string,
    protocol: Protocol,
    options?: ProtocolOptions,
    sessionId = this.currentSession().id
  ): PassingRecord[] {
    this.#capture.flush()
    const outcome = this.journal.replay(
      sessionId,
      readerId,
      createDecoder(protocol, this.#protocolOptions(options)),
      this.#policy,
      this.clock.nowUs()
    )
    this.#onCommitted({ ...outcome, chunks: [], committedAtUs: this.clock.nowUs() })
    return [...outcome.passings]
  }

  /** Imports a participants CSV (chip, bib, name), as text or as the file's bytes, and uses it for chips from now on. */
  importParticipants(csv: string | Uint8Array): { imported: number; errors: StationMessage[] } {
    const parsed = parseParticipantsFile(csv)
    const inUse = this.journal.participantBibs().count
    if (parsed.participants.length === 0 && parsed.errors.length > 0 && inUse > 0) {
      // A file that cannot be read at all (the wrong file, UTF-16, a broken quote) must not wipe the list in use: a
      // restart with the same --participants would otherwise hold every chip without a bib for the rest of the race.
      return {
        imported: 0,
        errors: [...parsed.errors, { code: 'participants.kept', params: { count: inUse } }]
      }
    }
    this.journal.replaceParticipants(parsed.participants)
    this.#policy = { ...this.#policy, bibPolicy: 'participants' }
    return { imported: parsed.participants.length, errors: parsed.errors }
  }

  /** Reads before / after these times (µs since the epoch, null for none) are kept raw but not made passings. */
  setIgnoreWindow(beforeUs: number | null, afterUs: number | null): void {
    this.journal.setIgnoreWindow(this.currentSession().id, beforeUs, afterUs)
  }

  #protocolOptions(options: ProtocolOptions = {}): ProtocolOptions {
    // Reader clocks keep local time of day; the laptop's zone turns it into UTC.
    const utcOffsetMinutes = -new Date().getTimezoneOffset()
    return {
      ...options,
      line: { field: this.#config.lineField ?? 'bib', utcOffsetMinutes, ...options.line },
      timy: { utcOffsetMinutes, ...options.timy }
    }
  }

  #readerState(id: string, state: ReaderState, message: StationMessage | null): void {
    this.#emit({ type: 'reader', port: id, state, ...(message ?? { code: null, params: null }) })
  }

  // ---- shutdown ----

  /** Flushes captures, stops sync after its request in flight, closes the journal and releases the folder. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([...this.#readers.keys()].map(id => this.removeReader(id)))
    this.#capture.close()
    if (this.#clockTimer) clearInterval(this.#clockTimer)
    if (this.#badFrameTimer) clearTimeout(this.#badFrameTimer)
    if (this.#mirrorTimer) clearTimeout(this.#mirrorTimer)
    await this.sync.stop()
    if (this.#syncTimer) clearTimeout(this.#syncTimer)
    this.#emitSyncNow()
    this.#journalClosed = true
    this.journal.close()
    this.#lock.release()
  }

  // ---- internals ----

  #decoderFor(port: string): Decoder {
    let decoder = this.#decoders.get(port)
    if (!decoder) {
      decoder =
        this.#config.decoderFor?.(port) ?? createLineDecoder({ field: this.#config.lineField ?? 'bib' })
      this.#decoders.set(port, decoder)
    }
    return decoder
  }

  #onCommitted(batch: CommittedBatch): void {
    const bySession = new Map<number, PassingRecord[]>()
    for (const passing of batch.passings) {
      const list = bySession.get(passing.sessionId)
      if (list) list.push(passing)
      else bySession.set(passing.sessionId, [passing])
      this.#emit({
        type: 'passing',
        id: passing.id,
        session: passing.sessionId,
        num_passing: passing.num,
        bib: passing.bib,
        chip: passing.chip,
        timestamp: outgoingTimestamp(passing.timeUs),
        source: passing.source,
        port: passing.port,
        state: passing.state
      })
    }
    for (const [sessionId, passings] of bySession) {
      const session = this.journal.session(sessionId)
      if (session) this.#appendToMirror(session, passings)
    }
    this.#reportBadFrames(batch.badFrames)
    for (const { port, read } of batch.reads) this.#readers.get(port)?.health.reads(1, read.clockOffsetMs)
    for (const status of batch.statuses) this.#readers.get(status.port)?.health.status(status)
    this.#warnReaderClocks(batch)
    if (batch.readsWithoutSession > 0) {
      this.#emit({
        type: 'warning',
        code: 'station.reads-without-session',
        params: { count: batch.readsWithoutSession }
      })
    }
    if (batch.passings.length > 0) {
      this.#scheduleSyncEvent()
      this.sync.wake()
    }
  }

  /** Every bad frame is counted; a few a second per port are reported, and the flood's totals when it ends. */
  #reportBadFrames(badFrames: CommittedBatch['badFrames']): void {
    const nowMs = this.clock.nowUs() / 1000
    for (const bad of badFrames) {
      const report = this.#badFrames.offer(bad.port, bad.reason, nowMs)
      if (report) this.#emitBadFrame(report)
    }
    if (this.#badFrames.hasUnreported && !this.#badFrameTimer && !this.#closed) {
      this.#badFrameTimer = setTimeout(() => {
        this.#badFrameTimer = null
        for (const report of this.#badFrames.due(this.clock.nowUs() / 1000)) this.#emitBadFrame(report)
        if (this.#badFrames.hasUnreported) this.#reportBadFrames([])
      }, 250)
      this.#badFrameTimer.unref()
    }
  }

  #emitBadFrame(report: BadFrameReport): void {
    this.#emit({ type: 'bad-frame', ...report })
  }

  readonly #clockWarned = new Set<string>()

  /** A reader clock far from the laptop's is shown, and warned about once per reader. */
  #warnReaderClocks(batch: CommittedBatch): void {
    for (const { port, read } of batch.reads) {
      if (
        read.clockOffsetMs === undefined ||
        Math.abs(read.clockOffsetMs) < 1000 ||
        this.#clockWarned.has(port)
      ) {
        continue
      }
      this.#clockWarned.add(port)
      this.#emit({
        type: 'warning',
        code: 'clock.reader-off',
        params: { port, offsetMs: read.clockOffsetMs }
      })
    }
  }

  #onCommitError(error: unknown, waiting: WaitingInput): void {
    const explained = explainStartError(error, this.dataFolder)
    this.#emit({
      type: 'error',
      code: 'capture.waiting',
      params: { cause: explained.reason, pieces: waiting.pieces, droppedBytes: waiting.droppedBytes }
    })
  }

  #onServerDate(sample: { serverMs: number; sentAtMs: number; receivedAtMs: number }): void {
    const estimate = this.#offset.add(sample)
    const changed =
      this.#lastOffsetReported === null || Math.abs(estimate.offsetMs - this.#lastOffsetReported) >= 250
    if (!changed) return
    this.#lastOffsetReported = estimate.offsetMs
    this.#emit({
      type: 'clock',
      offsetMs: estimate.offsetMs,
      uncertaintyMs: estimate.uncertaintyMs,
      jumpMs: null
    })
    const limit = this.#config.clockWarningMs ?? 2000
    if (Math.abs(estimate.offsetMs) > limit && estimate.uncertaintyMs < Math.abs(estimate.offsetMs)) {
      this.#emit({
        type: 'warning',
        code: 'clock.laptop-off',
        params: {
          seconds: Math.round(Math.abs(estimate.offsetMs) / 1000),
          // The offset is cloud time minus laptop time: positive when the laptop is behind.
          laptop: estimate.offsetMs > 0 ? 'behind' : 'ahead'
        }
      })
    }
  }

  #checkClock(): void {
    const jump = this.clock.checkJump()
    if (!jump) return
    const message: StationMessage = { code: 'clock.wall-jump', params: { jumpMs: jump.jumpMs } }
    // The journal's log is the technician's, kept in English.
    this.journal.log('clock', inEnglish(message), jump.atUs)
    this.#emit({
      type: 'clock',
      offsetMs: this.#offset.estimate()?.offsetMs ?? null,
      uncertaintyMs: this.#offset.estimate()?.uncertaintyMs ?? null,
      jumpMs: jump.jumpMs
    })
    this.#emit({ type: 'warning', ...message })
  }

  #emitSession(session: SessionRecord): void {
    this.#emit({
      type: 'session',
      id: session.id,
      alias: session.alias,
      token: session.token,
      cloudState: session.cloudState,
      closed: session.closedAtUs !== null
    })
  }

  #scheduleSyncEvent(): void {
    if (this.#syncTimer || this.#closed) return
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null
      this.#emitSyncNow()
    }, SYNC_EVENT_INTERVAL_MS)
  }

  #emitSyncNow(): void {
    if (this.#journalClosed) return
    this.#emitStateChanges()
    const event = this.syncSummary()
    const { lastSyncAt: _ignored, ...comparable } = event
    const json = JSON.stringify(comparable)
    if (json === this.#lastSyncJson) return
    this.#lastSyncJson = json
    this.#emit(event)
  }

  /** Where sync stands, for the whole data folder: counts, connection, last error, what blocks it. */
  syncSummary(): SyncEvent {
    const counts = this.journal.counts()
    const status = this.sync.status()
    return {
      type: 'sync',
      pending: counts.pending,
      held: counts.held,
      synced: counts.synced,
      quarantined: counts.quarantined,
      conflict: counts.conflict,
      inFlight: status.inFlight,
      online: status.online,
      lastError: status.lastError === null ? null : inEnglish(status.lastError),
      lastSyncAt: status.lastSyncAtMs === null ? null : new Date(status.lastSyncAtMs).toISOString(),
      blocked: status.blocked
        ? {
            kind: status.blocked.kind,
            message: inEnglish(status.blocked.message),
            action: inEnglish(status.blocked.action)
          }
        : null,
      canRead: status.canRead,
      // Only when something waits: a line that scripts (and the golden run) read is otherwise as before.
      ...(status.waiting === null ? {} : { waiting: inEnglish(status.waiting) })
    }
  }

  /** Device binding and session attachment change inside the sync engine; report them when they do. */
  #emitStateChanges(): void {
    const device = this.journal.device()
    const session = this.journal.openedSession()
    const json = JSON.stringify([device?.deviceid, session?.id, session?.token, session?.cloudState])
    if (json === this.#lastStateJson) return
    const first = this.#lastStateJson === ''
    this.#lastStateJson = json
    if (first) return
    if (device) this.#emit({ type: 'device', serialNumber: device.serialNumber, deviceid: device.deviceid })
    if (session) this.#emitSession(session)
  }

  #emit(event: StationEvent): void {
    try {
      this.#listener(event)
    } catch (error) {
      // A listener's failure must never stop capture.
      logIgnored(`a listener failed on a ${event.type} event`, error)
    }
  }
}
