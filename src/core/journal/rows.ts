/**
 * Rows as they leave SQL: one mapping per table (and one per projection a query selects), each from the row
 * SQLite hands back to a typed record. This is the only place a row gets a type, and every column is checked as it
 * is read: a value the schema does not allow (a hand-edited or damaged file) fails here, naming the table and
 * column, instead of travelling on as a wrong type.
 */
import type { DecoderContext, DecoderState } from '../reader/decoder'
import { CLOUD_SESSION_STATES, PASSING_STATES, type PassingState } from '../../shared/states'
import { MESSAGE_CODES, type StationMessage } from '../../shared/messages'
import type { CorrectionEntry } from './corrections'
import type {
  CorrectionRecord,
  DeviceRecord,
  InflightBatch,
  LogEntry,
  PassingRecord,
  PassingSource,
  SessionRecord,
  SuppressionRecord
} from './records'

/** A journal row whose column holds what the schema does not allow. */
export class JournalRowError extends Error {
  override readonly name = 'JournalRowError'
  constructor(table: string, column: string, value: unknown) {
    super(`journal row ${table}.${column} holds ${typeof value} ${String(value)}`)
  }
}

const PASSING_SOURCES: readonly PassingSource[] = ['reader', 'manual']

/** Reads the columns of one row, checking each against the type its table declares. */
class Columns {
  readonly #table: string
  readonly #row: Readonly<Record<string, unknown>>

  constructor(table: string, row: unknown) {
    if (typeof row !== 'object' || row === null) throw new JournalRowError(table, '*', row)
    this.#table = table
    this.#row = row as Readonly<Record<string, unknown>>
  }

