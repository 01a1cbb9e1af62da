/**
 * Carries out the read decision (`read-decision.ts`) for each decoded read: a passing, a suppression kept with
 * its reason, a superseded passing voided, or a strongest-mode hold; and releases holds whose window has closed.
 * Runs inside the decode's transaction.
 */
import { bibFromEpcAscii } from '../reader/bib-policy'
import type { AcceptedPassing } from '../reader/dedup'
import type { Read } from '../reader/decoder'
import type { OutcomeBuilder } from './decode-outcome'
import type { JournalDb } from './journal-db'
import type { Outbox } from './outbox'
import type { PassingCorrections } from './passing-corrections'
import type { Participants } from './participants'
import type { Passings } from './passings'
import type { CapturePolicy, PassingRecord, SuppressionRecord } from './records'
import { decideRead } from './read-decision'
import { toHold, toHoldDue, toPassingPlace, toSuppression, type HoldRecord } from './rows'
import type { Sessions } from './sessions'

/** The parts of the journal a read may touch. */
export interface ReadStores {
  readonly sessions: Sessions
  readonly passings: Passings
  readonly corrections: PassingCorrections
  readonly outbox: Outbox
  readonly participants: Participants
}

/** A held read as the read it was (for its suppression when a stronger one replaces it). */
function holdToRead(hold: HoldRecord): Read {
  return {
    chip: hold.chip,
    bib: hold.bib,
    timeUs: hold.timeUs,
    chunkId: hold.rawChunkId ?? 0,
    offset: hold.rawOffset ?? 0,
    ...(hold.readerKey !== null ? { readerKey: hold.readerKey } : {}),
    ...(hold.rssi !== null ? { rssi: hold.rssi } : {}),
    ...(hold.antenna !== null ? { antenna: hold.antenna } : {})
  }
}

export class ReadsToPassings {
  constructor(
    private readonly db: JournalDb,
    private readonly stores: ReadStores
  ) {}

