/**
 * Passings: numbering (each session's counter, in the transaction that stores the passing), manual entries with
 * their entry keys, and reading passings back. Corrections are `passing-corrections.ts`'s job.
 */
import type { JournalDb } from './journal-db'
import type { PassingRecord, PassingSource } from './records'
import { toEntryPassingId, toGivenNumber, toPassing, toTimeRange } from './rows'

/** A passing about to be stored: a read (with its raw identity) or a manual entry (without). */
export interface NewPassing {
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

export class Passings {
  constructor(private readonly db: JournalDb) {}

  /**
   * Numbers and stores one passing; a blank bib makes it `held`. A read is never stored twice: the read decision
   * skips a known one before, and the unique (raw_chunk_id, raw_offset) index would refuse it.
   */
  insert(sessionId: number, passing: NewPassing): PassingRecord {
    const num = this.db.one(
      toGivenNumber,
      'UPDATE sessions SET next_num = next_num + 1 WHERE id = ? RETURNING next_num - 1 AS num',
      sessionId
    )
    if (num === null) throw new Error(`no local session ${sessionId}`)
    const bib = passing.bib === null || passing.bib.trim() === '' ? null : passing.bib.trim()
    const stored = this.db.one(
      toPassing,
      `INSERT INTO passings (session_id, num_passing, bib, chip, time_us, source, port, raw_chunk_id, raw_offset,
       captured_at_us, state, reader_key, antenna, rssi) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      sessionId,
      num,
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
    if (stored === null) throw new Error(`passing ${num} of session ${sessionId} was not stored`)
    return stored
  }

  /**
   * A passing typed by a person: never suppressed, no raw chunk; a null bib is a time to fill in later. With an
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
    return this.db.transaction(() => {
      if (entryKey !== null) {
        const knownId = this.db.one(
          toEntryPassingId,
          'SELECT passing_id FROM manual_entry_keys WHERE entry_key = ?',
          entryKey
        )
        const passing = knownId === null ? null : this.passing(knownId)
        if (passing) return { passing, created: false }
      }
      const passing = this.insert(sessionId, {
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
        this.db.run(
          'INSERT INTO manual_entry_keys (entry_key, passing_id) VALUES (?, ?)',
          entryKey,
          passing.id
        )
      }
      return { passing, created: true }
    })
  }

  passing(id: number): PassingRecord | null {
    return this.db.one(toPassing, 'SELECT * FROM passings WHERE id = ?', id)
  }

  passingsOfSession(sessionId: number, afterNum: number, limit: number): PassingRecord[] {
    return this.db.all(
      toPassing,
      'SELECT * FROM passings WHERE session_id = ? AND num_passing > ? ORDER BY num_passing LIMIT ?',
      sessionId,
      afterNum,
      limit
    )
  }

  passingsInRange(sessionId: number, firstNum: number, lastNum: number): PassingRecord[] {
    return this.db.all(
      toPassing,
      'SELECT * FROM passings WHERE session_id = ? AND num_passing BETWEEN ? AND ? ORDER BY num_passing',
      sessionId,
      firstNum,
      lastNum
    )
  }

  /** The earliest and latest passing times of a session (µs), without reading its passings. */
  sessionTimeRange(sessionId: number): { firstUs: number | null; lastUs: number | null } {
    return (
      this.db.one(
        toTimeRange,
        'SELECT MIN(time_us) AS first, MAX(time_us) AS last FROM passings WHERE session_id = ?',
        sessionId
      ) ?? { firstUs: null, lastUs: null }
    )
  }

  latestPassings(limit: number): PassingRecord[] {
    return this.db.all(toPassing, 'SELECT * FROM passings ORDER BY id DESC LIMIT ?', limit)
  }

  /** Times without a bib still waiting for one (every session, oldest first), for the pinned list. */
  heldPassings(limit: number): PassingRecord[] {
    return this.db.all(toPassing, `SELECT * FROM passings WHERE state = 'held' ORDER BY id LIMIT ?`, limit)
  }

  /** Whether a session already has a passing (not voided) with this bib. */
  hasBib(sessionId: number, bib: string): boolean {
    return this.db.exists(
      `SELECT 1 FROM passings WHERE session_id = ? AND bib = ? AND state != 'void' LIMIT 1`,
      sessionId,
      bib
    )
  }
}
