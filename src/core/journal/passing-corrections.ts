/**
 * Corrections of stored passings: voids, bib fixes and their undo, before upload (the passing changes) or after
 * (kept locally, the cloud cannot change), and the journal's own void of a passing an earlier read superseded.
 * Which correction stands is decided by `corrections.ts` (pure).
 */
import { NotPossible } from '../not-possible'
import {
  afterSyncDifference,
  standingCorrection,
  type AfterSyncDifference,
  type CorrectionEntry
} from './corrections'
import type { JournalDb } from './journal-db'
import type { Outbox } from './outbox'
import type { Passings } from './passings'
import type { CorrectionOutcome, CorrectionRecord, PassingRecord } from './records'
import { noteToStore, toCorrectionEntry, toCorrectionRecord } from './rows'

const INSERT_CORRECTION =
  'INSERT INTO corrections (passing_id, kind, old_bib, new_bib, at_us, after_sync) VALUES (?, ?, ?, ?, ?, ?)'

export class PassingCorrections {
  constructor(
    private readonly db: JournalDb,
    private readonly passings: Passings,
    private readonly outbox: Outbox
  ) {}

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
    return this.db.transaction(() => {
      const passing = this.#existing(id)
      if (this.#beingUploaded(passing)) return 'being-uploaded' as const
      const afterSync = passing.state === 'synced' || passing.state === 'conflict'
      this.db.run(INSERT_CORRECTION, id, kind, passing.bib, newBib, atUs, afterSync ? 1 : 0)
      if (afterSync) return 'kept-locally-after-sync' as const
      if (kind === 'void') {
        this.db.run(`UPDATE passings SET state = 'void' WHERE id = ?`, id)
      } else {
        this.db.run(
          `UPDATE passings SET bib = ?, state = 'pending', sync_note = NULL, sync_attempts = 0 WHERE id = ?`,
          newBib,
          id
        )
      }
      return 'applied' as const
    })
  }

  /**
   * Takes back the latest standing correction of a passing (an undo right after a void or fix). Before upload the
   * passing gets back its former bib and state; after upload the undo is kept locally like the correction was.
   */
  undoCorrection(id: number, atUs: number): CorrectionOutcome {
    return this.db.transaction(() => {
      const passing = this.#existing(id)
      const standing = standingCorrection(this.#history(id))
      if (!standing) throw new NotPossible({ code: 'undo.nothing', params: { num: passing.num } })
      if (this.#beingUploaded(passing)) return 'being-uploaded' as const
      const uploaded = passing.state === 'synced' || passing.state === 'conflict'
      if (uploaded && !standing.afterSync && standing.kind === 'bib' && standing.oldBib !== null) {
        // The fix went up before the undo (its toast outlives the grace period): the cloud keeps the fixed bib,
        // and the former one is kept here as a correction after upload, shown as differing from the cloud.
        this.db.run(INSERT_CORRECTION, id, 'bib', passing.bib, standing.oldBib, atUs, 1)
        return 'kept-locally-after-sync' as const
      }
      if (uploaded && !standing.afterSync) {
        throw new NotPossible({
          code: 'undo.already-uploaded',
          params: { num: passing.num, bib: passing.bib }
        })
      }
      this.db.run(INSERT_CORRECTION, id, 'undo', passing.bib, standing.oldBib, atUs, uploaded ? 1 : 0)
      if (uploaded) return 'kept-locally-after-sync' as const
      this.db.run(
        'UPDATE passings SET bib = ?, state = ?, sync_note = NULL, sync_attempts = 0 WHERE id = ?',
        standing.oldBib,
        standing.oldBib === null ? 'held' : 'pending',
        id
      )
      return 'applied' as const
    })
  }

  /**
   * Voids a passing an earlier read of the same chip replaced (`byNum`, the passing that read became), with a
   * note saying so and a `superseded` correction. Runs inside the decode's transaction.
   */
  supersede(id: number, byNum: number, atUs: number): void {
    this.db.run(
      `UPDATE passings SET state = 'void', sync_note = ? WHERE id = ?`,
      noteToStore({ code: 'note.superseded', params: { num: byNum } }),
      id
    )
    this.db.run(
      'INSERT INTO corrections (passing_id, kind, old_bib, new_bib, at_us, after_sync) SELECT id, ?, bib, NULL, ?, 0 FROM passings WHERE id = ?',
      'superseded',
      atUs,
      id
    )
  }

  /** How a passing uploaded to the cloud differs from it here (a void or fix made after upload), or null. */
  afterSyncDifference(passingId: number): AfterSyncDifference | null {
    return afterSyncDifference(standingCorrection(this.#history(passingId)))
  }

  /** The latest correction of a passing, if any (shown next to it, since a synced passing cannot change in the cloud). */
  latestCorrection(passingId: number): { kind: string; newBib: string | null; afterSync: boolean } | null {
    const standing = standingCorrection(this.#history(passingId))
    return standing ? { kind: standing.kind, newBib: standing.newBib, afterSync: standing.afterSync } : null
  }

  corrections(sessionId: number): CorrectionRecord[] {
    return this.db.all(
      toCorrectionRecord,
      `SELECT c.passing_id, p.num_passing, c.kind, c.old_bib, c.new_bib, c.at_us, c.after_sync
         FROM corrections c JOIN passings p ON p.id = c.passing_id WHERE p.session_id = ? ORDER BY c.id`,
      sessionId
    )
  }

  #existing(id: number): PassingRecord {
    const passing = this.passings.passing(id)
    if (!passing) throw new NotPossible({ code: 'passing.not-found', params: { id } })
    return passing
  }

  /** A pending passing in the batch in flight: its outcome is not known, so it cannot change now. */
  #beingUploaded(passing: PassingRecord): boolean {
    return passing.state === 'pending' && this.outbox.inFlight(passing.sessionId, passing.num)
  }

  #history(passingId: number): CorrectionEntry[] {
    return this.db.all(
      toCorrectionEntry,
      'SELECT kind, old_bib, new_bib, after_sync FROM corrections WHERE passing_id = ? ORDER BY id',
      passingId
    )
  }
}
