import {
  EMPTY_STATE,
  type BadFrame,
  type DecodeResult,
  type Decoder,
  type DecoderContext,
  type DecoderState,
  type Read,
  type ReaderStatus
} from '../reader/decoder'
import { bibFromEpcAscii, type BibPolicy, type Participant } from '../reader/bib-policy'
import { decideFirstRead, decideStrongest, type AcceptedPassing, type DedupSettings } from '../reader/dedup'
import { inTransaction, openDatabase, plainRow, type SqliteDatabase } from '../db/sqlite'
import { migrate } from './schema'
import {
  afterSyncDifference,
  standingCorrection,
  type AfterSyncDifference,
  type CorrectionEntry
} from './corrections'
import { NotPossible } from '../not-possible'

import type { CloudSessionState, PassingState } from '../../shared/states'
import { MESSAGE_CODES, type StationMessage } from '../../shared/messages'

export type { CloudSessionState, PassingState } from '../../shared/states'
export type PassingSource = 'reader' | 'manual'

export interface PassingRecord {
  readonly id: number
  readonly sessionId: number
  readonly num: number
  readonly bib: string | null
  readonly chip: string | null
  readonly timeUs: number
  readonly source: PassingSource
  readonly port: string | null
  readonly capturedAtUs: number
  readonly state: PassingState
  readonly cloudToken: string | null
  /** Why the passing stands as it does (a note written before notes were messages reads as `untranslated`). */
  readonly note: StationMessage | null
  /** Times the cloud answered for this passing and a read-back then did not show it. */
  readonly syncAttempts: number
}

/** Passings touched by a person after `cutoffUs` wait (see `Journal.pendingBatch`). */
export interface UploadGrace {
  readonly cutoffUs: number
  /** Every passing waits, not only manual ones and corrections. */
  readonly allSources: boolean
}

export interface SessionRecord {
  readonly id: number
  readonly alias: string
  readonly openedAtUs: number
  readonly closedAtUs: number | null
  readonly nextNum: number
  readonly token: string | null
  /** Added to the local number to give the cloud number (non-zero only for an adopted cloud session). */
  readonly cloudOffset: number
  readonly cloudState: CloudSessionState
  readonly blockKind: string | null
  readonly blockMessage: StationMessage | null
}

export interface DeviceRecord {
  readonly serialNumber: string
  readonly model: string
  readonly alias: string | null
  readonly deviceid: string | null
  readonly boundAtMs: number | null
}

export interface IncomingChunk {
  readonly port: string
  readonly connection: number
  readonly bytes: Uint8Array
  readonly receivedAtUs: number
}

export interface InflightBatch {
  readonly sessionId: number
  readonly token: string
  readonly firstNum: number
  readonly lastNum: number
  /** The batch was already sent once more after a lost answer (a WRITE-only key, which cannot read back). */
  readonly resent?: boolean
}

export interface Counts {
  readonly pending: number
  readonly held: number
  readonly synced: number
  readonly quarantined: number
  readonly conflict: number
  readonly void: number
}

/** How reads become passings: duplicate suppression and the chip-to-bib rule. */
export interface CapturePolicy {
  readonly dedup: DedupSettings
  readonly bibPolicy: BibPolicy
}

export interface DecodeOutcome {
  readonly passings: readonly PassingRecord[]
  readonly badFrames: ReadonlyArray<BadFrame & { readonly port: string }>
  readonly statuses: ReadonlyArray<ReaderStatus & { readonly port: string }>
  /** Every read decoded, accepted or not (for reader health: rates, last read, clock offset). */
  readonly reads: ReadonlyArray<{ readonly port: string; readonly read: Read }>
  readonly suppressed: number
  /** Passings voided because an earlier read of the same chip arrived later. */
  readonly superseded: readonly number[]
  readonly readsWithoutSession: number
}

class OutcomeBuilder {
  readonly passings: PassingRecord[] = []
  readonly badFrames: Array<BadFrame & { port: string }> = []
  readonly statuses: Array<ReaderStatus & { port: string }> = []
  readonly reads: Array<{ port: string; read: Read }> = []
  readonly superseded: number[] = []
  suppressed = 0
  readsWithoutSession = 0
  nowUs = 0

  build(): DecodeOutcome {
    return this
  }
}

interface RawChunkRow {
  id: number
  port: string
  connection: number
  session_id: number | null
  received_at_us: number
  bytes: Uint8Array
}

interface DecoderStateRow {
  protocol: string
  connection: number
  pending: Uint8Array
  start_chunk_id: number
  start_offset: number
  start_at_us: number
  bad_frames: number
  last_bad_reason: string | null
  context: string
}

interface PortDecodeState {
  state: DecoderState
  connection: number
  protocol: string
  bad: number
  lastBad: string | null
}

interface HoldRow {
  session_id: number
  chip: string
  port: string | null
  bib: string | null
  time_us: number
  rssi: number | null
  antenna: number | null
  raw_chunk_id: number | null
  raw_offset: number | null
  reader_key: string | null
  window_end_us: number
}

function holdToRead(hold: HoldRow): Read {
  return {
    chip: hold.chip,
    bib: hold.bib,
    timeUs: hold.time_us,
    chunkId: hold.raw_chunk_id ?? 0,
    offset: hold.raw_offset ?? 0,
    ...(hold.reader_key !== null ? { readerKey: hold.reader_key } : {}),
    ...(hold.rssi !== null ? { rssi: hold.rssi } : {}),
    ...(hold.antenna !== null ? { antenna: hold.antenna } : {})
  }
}

interface NewPassing {
  readonly bib: string | null
  readonly chip: string | null
  readonly timeUs: number
  readonly source: PassingSource
  readonly port: string | null
  readonly rawChunkId: number | null
  readonly rawOffset: number | null
  readonly readerKey: string | null
  readonly antenna: number | null
  readonly rssi: number | null
  readonly capturedAtUs: number
}

export type CorrectionOutcome = 'applied' | 'kept-locally-after-sync' | 'being-uploaded'

interface PassingRow {
  id: number
  session_id: number
  num_passing: number
  bib: string | null
  chip: string | null
  time_us: number
  source: PassingSource
  port: string | null
  captured_at_us: number
  state: PassingState
  cloud_token: string | null
  sync_note: string | null
  sync_attempts: number
}

