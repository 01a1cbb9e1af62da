/**
 * The outbox: which passings go up next (with the upload grace period), the batch in flight, and the sync state
 * transitions the sync engine makes. The states and their transitions are drawn in `docs/architecture.md`.
 */
import type { JournalDb } from './journal-db'
import type { Counts, InflightBatch, PassingRecord, PassingState, UploadGrace } from './records'
import type { StationMessage } from '../../shared/messages'
import { noteToStore, toInflight, toPassing, toStateCount, toWaiting } from './rows'

export class Outbox {
  constructor(private readonly db: JournalDb) {}

  /**
   * The next passings to upload, in number order. With a grace period, a passing typed or corrected by a person
   * (or, with `allSources`, any passing) waits until `grace.cutoffUs` has passed its capture and its latest
   * correction, and the batch stops before the first one still waiting, so the cloud gets numbers in order.
   */
  pendingBatch(sessionId: number, limit: number, grace: UploadGrace | null): PassingRecord[] {
    if (grace === null) {
      return this.db.all(
        toPassing,
        `SELECT * FROM passings WHERE session_id = ? AND state = 'pending' ORDER BY num_passing LIMIT ?`,
        sessionId,
        limit
      )
    }
    const waiting = this.#firstWaiting(sessionId, grace)
    return this.db.all(
      toPassing,
      `SELECT * FROM passings WHERE session_id = ? AND state = 'pending' AND num_passing < ? ORDER BY num_passing LIMIT ?`,
      sessionId,
      waiting?.num ?? Number.MAX_SAFE_INTEGER,
      limit
    )
  }

  /** When the first waiting passing of a session leaves its grace period (µs since the epoch), or null. */
  graceEndsUs(sessionId: number, grace: UploadGrace, graceUs: number): number | null {
    const waiting = this.#firstWaiting(sessionId, grace)
    return waiting ? waiting.touchedUs + graceUs : null
  }

  /** The first pending passing of a session still in its grace period, and when it was last touched (µs). */
  #firstWaiting(sessionId: number, grace: UploadGrace): { num: number; touchedUs: number } | null {
    return this.db.one(
      toWaiting,
      `SELECT num_passing AS num, MAX(captured_at_us, COALESCE((SELECT MAX(at_us) FROM corrections c WHERE c.passing_id = p.id), 0)) AS touched
         FROM passings p WHERE session_id = ? AND state = 'pending'
          AND ((source = 'manual' OR ? = 1) AND captured_at_us > ? OR EXISTS (SELECT 1 FROM corrections c WHERE c.passing_id = p.id AND c.at_us > ?))
        ORDER BY num_passing LIMIT 1`,
      sessionId,
      grace.allSources ? 1 : 0,
      grace.cutoffUs,
      grace.cutoffUs
    )
  }

  /** Passings per state (of one session, or all): read from counts the journal keeps, not by counting. */
  counts(sessionId?: number): Counts {
    const rows =
      sessionId === undefined
        ? this.db.all(toStateCount, 'SELECT state, SUM(n) AS n FROM passing_counts GROUP BY state')
        : this.db.all(toStateCount, 'SELECT state, n FROM passing_counts WHERE session_id = ?', sessionId)
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

  /** pending → synced, only for passings still pending (a correction may have voided one meanwhile). */
  markSynced(ids: readonly number[], token: string, atMs: number, note: StationMessage | null): void {
    const stored = note === null ? null : noteToStore(note)
    this.db.transaction(() => {
      for (const id of ids) {
        this.db.run(
          `UPDATE passings SET state = 'synced', cloud_token = ?, synced_at_ms = ?, sync_note = ?, sync_attempts = 0 WHERE id = ? AND state = 'pending'`,
          token,
          atMs,
          stored,
          id
        )
      }
    })
  }

  markState(
    ids: readonly number[],
    state: 'quarantined' | 'conflict' | 'pending',
    note: StationMessage | null
  ): void {
    const stored = note === null ? null : noteToStore(note)
    this.db.transaction(() => {
      for (const id of ids)
        this.db.run('UPDATE passings SET state = ?, sync_note = ? WHERE id = ?', state, stored, id)
    })
  }

  /** The cloud answered for these passings, yet a read-back did not show them: one more attempt, kept. */
  countUnseen(ids: readonly number[]): void {
    this.db.transaction(() => {
      for (const id of ids)
        this.db.run('UPDATE passings SET sync_attempts = sync_attempts + 1 WHERE id = ?', id)
    })
  }

  /** Puts every passing of every session back to "not in the cloud" (after the cloud deleted the device). */
  resetAllToPending(note: StationMessage): number {
    return this.db.transaction(() => {
      this.db.run('DELETE FROM sync_inflight')
      this.db.run(
        `UPDATE sessions SET token_session = NULL, cloud_state = 'none', cloud_num_offset = 0, block_kind = NULL, block_message = NULL`
      )
      return this.db.run(
        `UPDATE passings SET state = 'pending', cloud_token = NULL, synced_at_ms = NULL, sync_note = ?, sync_attempts = 0 WHERE state IN ('synced', 'conflict')`,
        noteToStore(note)
      ).changes
    })
  }

  setInflight(batch: InflightBatch, atMs: number): void {
    this.db.run(
      `INSERT INTO sync_inflight (session_id, token_session, first_num, last_num, started_at_ms, resent) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET token_session = excluded.token_session, first_num = excluded.first_num,
         last_num = excluded.last_num, started_at_ms = excluded.started_at_ms, resent = excluded.resent`,
      batch.sessionId,
      batch.token,
      batch.firstNum,
      batch.lastNum,
      atMs,
      batch.resent ? 1 : 0
    )
  }

  inflight(sessionId: number): InflightBatch | null {
    return this.db.one(toInflight, 'SELECT * FROM sync_inflight WHERE session_id = ?', sessionId)
  }

  clearInflight(sessionId: number): void {
    this.db.run('DELETE FROM sync_inflight WHERE session_id = ?', sessionId)
  }

  /** Whether a session's passing of this number is in the batch in flight (its outcome not known yet). */
  inFlight(sessionId: number, num: number): boolean {
    const flight = this.inflight(sessionId)
    return flight !== null && num >= flight.firstNum && num <= flight.lastNum
  }
}
