import { EMPTY_STATE, type BadFrame, type Decoder, type DecoderState, type Read } from '../reader/decoder'
import { openDatabase, plainRow, type SqliteDatabase } from '../db/sqlite'
import { migrate } from './schema'

export type PassingState = 'pending' | 'held' | 'void' | 'synced' | 'quarantined' | 'conflict'
export type CloudSessionState = 'none' | 'creating' | 'attached' | 'closed'
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
  readonly syncNote: string | null
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
  readonly blockMessage: string | null
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
}

export interface Counts {
  readonly pending: number
  readonly held: number
  readonly synced: number
  readonly quarantined: number
  readonly conflict: number
  readonly void: number
}

/** How a read becomes a passing's bib and chip; null drops the read (it stays in the raw journal). */
export type ReadMapper = (read: Read, sessionId: number) => { bib: string | null; chip: string | null } | null

export interface DecodeOutcome {
  readonly passings: readonly PassingRecord[]
  readonly badFrames: ReadonlyArray<BadFrame & { readonly port: string }>
  readonly readsWithoutSession: number
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
    syncNote: row.sync_note
  }
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
    blockMessage: row.block_message
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

  /** Prepared statements are reused: preparing is most of the cost of a small query. */
  #sql(source: string): Statement {
    let statement = this.#statements.get(source)
    if (!statement) {
      statement = this.#db.prepare<unknown[]>(source)
      this.#statements.set(source, statement)
    }
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
    return this.#db.transaction(() => {
      this.#sql('UPDATE sessions SET closed_at_us = ? WHERE closed_at_us IS NULL').run(atUs)
      const id = Number(
        this.#sql('INSERT INTO sessions (alias, opened_at_us) VALUES (?, ?)').run(alias, atUs).lastInsertRowid
      )
      return this.session(id) as SessionRecord
    })()
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

  setSessionBlock(id: number, kind: string | null, message: string | null): void {
    this.#sql('UPDATE sessions SET block_kind = ?, block_message = ? WHERE id = ?').run(kind, message, id)
  }

  // ---- capture ----

  /** Stores raw chunks exactly as received, attributed to the open session. Returns their ids. */
  appendRawChunks(chunks: readonly IncomingChunk[]): number[] {
    const insert = this.#sql(
      'INSERT INTO raw_chunks (port, connection, session_id, received_at_us, bytes) VALUES (?, ?, ?, ?, ?)'
    )
    return this.#db.transaction(() => {
      const sessionId = this.openedSession()?.id ?? null
      return chunks.map(chunk =>
        Number(
          insert.run(chunk.port, chunk.connection, sessionId, chunk.receivedAtUs, Buffer.from(chunk.bytes))
            .lastInsertRowid
        )
      )
    })()
  }

  /** How many raw chunks have not been decoded yet (after a crash, before recovery). */
  undecodedChunks(): number {
    const cursor = Number(this.getMeta(LAST_DECODED_CHUNK) ?? 0)
    return (this.#sql('SELECT COUNT(*) AS n FROM raw_chunks WHERE id > ?').get(cursor) as { n: number }).n
  }

  /**
   * Decodes every raw chunk after the persisted cursor and stores the resulting passings, numbered per session,
   * in one transaction with the cursor and the decoders' pending state, so nothing is decoded twice.
   */
  decodePending(
    decoderFor: (port: string) => Decoder,
    mapRead: ReadMapper,
    capturedAtUs: number
  ): DecodeOutcome {
    return this.#db.transaction(() => {
      const cursor = Number(this.getMeta(LAST_DECODED_CHUNK) ?? 0)
      const chunks = this.#sql(
        'SELECT id, port, connection, session_id, received_at_us, bytes FROM raw_chunks WHERE id > ? ORDER BY id'
      ).all(cursor) as Array<{
        id: number
        port: string
        connection: number
        session_id: number | null
        received_at_us: number
        bytes: Uint8Array
      }>
      if (chunks.length === 0) return { passings: [], badFrames: [], readsWithoutSession: 0 }
      const states = new Map<
        string,
        { state: DecoderState; connection: number; protocol: string; bad: number; lastBad: string | null }
      >()
      const loadState = (port: string, protocol: string) => {
        let entry = states.get(port)
        if (!entry) {
          const row = this.#sql('SELECT * FROM decoder_states WHERE port = ?').get(port) as
            | {
                protocol: string
                connection: number
                pending: Uint8Array
                start_chunk_id: number
                start_offset: number
                start_at_us: number
                bad_frames: number
                last_bad_reason: string | null
              }
            | undefined
          entry = row
            ? {
                state: {
                  pending: new Uint8Array(row.pending),
                  startChunkId: row.start_chunk_id,
                  startOffset: row.start_offset,
                  startAtUs: row.start_at_us
                },
                connection: row.connection,
                protocol: row.protocol,
                bad: row.bad_frames,
                lastBad: row.last_bad_reason
              }
            : { state: EMPTY_STATE, connection: -1, protocol, bad: 0, lastBad: null }
          states.set(port, entry)
        }
        return entry
      }
      const passings: PassingRecord[] = []
      const badFrames: Array<BadFrame & { port: string }> = []
      let readsWithoutSession = 0
      for (const chunk of chunks) {
        const decoder = decoderFor(chunk.port)
        const entry = loadState(chunk.port, decoder.protocol)
        const results = []
        if (entry.connection !== chunk.connection || entry.protocol !== decoder.protocol) {
          results.push(decoder.finish(entry.state))
          entry.state = EMPTY_STATE
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
            badFrames.push({ ...bad, port: chunk.port })
            entry.bad += 1
            entry.lastBad = bad.reason
          }
          for (const read of result.reads) {
            if (chunk.session_id === null) {
              readsWithoutSession += 1
              continue
            }
            const mapped = mapRead(read, chunk.session_id)
            if (!mapped) continue
            const stored = this.#insertPassing(chunk.session_id, {
              bib: mapped.bib,
              chip: mapped.chip,
              timeUs: read.timeUs,
              source: 'reader',
              port: chunk.port,
              rawChunkId: read.chunkId,
              rawOffset: read.offset,
              capturedAtUs
            })
            if (stored) passings.push(stored)
          }
        }
      }
      const save = this.#sql(
        `INSERT INTO decoder_states (port, protocol, connection, pending, start_chunk_id, start_offset, start_at_us,
         bad_frames, last_bad_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (port) DO UPDATE SET protocol = excluded.protocol, connection = excluded.connection,
         pending = excluded.pending, start_chunk_id = excluded.start_chunk_id, start_offset = excluded.start_offset,
         start_at_us = excluded.start_at_us, bad_frames = excluded.bad_frames, last_bad_reason = excluded.last_bad_reason`
      )
      for (const [port, entry] of states) {
        save.run(
          port,
          entry.protocol,
          entry.connection,
          Buffer.from(entry.state.pending),
          entry.state.startChunkId,
          entry.state.startOffset,
          entry.state.startAtUs,
          entry.bad,
          entry.lastBad
        )
      }
      this.setMeta(LAST_DECODED_CHUNK, String(chunks[chunks.length - 1]?.id ?? cursor))
      return { passings, badFrames, readsWithoutSession }
    })()
  }

  /** A passing typed by a person: never suppressed, no raw chunk; a null bib is a time to fill in later. */
  insertManual(sessionId: number, bib: string | null, timeUs: number, capturedAtUs: number): PassingRecord {
    return this.#db.transaction(
      () =>
        this.#insertPassing(sessionId, {
          bib,
          chip: null,
          timeUs,
          source: 'manual',
          port: null,
          rawChunkId: null,
          rawOffset: null,
          capturedAtUs
        }) as PassingRecord
    )()
  }

  #insertPassing(
    sessionId: number,
    passing: {
      bib: string | null
      chip: string | null
      timeUs: number
      source: PassingSource
      port: string | null
      rawChunkId: number | null
      rawOffset: number | null
      capturedAtUs: number
    }
  ): PassingRecord | null {
    // The read's identity (chunk, offset) is unique: a read already turned into a passing is never added twice.
    if (passing.rawChunkId !== null) {
      const seen = this.#sql('SELECT 1 FROM passings WHERE raw_chunk_id = ? AND raw_offset = ?').get(
        passing.rawChunkId,
        passing.rawOffset
      )
      if (seen) return null
    }
    const numbered = this.#sql(
      'UPDATE sessions SET next_num = next_num + 1 WHERE id = ? RETURNING next_num - 1 AS num'
    ).get(sessionId) as { num: number } | undefined
    if (!numbered) throw new Error(`no local session ${sessionId}`)
    const bib = passing.bib === null || passing.bib.trim() === '' ? null : passing.bib.trim()
    const row = this.#sql(
      `INSERT INTO passings (session_id, num_passing, bib, chip, time_us, source, port, raw_chunk_id, raw_offset,
         captured_at_us, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`
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
      bib === null ? 'held' : 'pending'
    )
    return toPassing(plainRow<PassingRow>(row))
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

  latestPassings(limit: number): PassingRecord[] {
    return (this.#sql('SELECT * FROM passings ORDER BY id DESC LIMIT ?').all(limit) as PassingRow[]).map(
      toPassing
    )
  }

  pendingBatch(sessionId: number, limit: number): PassingRecord[] {
    return (
      this.#sql(
        `SELECT * FROM passings WHERE session_id = ? AND state = 'pending' ORDER BY num_passing LIMIT ?`
      ).all(sessionId, limit) as PassingRow[]
    ).map(toPassing)
  }

  passingsInRange(sessionId: number, firstNum: number, lastNum: number): PassingRecord[] {
    return (
      this.#sql(
        'SELECT * FROM passings WHERE session_id = ? AND num_passing BETWEEN ? AND ? ORDER BY num_passing'
      ).all(sessionId, firstNum, lastNum) as PassingRow[]
    ).map(toPassing)
  }

  counts(sessionId?: number): Counts {
    const rows = (
      sessionId === undefined
        ? this.#sql('SELECT state, COUNT(*) AS n FROM passings GROUP BY state').all()
        : this.#sql('SELECT state, COUNT(*) AS n FROM passings WHERE session_id = ? GROUP BY state').all(
            sessionId
          )
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

  markSynced(ids: readonly number[], token: string, atMs: number, note: string | null = null): void {
    const update = this.#sql(
      `UPDATE passings SET state = 'synced', cloud_token = ?, synced_at_ms = ?, sync_note = ? WHERE id = ? AND state = 'pending'`
    )
    this.#db.transaction(() => {
      for (const id of ids) update.run(token, atMs, note, id)
    })()
  }

  markState(
    ids: readonly number[],
    state: 'quarantined' | 'conflict' | 'pending',
    note: string | null
  ): void {
    const update = this.#sql('UPDATE passings SET state = ?, sync_note = ? WHERE id = ?')
    this.#db.transaction(() => {
      for (const id of ids) update.run(state, note, id)
    })()
  }

  /** Puts every passing of every session back to "not in the cloud" (after the cloud deleted the device). */
  resetAllToPending(note: string): number {
    return this.#db.transaction(() => {
      this.#sql('DELETE FROM sync_inflight').run()
      this.#sql(
        `UPDATE sessions SET token_session = NULL, cloud_state = 'none', cloud_num_offset = 0, block_kind = NULL, block_message = NULL`
      ).run()
      return this.#sql(
        `UPDATE passings SET state = 'pending', cloud_token = NULL, synced_at_ms = NULL, sync_note = ? WHERE state IN ('synced', 'conflict')`
      ).run(note).changes
    })()
  }

  setInflight(batch: InflightBatch, atMs: number): void {
    this.#sql(
      `INSERT INTO sync_inflight (session_id, token_session, first_num, last_num, started_at_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET token_session = excluded.token_session, first_num = excluded.first_num,
         last_num = excluded.last_num, started_at_ms = excluded.started_at_ms`
    ).run(batch.sessionId, batch.token, batch.firstNum, batch.lastNum, atMs)
  }

  inflight(sessionId: number): InflightBatch | null {
    const row = this.#sql('SELECT * FROM sync_inflight WHERE session_id = ?').get(sessionId) as
      { session_id: number; token_session: string; first_num: number; last_num: number } | undefined
    return row
      ? {
          sessionId: row.session_id,
          token: row.token_session,
          firstNum: row.first_num,
          lastNum: row.last_num
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
    if (trimmed === '') throw new Error('A bib cannot be empty')
    return this.#correct(id, atUs, 'bib', trimmed)
  }

  #correct(id: number, atUs: number, kind: 'void' | 'bib', newBib: string | null): CorrectionOutcome {
    return this.#db.transaction(() => {
      const passing = this.passing(id)
      if (!passing) throw new Error(`There is no passing ${id}`)
      const flight = this.inflight(passing.sessionId)
      if (
        flight &&
        passing.state === 'pending' &&
        passing.num >= flight.firstNum &&
        passing.num <= flight.lastNum
      ) {
        return 'being-uploaded' as const
      }
      const afterSync = passing.state === 'synced' || passing.state === 'conflict'
      this.#sql(
        'INSERT INTO corrections (passing_id, kind, old_bib, new_bib, at_us, after_sync) VALUES (?, ?, ?, ?, ?, ?)'
      ).run(id, kind, passing.bib, newBib, atUs, afterSync ? 1 : 0)
      if (afterSync) return 'kept-locally-after-sync' as const
      if (kind === 'void') {
        this.#sql(`UPDATE passings SET state = 'void' WHERE id = ?`).run(id)
      } else {
        this.#sql(`UPDATE passings SET bib = ?, state = 'pending', sync_note = NULL WHERE id = ?`).run(
          newBib,
          id
        )
      }
      return 'applied' as const
    })()
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