interface SessionRow {
  id: number
  alias: string
  opened_at_us: number
  closed_at_us: number | null
  next_num: number
  token_session: string | null
  cloud_num_offset: number
  cloud_state: CloudSessionState
  block_kind: string | null
  block_message: string | null
}

function toPassing(row: PassingRow): PassingRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    num: row.num_passing,
    bib: row.bib,
    chip: row.chip,
    timeUs: row.time_us,
    source: row.source,
    port: row.port,
    capturedAtUs: row.captured_at_us,
    state: row.state,
    cloudToken: row.cloud_token,
    note: storedNote(row.sync_note),
    syncAttempts: row.sync_attempts
  }
}

/**
 * A stored message (a passing's note, a session's block): JSON of a code and its parameters. Words an earlier
 * version stored stay as they are (`untranslated`).
 */
export function storedNote(text: string | null): StationMessage | null {
  if (text === null) return null
  if (text.startsWith('{')) {
    try {
      const value = JSON.parse(text) as { code?: unknown; params?: unknown }
      if (typeof value.code === 'string' && (MESSAGE_CODES as string[]).includes(value.code)) {
        return value as StationMessage
      }
    } catch {
      // Not a message after all: words, shown as they are below.
    }
  }
  return { code: 'untranslated', params: { text } }
}

/** A message as the journal stores it, as `storedNote` reads it back. */
export function noteToStore(message: StationMessage): string {
  return JSON.stringify(message)
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    alias: row.alias,
    openedAtUs: row.opened_at_us,
    closedAtUs: row.closed_at_us,
    nextNum: row.next_num,
    token: row.token_session,
    cloudOffset: row.cloud_num_offset,
    cloudState: row.cloud_state,
    blockKind: row.block_kind,
    blockMessage: storedNote(row.block_message)
  }
}

interface Statement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint }
  get(...params: unknown[]): unknown
  all(...params: unknown[]): unknown[]
}

const LAST_DECODED_CHUNK = 'last_decoded_chunk'

/**
 * The station's durable record: raw reader input, passings, sessions, the device binding and sync state, in
 * one SQLite file (WAL, synchronous=FULL so a commit survives a power cut).
 *
 * All methods are synchronous and each one that writes is a single transaction.
 */
export class Journal {
  readonly #db: SqliteDatabase
  readonly #statements = new Map<string, Statement>()

