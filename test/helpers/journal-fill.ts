import Database from 'libsql'
import { join } from 'node:path'
import { Journal, type SessionRecord } from '../../src/core/journal/journal'

/**
 * Opens a session in the data folder's journal holding `count` passings (bibs "1" … "count", pending), written
 * in bulk: a long day offline in seconds, where capturing them one by one would take hours.
 */
export function sessionWithPassings(dataFolder: string, count: number): SessionRecord {
  const path = join(dataFolder, 'journal.sqlite')
  const journal = new Journal(path)
  const session = journal.openSession('FINISH', Date.now() * 1000)
  journal.close()
  const db = new Database(path)
  const startUs = Date.now() * 1000
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    INSERT INTO passings (session_id, num_passing, bib, time_us, source, captured_at_us, state)
      SELECT ${session.id}, i, CAST(i AS TEXT), ${startUs} + i * 1000, 'reader', ${startUs} + i * 1000, 'pending'
      FROM n;
    UPDATE sessions SET next_num = ${count + 1} WHERE id = ${session.id};
  `)
  db.close()
  return session
}