  int(column: string): number {
    const value = this.#row[column]
    if (typeof value !== 'number') throw new JournalRowError(this.#table, column, value)
    return value
  }

  intOrNull(column: string): number | null {
    return this.#row[column] === null ? null : this.int(column)
  }

  text(column: string): string {
    const value = this.#row[column]
    if (typeof value !== 'string') throw new JournalRowError(this.#table, column, value)
    return value
  }

  textOrNull(column: string): string | null {
    return this.#row[column] === null ? null : this.text(column)
  }

  flag(column: string): boolean {
    return this.int(column) === 1
  }

  /** A BLOB: libsql gives an ArrayBuffer from `all()` and a Uint8Array from `get()`. */
  bytes(column: string): Uint8Array {
    const value = this.#row[column]
    if (!(value instanceof Uint8Array || value instanceof ArrayBuffer)) {
      throw new JournalRowError(this.#table, column, value)
    }
    return new Uint8Array(value)
  }

  oneOf<T extends string>(column: string, allowed: readonly T[]): T {
    const value = this.text(column)
    if (!(allowed as readonly string[]).includes(value)) throw new JournalRowError(this.#table, column, value)
    return value as T
  }
}

// ---- meta, station_log, device ----

export function toMetaValue(row: unknown): string {
  return new Columns('meta', row).text('value')
}

export function toLogEntry(row: unknown): LogEntry {
  const c = new Columns('station_log', row)
  return { atUs: c.int('at_us'), kind: c.text('kind'), message: c.text('message') }
}

export function toDevice(row: unknown): DeviceRecord {
  const c = new Columns('device', row)
  return {
    serialNumber: c.text('serial_number'),
    model: c.text('model'),
    alias: c.textOrNull('alias'),
    deviceid: c.textOrNull('deviceid'),
    boundAtMs: c.intOrNull('bound_at_ms')
  }
}

// ---- sessions ----

export function toSession(row: unknown): SessionRecord {
  const c = new Columns('sessions', row)
  return {
    id: c.int('id'),
    alias: c.text('alias'),
    openedAtUs: c.int('opened_at_us'),
    closedAtUs: c.intOrNull('closed_at_us'),
    nextNum: c.int('next_num'),
    token: c.textOrNull('token_session'),
    cloudOffset: c.int('cloud_num_offset'),
    cloudState: c.oneOf('cloud_state', CLOUD_SESSION_STATES),
    blockKind: c.textOrNull('block_kind'),
    blockMessage: storedNote(c.textOrNull('block_message'))
  }
}

/** Reads outside these times (µs) are kept raw but not made passings; null for no limit. */
export interface IgnoreWindow {
  readonly beforeUs: number | null
  readonly afterUs: number | null
}

export function toIgnoreWindow(row: unknown): IgnoreWindow {
  const c = new Columns('sessions', row)
  return { beforeUs: c.intOrNull('ignore_before_us'), afterUs: c.intOrNull('ignore_after_us') }
}

// ---- raw_chunks, decoder_states ----

export interface StoredChunk {
  readonly id: number
  readonly port: string
  readonly connection: number
  readonly sessionId: number | null
  readonly receivedAtUs: number
  readonly bytes: Uint8Array
}

export function toStoredChunk(row: unknown): StoredChunk {
  const c = new Columns('raw_chunks', row)
  return {
    id: c.int('id'),
    port: c.text('port'),
    connection: c.int('connection'),
    sessionId: c.intOrNull('session_id'),
    receivedAtUs: c.int('received_at_us'),
    bytes: c.bytes('bytes')
  }
}

/** A port's committed decoding: the decoder's state, the connection and protocol it belongs to, bad frames. */
export interface PortStream {
  state: DecoderState
  connection: number
  protocol: string
  bad: number
  lastBad: string | null
}

export function toPortStream(row: unknown): PortStream {
  const c = new Columns('decoder_states', row)
  return {
    state: {
      pending: c.bytes('pending'),
      startChunkId: c.int('start_chunk_id'),
      startOffset: c.int('start_offset'),
      startAtUs: c.int('start_at_us'),
      context: JSON.parse(c.text('context')) as DecoderContext
    },
    connection: c.int('connection'),
    protocol: c.text('protocol'),
    bad: c.int('bad_frames'),
    lastBad: c.textOrNull('last_bad_reason')
  }
}

export function toDecoderContext(row: unknown): DecoderContext {
  return JSON.parse(new Columns('decoder_states', row).text('context')) as DecoderContext
}

export function toBadFrameCount(row: unknown): { count: number; lastReason: string | null } {
  const c = new Columns('decoder_states', row)
  return { count: c.int('bad_frames'), lastReason: c.textOrNull('last_bad_reason') }
}

// ---- passings ----

export function toPassing(row: unknown): PassingRecord {
  const c = new Columns('passings', row)
  return {
    id: c.int('id'),
    sessionId: c.int('session_id'),
    num: c.int('num_passing'),
    bib: c.textOrNull('bib'),
    chip: c.textOrNull('chip'),
    timeUs: c.int('time_us'),
    source: c.oneOf('source', PASSING_SOURCES),
    port: c.textOrNull('port'),
    capturedAtUs: c.int('captured_at_us'),
    state: c.oneOf('state', PASSING_STATES),
    cloudToken: c.textOrNull('cloud_token'),
    note: storedNote(c.textOrNull('sync_note')),
    syncAttempts: c.int('sync_attempts')
  }
}

/** Where a passing stands, without its fields: for the read decision's nearest accepted passing. */
export interface PassingPlace {
  readonly id: number
  readonly num: number
  readonly timeUs: number
  readonly state: PassingState
}

export function toPassingPlace(row: unknown): PassingPlace {
  const c = new Columns('passings', row)
  return {
    id: c.int('id'),
    num: c.int('num_passing'),
    timeUs: c.int('time_us'),
    state: c.oneOf('state', PASSING_STATES)
  }
}

/** The number a session's counter gave (`UPDATE sessions … RETURNING next_num - 1 AS num`). */
export function toGivenNumber(row: unknown): number {
  return new Columns('sessions', row).int('num')
}

export function toTimeRange(row: unknown): { firstUs: number | null; lastUs: number | null } {
  const c = new Columns('passings', row)
  return { firstUs: c.intOrNull('first'), lastUs: c.intOrNull('last') }
}

export function toStateCount(row: unknown): { state: PassingState; n: number } {
  const c = new Columns('passing_counts', row)
  return { state: c.oneOf('state', PASSING_STATES), n: c.int('n') }
}

/** The first passing still in its upload grace period, and when it was last touched. */
export function toWaiting(row: unknown): { num: number; touchedUs: number } {
  const c = new Columns('passings', row)
  return { num: c.int('num'), touchedUs: c.int('touched') }
}

export function toEntryPassingId(row: unknown): number {
  return new Columns('manual_entry_keys', row).int('passing_id')
}

/**
 * A passing's stored note. The journal writes its own as a message (JSON of a code and its parameters); the sync
 * engine still writes English words, which stay as they are (`untranslated`) until it emits codes.
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

/** A note the journal writes itself: the message, as `storedNote` reads it back. */
export function noteToStore(message: StationMessage): string {
  return JSON.stringify(message)
}

// ---- corrections ----

export function toCorrectionEntry(row: unknown): CorrectionEntry {
  const c = new Columns('corrections', row)
  return {
    kind: c.text('kind'),
    oldBib: c.textOrNull('old_bib'),
    newBib: c.textOrNull('new_bib'),
    afterSync: c.flag('after_sync')
  }
}

export function toCorrectionRecord(row: unknown): CorrectionRecord {
  const c = new Columns('corrections', row)
  return {
    passingId: c.int('passing_id'),
    num: c.int('num_passing'),
    kind: c.text('kind'),
    oldBib: c.textOrNull('old_bib'),
    newBib: c.textOrNull('new_bib'),
    atUs: c.int('at_us'),
    afterSync: c.flag('after_sync')
  }
}

// ---- sync_inflight ----

export function toInflight(row: unknown): InflightBatch {
  const c = new Columns('sync_inflight', row)
  return {
    sessionId: c.int('session_id'),
    token: c.text('token_session'),
    firstNum: c.int('first_num'),
    lastNum: c.int('last_num'),
    resent: c.flag('resent')
  }
}

// ---- dedup_holds, suppressed_reads ----

/** A strongest-mode read held until its window closes (`dedup_holds`). */
export interface HoldRecord {
  readonly sessionId: number
  readonly chip: string
  readonly port: string | null
  readonly bib: string | null
  readonly timeUs: number
  readonly rssi: number | null
  readonly antenna: number | null
  readonly rawChunkId: number | null
  readonly rawOffset: number | null
  readonly readerKey: string | null
  readonly windowEndUs: number
}

export function toHold(row: unknown): HoldRecord {
  const c = new Columns('dedup_holds', row)
  return {
    sessionId: c.int('session_id'),
    chip: c.text('chip'),
    port: c.textOrNull('port'),
    bib: c.textOrNull('bib'),
    timeUs: c.int('time_us'),
    rssi: c.intOrNull('rssi'),
    antenna: c.intOrNull('antenna'),
    rawChunkId: c.intOrNull('raw_chunk_id'),
    rawOffset: c.intOrNull('raw_offset'),
    readerKey: c.textOrNull('reader_key'),
    windowEndUs: c.int('window_end_us')
  }
}

/** When the earliest hold is due (`MIN(window_end_us) AS due`), or null with none. */
export function toHoldDue(row: unknown): number | null {
  return new Columns('dedup_holds', row).intOrNull('due')
}

export function toSuppression(row: unknown): SuppressionRecord {
  const c = new Columns('suppressed_reads', row)
  return {
    port: c.textOrNull('port'),
    chip: c.textOrNull('chip'),
    timeUs: c.int('time_us'),
    reason: c.text('reason'),
    keptPassingId: c.intOrNull('kept_passing_id')
  }
}

// ---- participants, counts ----

export function toParticipantBib(row: unknown): string {
  return new Columns('participants', row).text('bib')
}

export function toParticipantName(row: unknown): string | null {
  return new Columns('participants', row).textOrNull('name')
}

/** How many participants, and how many of their bibs are not plain numbers. */
export function toParticipantBibStats(row: unknown): { count: number; other: number | null } {
  const c = new Columns('participants', row)
  return { count: c.int('n'), other: c.intOrNull('other') }
}

/** A `COUNT(*) AS n` of any table. */
export function toCount(row: unknown): number {
  return new Columns('count', row).int('n')
}
