/** The participants list (chip, bib, name) a race imported: replaced whole, looked up by chip or bib. */
import type { Participant } from '../reader/bib-policy'
import type { JournalDb } from './journal-db'
import { toParticipantBib, toParticipantBibStats, toParticipantName } from './rows'

export class Participants {
  constructor(private readonly db: JournalDb) {}

  replaceParticipants(participants: readonly Participant[]): void {
    this.db.transaction(() => {
      this.db.run('DELETE FROM participants')
      for (const p of participants) {
        this.db.run(
          'INSERT INTO participants (chip, bib, name) VALUES (?, ?, ?) ON CONFLICT (chip) DO UPDATE SET bib = excluded.bib, name = excluded.name',
          p.chip,
          p.bib,
          p.name
        )
      }
    })
  }

  /** The bib listed for a chip, or null when the chip is not listed. */
  bibOfChip(chip: string): string | null {
    return this.db.one(toParticipantBib, 'SELECT bib FROM participants WHERE chip = ?', chip)
  }

  participantName(bib: string): string | null {
    return this.db.one(toParticipantName, 'SELECT name FROM participants WHERE bib = ? LIMIT 1', bib)
  }

  participantBibs(): { count: number; allNumeric: boolean } {
    const stats = this.db.one(
      toParticipantBibStats,
      `SELECT COUNT(*) AS n, SUM(CASE WHEN bib GLOB '*[^0-9]*' OR bib = '' THEN 1 ELSE 0 END) AS other FROM participants`
    )
    const count = stats?.count ?? 0
    return { count, allNumeric: count > 0 && (stats?.other ?? 0) === 0 }
  }

  isParticipantBib(bib: string): boolean {
    return this.db.exists('SELECT 1 FROM participants WHERE bib = ? LIMIT 1', bib)
  }
}