  /**
   * Prepared statements are reused: preparing is most of the cost of a small query. One whose `get` failed is
   * dropped: libsql 0.5.29 leaves it mid-run, and its next `get` ignores the new parameters and runs the failed
   * call's again (after a full disk, the next passing took a number already given, and kept failing on it).
   */
  #sql(source: string): Statement {
    const cached = this.#statements.get(source)
    if (cached) return cached
    const prepared = this.#db.prepare<unknown[]>(source)
    const statement: Statement = {
      run: (...params) => prepared.run(...params),
      all: (...params) => prepared.all(...params),
      get: (...params) => {
        try {
          return prepared.get(...params)
        } catch (error) {
          this.#statements.delete(source)
          throw error
        }
      }
    }
    this.#statements.set(source, statement)
    return statement
  }

  constructor(path: string, options: { readonly maxPageCount?: number } = {}) {
    this.#db = openDatabase(path, { synchronous: 'FULL' })
    try {
      // Reading the schema fails here, before any write, if the file is not a database.
      this.#db.prepare('SELECT count(*) FROM sqlite_master').get()
      migrate(this.#db)
      if (options.maxPageCount !== undefined) this.#db.exec(`PRAGMA max_page_count = ${options.maxPageCount}`)
    } catch (error) {
      this.#db.close()
      throw error
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close()
  }

  // ---- meta ----

  getMeta(key: string): string | null {
    const row = this.#sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value ?? null
  }

  setMeta(key: string, value: string): void {
    this.#sql(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
    ).run(key, value)
  }

  log(kind: string, message: string, atUs: number): void {
    this.#sql('INSERT INTO station_log (at_us, kind, message) VALUES (?, ?, ?)').run(atUs, kind, message)
  }

  logEntries(limit = 100): Array<{ atUs: number; kind: string; message: string }> {
    return (
      this.#sql('SELECT at_us, kind, message FROM station_log ORDER BY id DESC LIMIT ?').all(limit) as Array<{
        at_us: number
        kind: string
        message: string
      }>
    ).map(row => ({ atUs: row.at_us, kind: row.kind, message: row.message }))
  }

  // ---- device ----

  device(): DeviceRecord | null {
    const row = this.#sql('SELECT * FROM device WHERE id = 1').get() as
      | {
          serial_number: string
          model: string
          alias: string | null
          deviceid: string | null
          bound_at_ms: number | null
        }
      | undefined
    if (!row) return null
    return {
      serialNumber: row.serial_number,
      model: row.model,
      alias: row.alias,
      deviceid: row.deviceid,
      boundAtMs: row.bound_at_ms
    }
  }

  /** Records the identity the device is (or will be) bound with; keeps an existing binding. */
  setDeviceIdentity(identity: { serialNumber: string; model: string; alias: string | null }): void {
    this.#sql(
      `INSERT INTO device (id, serial_number, model, alias) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET serial_number = excluded.serial_number, model = excluded.model,
         alias = excluded.alias`
    ).run(identity.serialNumber, identity.model, identity.alias)
  }

  setDeviceBinding(deviceid: string | null, atMs: number | null): void {
    this.#sql('UPDATE device SET deviceid = ?, bound_at_ms = ? WHERE id = 1').run(deviceid, atMs)
  }

  // ---- sessions ----

  /** Opens a new local session, closing the one that was open. */
  openSession(alias: string, atUs: number): SessionRecord {
    return inTransaction(this.#db, () => {
      this.#sql('UPDATE sessions SET closed_at_us = ? WHERE closed_at_us IS NULL').run(atUs)
      const id = Number(
        this.#sql('INSERT INTO sessions (alias, opened_at_us) VALUES (?, ?)').run(alias, atUs).lastInsertRowid
      )
      return this.session(id) as SessionRecord
    })
  }

  closeSession(id: number, atUs: number): void {
    this.#sql('UPDATE sessions SET closed_at_us = ? WHERE id = ? AND closed_at_us IS NULL').run(atUs, id)
  }

  openedSession(): SessionRecord | null {
    const row = this.#sql('SELECT * FROM sessions WHERE closed_at_us IS NULL ORDER BY id DESC LIMIT 1').get()
    return row ? toSession(row as SessionRow) : null
  }

  session(id: number): SessionRecord | null {
    const row = this.#sql('SELECT * FROM sessions WHERE id = ?').get(id)
    return row ? toSession(row as SessionRow) : null
  }

  /** Whether a cloud session token is (or was) one of this station's: a session's, or one its passings went to. */
  knowsCloudToken(token: string): boolean {
    return (
      this.#sql('SELECT 1 FROM sessions WHERE token_session = ? LIMIT 1').get(token) !== undefined ||
      this.#sql('SELECT 1 FROM passings WHERE cloud_token = ? LIMIT 1').get(token) !== undefined
    )
  }

  lastSession(): SessionRecord | null {
    const row = this.#sql('SELECT * FROM sessions ORDER BY id DESC LIMIT 1').get()
    return row ? toSession(row as SessionRow) : null
  }

  sessions(): SessionRecord[] {
    return (this.#sql('SELECT * FROM sessions ORDER BY id').all() as SessionRow[]).map(toSession)
  }

  setSessionCloud(
    id: number,
    fields: { token?: string | null; cloudState?: CloudSessionState; cloudOffset?: number }
  ): void {
    const current = this.session(id)
    if (!current) throw new Error(`no local session ${id}`)
    this.#sql(
      'UPDATE sessions SET token_session = ?, cloud_state = ?, cloud_num_offset = ? WHERE id = ?'
    ).run(
      fields.token === undefined ? current.token : fields.token,
      fields.cloudState ?? current.cloudState,
      fields.cloudOffset ?? current.cloudOffset,
      id
    )
  }

  setSessionBlock(id: number, kind: string | null, message: StationMessage | null): void {
    this.#sql('UPDATE sessions SET block_kind = ?, block_message = ? WHERE id = ?').run(
      kind,
      message === null ? null : noteToStore(message),
      id
    )
  }

  // ---- capture ----

  /** Stores raw chunks exactly as received, attributed to the open session. Returns their ids. */
  appendRawChunks(chunks: readonly IncomingChunk[]): number[] {
    const insert = this.#sql(
      'INSERT INTO raw_chunks (port, connection, session_id, received_at_us, bytes) VALUES (?, ?, ?, ?, ?)'
    )
    return inTransaction(this.#db, () => {
      const sessionId = this.openedSession()?.id ?? null
      return chunks.map(chunk =>
        Number(
          insert.run(chunk.port, chunk.connection, sessionId, chunk.receivedAtUs, Buffer.from(chunk.bytes))
            .lastInsertRowid
        )
      )
    })
  }

  /** How many raw chunks have not been decoded yet (after a crash, before recovery). */
  undecodedChunks(): number {
    const cursor = Number(this.getMeta(LAST_DECODED_CHUNK) ?? 0)
    return (this.#sql('SELECT COUNT(*) AS n FROM raw_chunks WHERE id > ?').get(cursor) as { n: number }).n
  }

  /**
   * Decodes every raw chunk after the persisted cursor and turns its reads into passings (numbered per session),
   * suppressions or holds, in one transaction with the cursor and the decoders' state, so nothing is decoded
   * twice. Held strongest reads whose window has closed become passings too.
   */
  decodePending(decoderFor: (port: string) => Decoder, policy: CapturePolicy, nowUs: number): DecodeOutcome {
    return inTransaction(this.#db, () => {
      const outcome = new OutcomeBuilder()
      outcome.nowUs = nowUs
      const cursor = Number(this.getMeta(LAST_DECODED_CHUNK) ?? 0)
      const chunks = this.#sql(
        'SELECT id, port, connection, session_id, received_at_us, bytes FROM raw_chunks WHERE id > ? ORDER BY id'
      ).all(cursor) as RawChunkRow[]
      const states = new Map<string, PortDecodeState>()
      for (const chunk of chunks) {
        const decoder = decoderFor(chunk.port)
        let entry = states.get(chunk.port)
        if (!entry) {
          entry = this.#loadDecoderState(chunk.port, decoder.protocol)
          states.set(chunk.port, entry)
        }
        const results: DecodeResult[] = []
        if (entry.connection !== chunk.connection || entry.protocol !== decoder.protocol) {
          const finished = decoder.finish(entry.state)
          results.push(finished)
          entry.state = entry.protocol === decoder.protocol ? finished.state : EMPTY_STATE
          entry.connection = chunk.connection
          entry.protocol = decoder.protocol
        }
        const decoded = decoder.decode(entry.state, {
          id: chunk.id,
          bytes: new Uint8Array(chunk.bytes),
          receivedAtUs: chunk.received_at_us
        })
        results.push(decoded)
        entry.state = decoded.state
        for (const result of results) {
          for (const bad of result.badFrames) {
            outcome.badFrames.push({ ...bad, port: chunk.port })
            entry.bad += 1
            entry.lastBad = bad.reason
          }
          for (const status of result.statuses ?? []) outcome.statuses.push({ ...status, port: chunk.port })
          for (const read of result.reads) {
            outcome.reads.push({ port: chunk.port, read })
            if (chunk.session_id === null) {
              outcome.readsWithoutSession += 1
              continue
            }
            this.#acceptRead(chunk.session_id, chunk.port, read, policy, outcome)
          }
        }
      }
      for (const [port, entry] of states) this.#saveDecoderState(port, entry)
      if (chunks.length > 0) this.setMeta(LAST_DECODED_CHUNK, String(chunks[chunks.length - 1]?.id ?? cursor))
      this.#releaseHolds(nowUs, policy, outcome)
      return outcome.build()
    })
  }

  /**
   * Decodes a session's raw input from one port again with another decoder (a wrong protocol or setting at the
   * time). Reads already known (same chunk and offset, or same reader index) are skipped, so only what is new
   * becomes passings, numbered after the existing ones.
   */
  replay(
    sessionId: number,
    port: string,
    decoder: Decoder,
    policy: CapturePolicy,
    nowUs: number
  ): DecodeOutcome {
    return inTransaction(this.#db, () => {
      const outcome = new OutcomeBuilder()
      outcome.nowUs = nowUs
      const chunks = this.#sql(
        'SELECT id, port, connection, session_id, received_at_us, bytes FROM raw_chunks WHERE session_id = ? AND port = ? ORDER BY id'
      ).all(sessionId, port) as RawChunkRow[]
      let state = EMPTY_STATE
      let connection = -1
      for (const chunk of chunks) {
        const results: DecodeResult[] = []
        if (chunk.connection !== connection) {
          results.push(decoder.finish(state))
          state = EMPTY_STATE
          connection = chunk.connection
        }
        const decoded = decoder.decode(state, {
          id: chunk.id,
          bytes: new Uint8Array(chunk.bytes),
          receivedAtUs: chunk.received_at_us
        })
        results.push(decoded)
        state = decoded.state
        for (const result of results) {
          for (const bad of result.badFrames) outcome.badFrames.push({ ...bad, port })
          for (const read of result.reads) {
            outcome.reads.push({ port, read })
            this.#acceptRead(sessionId, port, read, policy, outcome)
          }
        }
      }
      this.#releaseHolds(nowUs, policy, outcome)
      return outcome.build()
    })
  }

  /** When the earliest held strongest read is due, or null. */
  nextHoldReleaseUs(): number | null {
    const row = this.#sql('SELECT MIN(window_end_us) AS due FROM dedup_holds').get() as { due: number | null }
    return row.due
  }

  #loadDecoderState(port: string, protocol: string): PortDecodeState {
    const row = this.#sql('SELECT * FROM decoder_states WHERE port = ?').get(port) as
      DecoderStateRow | undefined
    if (!row) return { state: EMPTY_STATE, connection: -1, protocol, bad: 0, lastBad: null }
    return {
      state: {
        pending: new Uint8Array(row.pending),
        startChunkId: row.start_chunk_id,
        startOffset: row.start_offset,
        startAtUs: row.start_at_us,
        context: JSON.parse(row.context) as DecoderContext
      },
      connection: row.connection,
      protocol: row.protocol,
      bad: row.bad_frames,
      lastBad: row.last_bad_reason
    }
  }

  #saveDecoderState(port: string, entry: PortDecodeState): void {
    this.#sql(
      `INSERT INTO decoder_states (port, protocol, connection, pending, start_chunk_id, start_offset, start_at_us,
       bad_frames, last_bad_reason, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (port) DO UPDATE SET protocol = excluded.protocol, connection = excluded.connection,
       pending = excluded.pending, start_chunk_id = excluded.start_chunk_id, start_offset = excluded.start_offset,
       start_at_us = excluded.start_at_us, bad_frames = excluded.bad_frames, last_bad_reason = excluded.last_bad_reason,
       context = excluded.context`
    ).run(
      port,
      entry.protocol,
      entry.connection,
      Buffer.from(entry.state.pending),
      entry.state.startChunkId,
      entry.state.startOffset,
      entry.state.startAtUs,
      entry.bad,
      entry.lastBad,
      JSON.stringify(entry.state.context)
    )
  }

  /** The protocol context a port's decoder has committed (e.g. the RR box's next index to fetch). */
  decoderContext(port: string): DecoderContext {
    const row = this.#sql('SELECT context FROM decoder_states WHERE port = ?').get(port) as
      { context: string } | undefined
    return row ? (JSON.parse(row.context) as DecoderContext) : {}
  }

  /** Bad frames counted for a port since it was first seen. */
  badFrameCount(port: string): { count: number; lastReason: string | null } {
    const row = this.#sql('SELECT bad_frames, last_bad_reason FROM decoder_states WHERE port = ?').get(
      port
    ) as { bad_frames: number; last_bad_reason: string | null } | undefined
    return { count: row?.bad_frames ?? 0, lastReason: row?.last_bad_reason ?? null }
  }

  #alreadyKnown(sessionId: number, port: string, read: Read): boolean {
    if (read.readerKey !== undefined) {
      const key = read.readerKey
      if (
        this.#sql('SELECT 1 FROM passings WHERE session_id = ? AND port = ? AND reader_key = ?').get(
          sessionId,
          port,
          key
        )
      ) {
        return true
      }
      if (
        this.#sql('SELECT 1 FROM suppressed_reads WHERE session_id = ? AND port = ? AND reader_key = ?').get(
          sessionId,
          port,
          key
        )
      ) {
        return true
      }
      if (
        this.#sql('SELECT 1 FROM dedup_holds WHERE session_id = ? AND port = ? AND reader_key = ?').get(
          sessionId,
          port,
          key
        )
      ) {
        return true
      }
    }
    if (
      this.#sql('SELECT 1 FROM passings WHERE raw_chunk_id = ? AND raw_offset = ?').get(
        read.chunkId,
        read.offset
      )
    ) {
      return true
    }
    if (
      this.#sql('SELECT 1 FROM suppressed_reads WHERE raw_chunk_id = ? AND raw_offset = ?').get(
        read.chunkId,
        read.offset
      )
    ) {
      return true
    }
    return !!this.#sql('SELECT 1 FROM dedup_holds WHERE raw_chunk_id = ? AND raw_offset = ?').get(
      read.chunkId,
      read.offset
    )
  }

  #suppress(
    sessionId: number,
    port: string,
    read: Read,
    reason: string,
    keptId: number | null,
    outcome: OutcomeBuilder
  ): void {
    this.#sql(
      `INSERT INTO suppressed_reads (session_id, port, chip, bib, time_us, raw_chunk_id, raw_offset, reader_key, rssi, reason,
       kept_passing_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(
      sessionId,
      port,
      read.chip,
      read.bib,
      read.timeUs,
      read.chunkId,
      read.offset,
      read.readerKey ?? null,
      read.rssi ?? null,
      reason,
      keptId
    )
    outcome.suppressed += 1
  }

  #bibFor(read: Read, policy: CapturePolicy): string | null {
    if (read.bib !== null) return read.bib
    if (read.chip === null) return null
    switch (policy.bibPolicy) {
      case 'chip':
        return read.chip
      case 'epc-ascii':
        return bibFromEpcAscii(read.chip)
      case 'participants': {
        const row = this.#sql('SELECT bib FROM participants WHERE chip = ?').get(read.chip) as
          { bib: string } | undefined
        return row?.bib ?? null
      }
    }
  }

  #nearestAccepted(sessionId: number, chip: string, timeUs: number): AcceptedPassing | null {
    const row = this.#sql(
      `SELECT id, time_us, state, num_passing FROM passings WHERE session_id = ? AND chip = ? AND state != 'void'
       ORDER BY ABS(time_us - ?) LIMIT 1`
    ).get(sessionId, chip, timeUs) as
      { id: number; time_us: number; state: PassingState; num_passing: number } | undefined
    if (!row) return null
    const flight = this.inflight(sessionId)
    const inFlight =
      flight !== null && row.num_passing >= flight.firstNum && row.num_passing <= flight.lastNum
    return {
      id: row.id,
      timeUs: row.time_us,
      replaceable: !inFlight && (row.state === 'pending' || row.state === 'held')
    }
  }

  #acceptRead(
    sessionId: number,
    port: string,
    read: Read,
    policy: CapturePolicy,
    outcome: OutcomeBuilder
  ): void {
    if (this.#alreadyKnown(sessionId, port, read)) return
    const session = this.#sql('SELECT ignore_before_us, ignore_after_us FROM sessions WHERE id = ?').get(
      sessionId
    ) as { ignore_before_us: number | null; ignore_after_us: number | null } | undefined
    if (session?.ignore_before_us != null && read.timeUs < session.ignore_before_us) {
      this.#suppress(sessionId, port, read, 'before the ignore-before time', null, outcome)
      return
    }
    if (session?.ignore_after_us != null && read.timeUs > session.ignore_after_us) {
      this.#suppress(sessionId, port, read, 'after the ignore-after time', null, outcome)
      return
    }
    const insert = () => {
      const stored = this.#insertPassing(sessionId, {
        bib: this.#bibFor(read, policy),
        chip: read.chip,
        timeUs: read.timeUs,
        source: 'reader',
        port,
        rawChunkId: read.chunkId,
        rawOffset: read.offset,
        readerKey: read.readerKey ?? null,
        antenna: read.antenna ?? null,
        rssi: read.rssi ?? null,
        capturedAtUs: outcome.nowUs
      })
      outcome.passings.push(stored)
      return stored
    }
    // Reads without a chip (keypads, photocells) are never suppressed.
    if (read.chip === null || policy.dedup.windowMs === 0) {
      insert()
      return
    }
    const nearest = this.#nearestAccepted(sessionId, read.chip, read.timeUs)
    const first = decideFirstRead(read.timeUs, nearest, policy.dedup.windowMs)
    if (first.kind === 'suppress') {
      this.#suppress(sessionId, port, read, first.reason, first.keptId, outcome)
      return
    }
    if (policy.dedup.mode === 'strongest') {
      this.#holdStrongest(sessionId, port, read, policy, outcome)
      return
    }
    if (first.kind === 'supersede') {
      const replaced = insert()
      this.#sql(`UPDATE passings SET state = 'void', sync_note = ? WHERE id = ?`).run(
        noteToStore({ code: 'note.superseded', params: { num: replaced.num } }),
        first.replacedId
      )
      this.#sql(
        'INSERT INTO corrections (passing_id, kind, old_bib, new_bib, at_us, after_sync) SELECT id, ?, bib, NULL, ?, 0 FROM passings WHERE id = ?'
      ).run('superseded', outcome.nowUs, first.replacedId)
      outcome.superseded.push(first.replacedId)
      return
    }
    insert()
  }

  #holdStrongest(
    sessionId: number,
    port: string,
    read: Read,
    policy: CapturePolicy,
    outcome: OutcomeBuilder
  ): void {
    const chip = read.chip as string
    const held = this.#sql('SELECT * FROM dedup_holds WHERE session_id = ? AND chip = ?').get(
      sessionId,
      chip
    ) as HoldRow | undefined
    const decision = decideStrongest(
      { timeUs: read.timeUs, rssi: read.rssi ?? null },
      held ? { timeUs: held.time_us, rssi: held.rssi, windowEndUs: held.window_end_us } : null
    )
    if (decision.kind === 'suppress') {
      this.#suppress(sessionId, port, read, decision.reason, null, outcome)
      return
    }
    if (decision.kind === 'replace-hold' && held) {
      this.#suppress(sessionId, held.port ?? port, holdToRead(held), decision.reason, null, outcome)
    }
    const windowEndUs =
      decision.kind === 'replace-hold' && held
        ? held.window_end_us
        : read.timeUs + policy.dedup.windowMs * 1000
    this.#sql(
      `INSERT INTO dedup_holds (session_id, chip, port, bib, time_us, rssi, antenna, raw_chunk_id, raw_offset, reader_key, window_end_us)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, chip) DO UPDATE SET port = excluded.port, bib = excluded.bib,
       time_us = excluded.time_us, rssi = excluded.rssi, antenna = excluded.antenna, raw_chunk_id = excluded.raw_chunk_id,
       raw_offset = excluded.raw_offset, reader_key = excluded.reader_key, window_end_us = excluded.window_end_us`
    ).run(
      sessionId,
      chip,
      port,
      read.bib,
      read.timeUs,
      read.rssi ?? null,
      read.antenna ?? null,
      read.chunkId,
      read.offset,
      read.readerKey ?? null,
      windowEndUs
    )
  }

  #releaseHolds(nowUs: number, policy: CapturePolicy, outcome: OutcomeBuilder): void {
    const due = this.#sql('SELECT * FROM dedup_holds WHERE window_end_us <= ? ORDER BY time_us').all(
      nowUs
    ) as HoldRow[]
    for (const hold of due) {
      this.#sql('DELETE FROM dedup_holds WHERE session_id = ? AND chip = ?').run(hold.session_id, hold.chip)
      const read = holdToRead(hold)
      const stored = this.#insertPassing(hold.session_id, {
        bib: this.#bibFor(read, policy),
        chip: hold.chip,
        timeUs: hold.time_us,
        source: 'reader',
        port: hold.port,
        rawChunkId: hold.raw_chunk_id,
        rawOffset: hold.raw_offset,
        readerKey: hold.reader_key,
        antenna: hold.antenna,
        rssi: hold.rssi,
        capturedAtUs: nowUs
      })
      outcome.passings.push(stored)
    }
  }

  /** A passing typed by a person: never suppressed, no raw chunk; a null bib is a time to fill in later. */
  insertManual(sessionId: number, bib: string | null, timeUs: number, capturedAtUs: number): PassingRecord {
    return this.insertManualEntry(sessionId, bib, timeUs, capturedAtUs, null).passing
  }

  /**
   * A manual passing as `insertManual`; with an
   * entry key (from an entry screen's local queue) the same entry sent twice is stored once: `created` is false
   * and the passing stored first comes back.
   */
  insertManualEntry(
    sessionId: number,
    bib: string | null,
    timeUs: number,
    capturedAtUs: number,
    entryKey: string | null
  ): { passing: PassingRecord; created: boolean } {
    return inTransaction(this.#db, () => {
      if (entryKey !== null) {
        const known = this.#sql('SELECT passing_id FROM manual_entry_keys WHERE entry_key = ?').get(
          entryKey
        ) as { passing_id: number } | undefined
        const passing = known ? this.passing(known.passing_id) : null
        if (passing) return { passing, created: false }
      }
      const passing = this.#insertPassing(sessionId, {
        bib,
        chip: null,
        timeUs,
        source: 'manual',
        port: null,
        rawChunkId: null,
        rawOffset: null,
        readerKey: null,
        antenna: null,
        rssi: null,
        capturedAtUs
      })
      if (entryKey !== null) {
        this.#sql('INSERT INTO manual_entry_keys (entry_key, passing_id) VALUES (?, ?)').run(
          entryKey,
          passing.id
        )
      }
      return { passing, created: true }
    })
  }

  /**
   * Numbers and stores one passing. A read is never stored twice: `#alreadyKnown` looks before, and the unique
   * (raw_chunk_id, raw_offset) index would refuse it.
   */
  #insertPassing(sessionId: number, passing: NewPassing): PassingRecord {
    const numbered = this.#sql(
      'UPDATE sessions SET next_num = next_num + 1 WHERE id = ? RETURNING next_num - 1 AS num'
    ).get(sessionId) as { num: number } | undefined
    if (!numbered) throw new Error(`no local session ${sessionId}`)
    const bib = passing.bib === null || passing.bib.trim() === '' ? null : passing.bib.trim()
    const row = this.#sql(
      `INSERT INTO passings (session_id, num_passing, bib, chip, time_us, source, port, raw_chunk_id, raw_offset,
       captured_at_us, state, reader_key, antenna, rssi) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`
    ).get(
      sessionId,
      numbered.num,
      bib,
      passing.chip,
      passing.timeUs,
      passing.source,
      passing.port,
      passing.rawChunkId,
      passing.rawOffset,
      passing.capturedAtUs,
      bib === null ? 'held' : 'pending',
      passing.readerKey,
      passing.antenna,
      passing.rssi
    )
    return toPassing(plainRow<PassingRow>(row))
  }

  // ---- participants, ignore windows, suppressions ----

  replaceParticipants(participants: readonly Participant[]): void {
    inTransaction(this.#db, () => {
      this.#sql('DELETE FROM participants').run()
      for (const p of participants) {
        this.#sql(
          'INSERT INTO participants (chip, bib, name) VALUES (?, ?, ?) ON CONFLICT (chip) DO UPDATE SET bib = excluded.bib, name = excluded.name'
        ).run(p.chip, p.bib, p.name)
      }
    })
  }

  participantName(bib: string): string | null {
    const row = this.#sql('SELECT name FROM participants WHERE bib = ? LIMIT 1').get(bib) as
      { name: string | null } | undefined
    return row?.name ?? null
  }

  setIgnoreWindow(sessionId: number, beforeUs: number | null, afterUs: number | null): void {
    this.#sql('UPDATE sessions SET ignore_before_us = ?, ignore_after_us = ? WHERE id = ?').run(
      beforeUs,
      afterUs,
      sessionId
    )
  }

  /** Why reads were not made passings: every suppression is kept with its reason. */
  suppressions(
    sessionId: number,
    limit = 1000
  ): Array<{
    port: string | null
    chip: string | null
    timeUs: number
    reason: string
    keptPassingId: number | null
  }> {
    return (
      this.#sql(
        'SELECT port, chip, time_us, reason, kept_passing_id FROM suppressed_reads WHERE session_id = ? ORDER BY id LIMIT ?'
      ).all(sessionId, limit) as Array<{
        port: string | null
        chip: string | null
        time_us: number
        reason: string
        kept_passing_id: number | null
      }>
    ).map(row => ({
      port: row.port,
      chip: row.chip,
      timeUs: row.time_us,
      reason: row.reason,
      keptPassingId: row.kept_passing_id
    }))
  }

  // ---- reading passings ----

  passing(id: number): PassingRecord | null {
    const row = this.#sql('SELECT * FROM passings WHERE id = ?').get(id)
    return row ? toPassing(row as PassingRow) : null
  }

  passingsOfSession(sessionId: number, afterNum = 0, limit = 1_000_000): PassingRecord[] {
    return (
      this.#sql(
        'SELECT * FROM passings WHERE session_id = ? AND num_passing > ? ORDER BY num_passing LIMIT ?'
      ).all(sessionId, afterNum, limit) as PassingRow[]
    ).map(toPassing)
  }

  /** The earliest and latest passing times of a session (µs), without reading its passings. */
  sessionTimeRange(sessionId: number): { firstUs: number | null; lastUs: number | null } {
    const row = this.#sql(
      'SELECT MIN(time_us) AS first, MAX(time_us) AS last FROM passings WHERE session_id = ?'
    ).get(sessionId) as {
      first: number | null
      last: number | null
    }
    return { firstUs: row.first, lastUs: row.last }
  }

  latestPassings(limit: number): PassingRecord[] {
    return (this.#sql('SELECT * FROM passings ORDER BY id DESC LIMIT ?').all(limit) as PassingRow[]).map(
      toPassing
    )
  }

  /**
   * The next passings to upload, in number order. With a grace period, a passing typed or corrected by a person
   * (or, with `allSources`, any passing) waits until `grace.cutoffUs` has passed its capture and its latest
   * correction, and the batch stops before the first one still waiting, so the cloud gets numbers in order.
   */
  pendingBatch(sessionId: number, limit: number, grace: UploadGrace | null = null): PassingRecord[] {
    if (grace === null) {
      return (
        this.#sql(
          `SELECT * FROM passings WHERE session_id = ? AND state = 'pending' ORDER BY num_passing LIMIT ?`
        ).all(sessionId, limit) as PassingRow[]
      ).map(toPassing)
    }
    const waiting = this.#firstWaiting(sessionId, grace)
    return (
      this.#sql(
        `SELECT * FROM passings WHERE session_id = ? AND state = 'pending' AND num_passing < ? ORDER BY num_passing LIMIT ?`
      ).all(sessionId, waiting?.num ?? Number.MAX_SAFE_INTEGER, limit) as PassingRow[]
    ).map(toPassing)
  }

  /** The first pending passing of a session still in its grace period, and when it was last touched (µs). */
  #firstWaiting(sessionId: number, grace: UploadGrace): { num: number; touchedUs: number } | null {
    const row = this.#sql(
      `SELECT num_passing AS num, MAX(captured_at_us, COALESCE((SELECT MAX(at_us) FROM corrections c WHERE c.passing_id = p.id), 0)) AS touched
         FROM passings p WHERE session_id = ? AND state = 'pending'
          AND ((source = 'manual' OR ? = 1) AND captured_at_us > ? OR EXISTS (SELECT 1 FROM corrections c WHERE c.passing_id = p.id AND c.at_us > ?))
        ORDER BY num_passing LIMIT 1`
    ).get(sessionId, grace.allSources ? 1 : 0, grace.cutoffUs, grace.cutoffUs) as
      { num: number; touched: number } | undefined
    return row ? { num: row.num, touchedUs: row.touched } : null
  }

  /** When the first waiting passing of a session leaves its grace period (µs since the epoch), or null. */
  graceEndsUs(sessionId: number, grace: UploadGrace, graceUs: number): number | null {
    const waiting = this.#firstWaiting(sessionId, grace)
    return waiting ? waiting.touchedUs + graceUs : null
  }

  passingsInRange(sessionId: number, firstNum: number, lastNum: number): PassingRecord[] {
    return (
      this.#sql(
        'SELECT * FROM passings WHERE session_id = ? AND num_passing BETWEEN ? AND ? ORDER BY num_passing'
      ).all(sessionId, firstNum, lastNum) as PassingRow[]
    ).map(toPassing)
  }

  /** Passings per state (of one session, or all): read from counts the journal keeps, not by counting. */
  counts(sessionId?: number): Counts {
    const rows = (
      sessionId === undefined
        ? this.#sql('SELECT state, SUM(n) AS n FROM passing_counts GROUP BY state').all()
        : this.#sql('SELECT state, n FROM passing_counts WHERE session_id = ?').all(sessionId)
    ) as Array<{ state: PassingState; n: number }>
    const counts: Record<PassingState, number> = {
      pending: 0,
      held: 0,
      synced: 0,
      quarantined: 0,
      conflict: 0,
      void: 0
    }
    for (const row of rows) counts[row.state] = row.n
    return counts
  }

  // ---- sync bookkeeping ----

  markSynced(ids: readonly number[], token: string, atMs: number, note: StationMessage | null = null): void {
    const update = this.#sql(
      `UPDATE passings SET state = 'synced', cloud_token = ?, synced_at_ms = ?, sync_note = ?, sync_attempts = 0 WHERE id = ? AND state = 'pending'`
    )
    const stored = note === null ? null : noteToStore(note)
    inTransaction(this.#db, () => {
      for (const id of ids) update.run(token, atMs, stored, id)
    })
  }

  markState(
    ids: readonly number[],
    state: 'quarantined' | 'conflict' | 'pending',
    note: StationMessage | null
  ): void {
    const update = this.#sql('UPDATE passings SET state = ?, sync_note = ? WHERE id = ?')
    const stored = note === null ? null : noteToStore(note)
    inTransaction(this.#db, () => {
      for (const id of ids) update.run(state, stored, id)
    })
  }

  /** The cloud answered for these passings, yet a read-back did not show them: one more attempt, kept. */
  countUnseen(ids: readonly number[]): void {
    const update = this.#sql('UPDATE passings SET sync_attempts = sync_attempts + 1 WHERE id = ?')
    inTransaction(this.#db, () => {
      for (const id of ids) update.run(id)
    })
  }

  /** Puts every passing of every session back to "not in the cloud" (after the cloud deleted the device). */
  resetAllToPending(note: StationMessage): number {
    return inTransaction(this.#db, () => {
      this.#sql('DELETE FROM sync_inflight').run()
      this.#sql(
        `UPDATE sessions SET token_session = NULL, cloud_state = 'none', cloud_num_offset = 0, block_kind = NULL, block_message = NULL`
      ).run()
      return this.#sql(
        `UPDATE passings SET state = 'pending', cloud_token = NULL, synced_at_ms = NULL, sync_note = ?, sync_attempts = 0 WHERE state IN ('synced', 'conflict')`
      ).run(noteToStore(note)).changes
    })
  }

  setInflight(batch: InflightBatch, atMs: number): void {
    this.#sql(
      `INSERT INTO sync_inflight (session_id, token_session, first_num, last_num, started_at_ms, resent) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET token_session = excluded.token_session, first_num = excluded.first_num,
         last_num = excluded.last_num, started_at_ms = excluded.started_at_ms, resent = excluded.resent`
    ).run(batch.sessionId, batch.token, batch.firstNum, batch.lastNum, atMs, batch.resent ? 1 : 0)
  }

  inflight(sessionId: number): InflightBatch | null {
    const row = this.#sql('SELECT * FROM sync_inflight WHERE session_id = ?').get(sessionId) as
      | { session_id: number; token_session: string; first_num: number; last_num: number; resent: number }
      | undefined
    return row
      ? {
          sessionId: row.session_id,
          token: row.token_session,
          firstNum: row.first_num,
          lastNum: row.last_num,
          resent: row.resent === 1
        }
      : null
  }

  clearInflight(sessionId: number): void {
    this.#sql('DELETE FROM sync_inflight WHERE session_id = ?').run(sessionId)
  }

  // ---- corrections ----

  /** Voids a passing. Before sync it is never sent; after sync the correction is kept and exported locally. */
  voidPassing(id: number, atUs: number): CorrectionOutcome {
    return this.#correct(id, atUs, 'void', null)
  }

  /** Sets or fixes a passing's bib; a held passing (time without bib) then goes up with the rest. */
  fixBib(id: number, bib: string, atUs: number): CorrectionOutcome {
    const trimmed = bib.trim()
    if (trimmed === '') throw new NotPossible({ code: 'correction.empty-bib', params: {} })
    return this.#correct(id, atUs, 'bib', trimmed)
  }

  #correct(id: number, atUs: number, kind: 'void' | 'bib', newBib: string | null): CorrectionOutcome {
    return inTransaction(this.#db, () => {
      const passing = this.passing(id)
      if (!passing) throw new NotPossible({ code: 'passing.not-found', params: { id } })
      if (this.#beingUploaded(passing)) return 'being-uploaded' as const
      const afterSync = passing.state === 'synced' || passing.state === 'conflict'
      this.#sql(
        'INSERT INTO corrections (passing_id, kind, old_bib, new_bib, at_us, after_sync) VALUES (?, ?, ?, ?, ?, ?)'
      ).run(id, kind, passing.bib, newBib, atUs, afterSync ? 1 : 0)
      if (afterSync) return 'kept-locally-after-sync' as const
      if (kind === 'void') {
        this.#sql(`UPDATE passings SET state = 'void' WHERE id = ?`).run(id)
      } else {
        this.#sql(
          `UPDATE passings SET bib = ?, state = 'pending', sync_note = NULL, sync_attempts = 0 WHERE id = ?`
        ).run(newBib, id)
      }
      return 'applied' as const
    })
  }

  /**
   * Takes back the latest standing correction of a passing (an undo right after a void or fix). Before upload the
   * passing gets back its former bib and state; after upload the undo is kept locally like the correction was.
   */
  undoCorrection(id: number, atUs: number): CorrectionOutcome {
    return inTransaction(this.#db, () => {
      const passing = this.passing(id)
      if (!passing) throw new NotPossible({ code: 'passing.not-found', params: { id } })
      const standing = standingCorrection(this.#correctionHistory(id))
      if (!standing) throw new NotPossible({ code: 'undo.nothing', params: { num: passing.num } })
      if (this.#beingUploaded(passing)) return 'being-uploaded' as const
      const uploaded = passing.state === 'synced' || passing.state === 'conflict'
      if (uploaded && !standing.afterSync && standing.kind === 'bib' && standing.oldBib !== null) {
        // The fix went up before the undo (its toast outlives the grace period): the cloud keeps the fixed bib,
        // and the former one is kept here as a correction after upload, shown as differing from the cloud.
        this.#sql(
          'INSERT INTO corrections (passing_id, kind, old_bib, new_bib, at_us, after_sync) VALUES (?, ?, ?, ?, ?, 1)'
        ).run(id, 'bib', passing.bib, standing.oldBib, atUs)
        return 'kept-locally-after-sync' as const
      }
      if (uploaded && !standing.afterSync) {
        throw new NotPossible({
          code: 'undo.already-uploaded',
          params: { num: passing.num, bib: passing.bib }
        })
      }
      this.#sql(
        'INSERT INTO corrections (passing_id, kind, old_bib, new_bib, at_us, after_sync) VALUES (?, ?, ?, ?, ?, ?)'
      ).run(id, 'undo', passing.bib, standing.oldBib, atUs, uploaded ? 1 : 0)
      if (uploaded) return 'kept-locally-after-sync' as const
      this.#sql(
        'UPDATE passings SET bib = ?, state = ?, sync_note = NULL, sync_attempts = 0 WHERE id = ?'
      ).run(standing.oldBib, standing.oldBib === null ? 'held' : 'pending', id)
      return 'applied' as const
    })
  }

  #beingUploaded(passing: PassingRecord): boolean {
    const flight = this.inflight(passing.sessionId)
    return (
      flight !== null &&
      passing.state === 'pending' &&
      passing.num >= flight.firstNum &&
      passing.num <= flight.lastNum
    )
  }

  #correctionHistory(passingId: number): CorrectionEntry[] {
    return (
      this.#sql(
        'SELECT kind, old_bib, new_bib, after_sync FROM corrections WHERE passing_id = ? ORDER BY id'
      ).all(passingId) as Array<{
        kind: string
        old_bib: string | null
        new_bib: string | null
        after_sync: number
      }>
    ).map(row => ({
      kind: row.kind,
      oldBib: row.old_bib,
      newBib: row.new_bib,
      afterSync: row.after_sync === 1
    }))
  }

  /** How a passing uploaded to the cloud differs from it here (a void or fix made after upload), or null. */
  afterSyncDifference(passingId: number): AfterSyncDifference | null {
    return afterSyncDifference(standingCorrection(this.#correctionHistory(passingId)))
  }

  /** The latest correction of a passing, if any (shown next to it, since a synced passing cannot change in the cloud). */
  latestCorrection(passingId: number): { kind: string; newBib: string | null; afterSync: boolean } | null {
    const standing = standingCorrection(this.#correctionHistory(passingId))
    return standing ? { kind: standing.kind, newBib: standing.newBib, afterSync: standing.afterSync } : null
  }

  /** Times without a bib still waiting for one (every session, oldest first), for the pinned list. */
  heldPassings(limit: number): PassingRecord[] {
    return (
      this.#sql(`SELECT * FROM passings WHERE state = 'held' ORDER BY id LIMIT ?`).all(limit) as PassingRow[]
    ).map(toPassing)
  }

  /** Whether a session already has a passing (not voided) with this bib. */
  hasBib(sessionId: number, bib: string): boolean {
    return (
      this.#sql(`SELECT 1 FROM passings WHERE session_id = ? AND bib = ? AND state != 'void' LIMIT 1`).get(
        sessionId,
        bib
      ) !== undefined
    )
  }

  /** How many participants are listed, and whether all their bibs are plain numbers (to spot a mistyped bib). */
  participantBibs(): { count: number; allNumeric: boolean } {
    const row = this.#sql(
      `SELECT COUNT(*) AS n, SUM(CASE WHEN bib GLOB '*[^0-9]*' OR bib = '' THEN 1 ELSE 0 END) AS other FROM participants`
    ).get() as { n: number; other: number | null }
    return { count: row.n, allNumeric: row.n > 0 && (row.other ?? 0) === 0 }
  }

  isParticipantBib(bib: string): boolean {
    return this.#sql('SELECT 1 FROM participants WHERE bib = ? LIMIT 1').get(bib) !== undefined
  }

  corrections(sessionId: number): Array<{
    passingId: number
    num: number
    kind: string
    oldBib: string | null
    newBib: string | null
    atUs: number
    afterSync: boolean
  }> {
    return (
      this.#sql(
        `SELECT c.passing_id, p.num_passing, c.kind, c.old_bib, c.new_bib, c.at_us, c.after_sync
           FROM corrections c JOIN passings p ON p.id = c.passing_id WHERE p.session_id = ? ORDER BY c.id`
      ).all(sessionId) as Array<{
        passing_id: number
        num_passing: number
        kind: string
        old_bib: string | null
        new_bib: string | null
        at_us: number
        after_sync: number
      }>
    ).map(row => ({
      passingId: row.passing_id,
      num: row.num_passing,
      kind: row.kind,
      oldBib: row.old_bib,
      newBib: row.new_bib,
      atUs: row.at_us,
      afterSync: row.after_sync === 1
    }))
  }
}