  /** Decides what one read of a session becomes, and stores it so. */
  accept(sessionId: number, port: string, read: Read, policy: CapturePolicy, outcome: OutcomeBuilder): void {
    const decision = decideRead(
      { timeUs: read.timeUs, chip: read.chip, rssi: read.rssi ?? null },
      policy.dedup,
      {
        known: () => this.#known(sessionId, port, read),
        ignoreWindow: () => this.stores.sessions.ignoreWindow(sessionId),
        nearestAccepted: chip => this.#nearestAccepted(sessionId, chip, read.timeUs),
        heldRead: chip =>
          this.db.one(toHold, 'SELECT * FROM dedup_holds WHERE session_id = ? AND chip = ?', sessionId, chip)
      }
    )
    switch (decision.kind) {
      case 'skip-known':
        return
      case 'suppress':
        this.#suppress(sessionId, port, read, decision.reason, decision.keptId, outcome)
        return
      case 'insert':
        this.#insert(sessionId, port, read, policy, outcome)
        return
      case 'supersede': {
        const replacing = this.#insert(sessionId, port, read, policy, outcome)
        this.stores.corrections.supersede(decision.replacedId, replacing.num, outcome.nowUs)
        outcome.superseded.push(decision.replacedId)
        return
      }
      case 'replace-hold': {
        const displaced = decision.displaced
        this.#suppress(
          sessionId,
          displaced.port ?? port,
          holdToRead(displaced),
          decision.reason,
          null,
          outcome
        )
        this.#hold(sessionId, port, read, decision.windowEndUs)
        return
      }
      case 'release-and-hold':
        this.#release(decision.released, policy, outcome)
        this.#hold(sessionId, port, read, decision.windowEndUs)
        return
      case 'hold':
        this.#hold(sessionId, port, read, decision.windowEndUs)
        return
    }
  }

  /** Held strongest reads whose window has closed by `nowUs` become passings, oldest read first. */
  releaseHolds(nowUs: number, policy: CapturePolicy, outcome: OutcomeBuilder): void {
    const due = this.db.all(
      toHold,
      'SELECT * FROM dedup_holds WHERE window_end_us <= ? ORDER BY time_us',
      nowUs
    )
    for (const hold of due) this.#release(hold, policy, outcome)
  }

  /** A hold becomes a passing, captured at the decode's time. */
  #release(hold: HoldRecord, policy: CapturePolicy, outcome: OutcomeBuilder): void {
    this.db.run('DELETE FROM dedup_holds WHERE session_id = ? AND chip = ?', hold.sessionId, hold.chip)
    const stored = this.stores.passings.insert(hold.sessionId, {
      bib: this.#bibFor(holdToRead(hold), policy),
      chip: hold.chip,
      timeUs: hold.timeUs,
      source: 'reader',
      port: hold.port,
      rawChunkId: hold.rawChunkId,
      rawOffset: hold.rawOffset,
      readerKey: hold.readerKey,
      antenna: hold.antenna,
      rssi: hold.rssi,
      capturedAtUs: outcome.nowUs
    })
    outcome.passings.push(stored)
  }

  /** When the earliest held strongest read is due, or null. */
  nextHoldReleaseUs(): number | null {
    return this.db.one(toHoldDue, 'SELECT MIN(window_end_us) AS due FROM dedup_holds')
  }

  /** Why reads were not made passings: every suppression is kept with its reason. */
  suppressions(sessionId: number, limit: number): SuppressionRecord[] {
    return this.db.all(
      toSuppression,
      'SELECT port, chip, time_us, reason, kept_passing_id FROM suppressed_reads WHERE session_id = ? ORDER BY id LIMIT ?',
      sessionId,
      limit
    )
  }

  #insert(
    sessionId: number,
    port: string,
    read: Read,
    policy: CapturePolicy,
    outcome: OutcomeBuilder
  ): PassingRecord {
    const stored = this.stores.passings.insert(sessionId, {
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

  /** A read stored already as a passing, a suppression or a hold: by the reader's own index, or by raw position. */
  #known(sessionId: number, port: string, read: Read): boolean {
    const key = read.readerKey
    if (key !== undefined) {
      for (const table of BY_READER_KEY) {
        if (this.db.exists(table, sessionId, port, key)) return true
      }
    }
    return BY_RAW_POSITION.some(table => this.db.exists(table, read.chunkId, read.offset))
  }

  #nearestAccepted(sessionId: number, chip: string, timeUs: number): AcceptedPassing | null {
    const nearest = this.db.one(
      toPassingPlace,
      `SELECT id, time_us, state, num_passing FROM passings WHERE session_id = ? AND chip = ? AND state != 'void'
       ORDER BY ABS(time_us - ?) LIMIT 1`,
      sessionId,
      chip,
      timeUs
    )
    if (!nearest) return null
    const inFlight = this.stores.outbox.inFlight(sessionId, nearest.num)
    return {
      id: nearest.id,
      timeUs: nearest.timeUs,
      replaceable: !inFlight && (nearest.state === 'pending' || nearest.state === 'held')
    }
  }

  #suppress(
    sessionId: number,
    port: string,
    read: Read,
    reason: string,
    keptId: number | null,
    outcome: OutcomeBuilder
  ): void {
    this.db.run(
      `INSERT INTO suppressed_reads (session_id, port, chip, bib, time_us, raw_chunk_id, raw_offset, reader_key, rssi, reason,
       kept_passing_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

  #hold(sessionId: number, port: string, read: Read, windowEndUs: number): void {
    this.db.run(
      `INSERT INTO dedup_holds (session_id, chip, port, bib, time_us, rssi, antenna, raw_chunk_id, raw_offset, reader_key, window_end_us)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, chip) DO UPDATE SET port = excluded.port, bib = excluded.bib,
       time_us = excluded.time_us, rssi = excluded.rssi, antenna = excluded.antenna, raw_chunk_id = excluded.raw_chunk_id,
       raw_offset = excluded.raw_offset, reader_key = excluded.reader_key, window_end_us = excluded.window_end_us`,
      sessionId,
      read.chip,
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

  #bibFor(read: Read, policy: CapturePolicy): string | null {
    if (read.bib !== null) return read.bib
    if (read.chip === null) return null
    switch (policy.bibPolicy) {
      case 'chip':
        return read.chip
      case 'epc-ascii':
        return bibFromEpcAscii(read.chip)
      case 'participants':
        return this.stores.participants.bibOfChip(read.chip)
    }
  }
}

/** Where a read with the reader's own index may already be, in the order they are asked. */
const BY_READER_KEY = [
  'SELECT 1 FROM passings WHERE session_id = ? AND port = ? AND reader_key = ?',
  'SELECT 1 FROM suppressed_reads WHERE session_id = ? AND port = ? AND reader_key = ?',
  'SELECT 1 FROM dedup_holds WHERE session_id = ? AND port = ? AND reader_key = ?'
] as const

/** Where a read may already be by its raw identity (chunk and offset), in the order they are asked. */
const BY_RAW_POSITION = [
  'SELECT 1 FROM passings WHERE raw_chunk_id = ? AND raw_offset = ?',
  'SELECT 1 FROM suppressed_reads WHERE raw_chunk_id = ? AND raw_offset = ?',
  'SELECT 1 FROM dedup_holds WHERE raw_chunk_id = ? AND raw_offset = ?'
] as const
