import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'libsql'
import { describe, expect, it } from 'vitest'
import { inTransaction, openDatabase } from '../../src/core/db/sqlite'
import { Journal } from '../../src/core/journal/journal'
import { JOURNAL_SCHEMA_VERSION, JournalTooNewError } from '../../src/core/journal/schema'
import { JournalRowError } from '../../src/core/journal/rows'
import { createLineDecoder } from '../../src/core/reader/line-decoder'
import { lines, tempFolder } from '../helpers/station'

const decoder = createLineDecoder({ field: 'bib' })
const decode = (journal: Journal) =>
  journal.decodePending(() => decoder, { dedup: { windowMs: 0, mode: 'first' }, bibPolicy: 'chip' }, 1)

function journalIn(folder = tempFolder()) {
  return {
    journal: new Journal(join(folder, 'journal.sqlite')),
    path: join(folder, 'journal.sqlite'),
    folder
  }
}

/**
 * Takes a journal back to an older format: the sync attempts (format 5) removed, below 4 the passing counts too,
 * then `sql`, then the version.
 */
function rewind(path: string, format: number, sql = ''): void {
  const raw = new Database(path)
  raw.exec(`
    ALTER TABLE passings DROP COLUMN sync_attempts; ALTER TABLE sync_inflight DROP COLUMN resent;
    ${
      format < 4
        ? `DROP TRIGGER passing_counts_on_insert; DROP TRIGGER passing_counts_on_delete;
           DROP TRIGGER passing_counts_on_update; DROP TABLE passing_counts;`
        : ''
    }
    ${sql}
    PRAGMA user_version = ${format};
  `)
  raw.close()
}

describe('journal', () => {
  it('numbers passings per session 1, 2, 3 … and never reuses a number', () => {
    const { journal } = journalIn()
    const first = journal.openSession('A', 1)
    journal.appendRawChunks([{ port: 'p', connection: 1, bytes: lines(1, 2, 3), receivedAtUs: 10 }])
    expect(decode(journal).passings.map(p => p.num)).toEqual([1, 2, 3])
    journal.voidPassing(decode(journal).passings[0]?.id ?? 2, 5)
    const manual = journal.insertManual(first.id, '9', 20, 21)
    expect(manual.num).toBe(4)
    const second = journal.openSession('B', 30)
    expect(journal.session(first.id)?.closedAtUs).toBe(30)
    expect(journal.insertManual(second.id, '5', 31, 31).num).toBe(1)
    journal.close()
  })

  it('on a full disk says so on every try and numbers on without a gap or a repeat', () => {
    const folder = tempFolder()
    const path = join(folder, 'journal.sqlite')
    const journal = new Journal(path, { maxPageCount: 40 })
    journal.openSession('A', 1)
    let bib = 0
    const failures: unknown[] = []
    // Fifty reads a chunk until the disk is full, then a few more tries, as the capture queue retries.
    while (failures.length < 4 && bib < 20_000) {
      const bibs = Array.from({ length: 50 }, () => String((bib += 1)))
      try {
        journal.appendRawChunks([{ port: 'p', connection: 1, bytes: lines(...bibs), receivedAtUs: 10 }])
      } catch (error) {
        failures.push(error)
      }
      try {
        decode(journal)
      } catch (error) {
        failures.push(error)
      }
    }
    // The cause each time: not SQLite's "cannot rollback" after it had rolled back by itself, and not a
    // repeated number from a statement that ran again with the parameters of the one that failed.
    expect(failures.map(error => (error as { code?: string }).code)).toEqual([
      'SQLITE_FULL',
      'SQLITE_FULL',
      'SQLITE_FULL',
      'SQLITE_FULL'
    ])
    journal.close()
    const stored = new Database(path, { readonly: true })
    const nums = (
      stored.prepare('SELECT num_passing AS num FROM passings ORDER BY num').all() as { num: number }[]
    ).map(row => row.num)
    const { next } = stored.prepare('SELECT next_num AS next FROM sessions').get() as { next: number }
    stored.close()
    expect(nums.length).toBeGreaterThan(0)
    expect(nums).toEqual(Array.from({ length: nums.length }, (_, i) => i + 1))
    expect(next).toBe(nums.length + 1)
  })

  it('a transaction SQLite rolled back by itself fails with its own error, not "cannot rollback"', () => {
    const db = openDatabase(join(tempFolder(), 'refusing.sqlite'), { synchronous: 'FULL' })
    db.exec(
      "CREATE TABLE t (x); CREATE TRIGGER refuse BEFORE INSERT ON t BEGIN SELECT RAISE(ROLLBACK, 'refused by the trigger'); END"
    )
    expect(() => inTransaction(db, () => db.prepare('INSERT INTO t VALUES (1)').run())).toThrow(
      'refused by the trigger'
    )
    // libsql's own transaction() lost that cause: its unconditional ROLLBACK threw instead.
    expect(() => db.transaction(() => db.prepare('INSERT INTO t VALUES (1)').run())()).toThrow(
      'cannot rollback - no transaction is active'
    )
    db.close()
  })

  it('decodes a chunk that was committed before a crash exactly once, at the next open', () => {
    const { journal, folder } = journalIn()
    journal.openSession('A', 1)
    journal.appendRawChunks([{ port: 'p', connection: 1, bytes: lines(7, 8), receivedAtUs: 10 }])
    journal.close()
    const reopened = new Journal(join(folder, 'journal.sqlite'))
    expect(reopened.undecodedChunks()).toBe(1)
    expect(decode(reopened).passings.map(p => p.bib)).toEqual(['7', '8'])
    expect(reopened.undecodedChunks()).toBe(0)
    expect(decode(reopened).passings).toEqual([])
    expect(reopened.counts().pending).toBe(2)
    reopened.close()
  })

  it('keeps a partial line across a restart and drops one cut by a reconnection', () => {
    const { journal, folder } = journalIn()
    journal.openSession('A', 1)
    journal.appendRawChunks([
      { port: 'p', connection: 1, bytes: new TextEncoder().encode('12'), receivedAtUs: 10 }
    ])
    decode(journal)
    journal.close()
    const reopened = new Journal(join(folder, 'journal.sqlite'))
    reopened.appendRawChunks([{ port: 'p', connection: 1, bytes: lines('34'), receivedAtUs: 20 }])
    expect(decode(reopened).passings.map(p => [p.bib, p.timeUs])).toEqual([['1234', 10]])
    reopened.appendRawChunks([
      { port: 'p', connection: 1, bytes: new TextEncoder().encode('56'), receivedAtUs: 30 },
      { port: 'p', connection: 2, bytes: lines('78'), receivedAtUs: 40 }
    ])
    const outcome = decode(reopened)
    expect(outcome.passings.map(p => p.bib)).toEqual(['78'])
    expect(outcome.badFrames.map(b => b.reason)).toEqual(['truncated line (connection ended)'])
    reopened.close()
  })

  it('holds a passing without a bib until one is given; voids and fixes only before sync', () => {
    const { journal } = journalIn()
    const session = journal.openSession('A', 1)
    const noBib = journal.insertManual(session.id, null, 5, 5)
    const other = journal.insertManual(session.id, '12', 6, 6)
    expect(noBib.state).toBe('held')
    expect(journal.pendingBatch(session.id, 10).map(p => p.id)).toEqual([other.id])
    expect(journal.fixBib(noBib.id, ' 44 ', 7)).toBe('applied')
    expect(journal.passing(noBib.id)).toMatchObject({ bib: '44', state: 'pending' })
    journal.markSynced([other.id], 'T', 8)
    expect(journal.voidPassing(other.id, 9)).toBe('kept-locally-after-sync')
    expect(journal.passing(other.id)?.state).toBe('synced')
    expect(journal.corrections(session.id).map(c => [c.kind, c.afterSync])).toEqual([
      ['bib', false],
      ['void', true]
    ])
    journal.setInflight({ sessionId: session.id, token: 'T', firstNum: 1, lastNum: 1 }, 10)
    expect(journal.voidPassing(noBib.id, 11)).toBe('being-uploaded')
    journal.close()
  })

  it('keeps per-session counts as passings are added, held, fixed, voided and synced, equal to a recount', () => {
    const { journal, path } = journalIn()
    const recount = (sessionId?: number) => {
      const raw = new Database(path, { readonly: true })
      const rows = raw
        .prepare(
          `SELECT state, COUNT(*) AS n FROM passings ${sessionId === undefined ? '' : 'WHERE session_id = ?'} GROUP BY state`
        )
        .all(...(sessionId === undefined ? [] : [sessionId])) as Array<{ state: string; n: number }>
      raw.close()
      return Object.fromEntries(rows.map(row => [row.state, row.n]))
    }
    const nonZero = (counts: object) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0))
    const first = journal.openSession('A', 1)
    const held = journal.insertManual(first.id, null, 5, 5)
    const kept = journal.insertManual(first.id, '12', 6, 6)
    journal.insertManual(first.id, '13', 7, 7)
    const second = journal.openSession('B', 8)
    journal.insertManual(second.id, '14', 9, 9)
    journal.fixBib(held.id, '44', 10)
    journal.markSynced([kept.id], 'T', 11)
    journal.voidPassing(held.id, 12)
    for (const sessionId of [first.id, second.id, undefined]) {
      expect(nonZero(journal.counts(sessionId))).toEqual(recount(sessionId))
    }
    expect(journal.counts()).toMatchObject({ pending: 2, synced: 1, void: 1, held: 0 })
    journal.close()
  })

  it('counts the passings of a journal from the previous version when it upgrades it', () => {
    const { journal, path } = journalIn()
    const session = journal.openSession('A', 1)
    journal.close()
    // Back to format 2, as the previous version left it, with passings it captured.
    rewind(
      path,
      2,
      `DROP TABLE manual_entry_keys; DROP INDEX corrections_by_passing;
      INSERT INTO passings (session_id, num_passing, bib, time_us, source, captured_at_us, state)
        VALUES (${session.id}, 1, '1', 1, 'reader', 1, 'synced'), (${session.id}, 2, '2', 2, 'reader', 2, 'pending');
      UPDATE sessions SET next_num = 3 WHERE id = ${session.id};`
    )
    const upgraded = new Journal(path)
    expect(upgraded.counts(session.id)).toMatchObject({ synced: 1, pending: 1 })
    upgraded.insertManual(session.id, '3', 3, 3)
    expect(upgraded.counts()).toMatchObject({ synced: 1, pending: 2 })
    upgraded.close()
  })

  it('upgrades a journal of the shipped format 3 (manual entry keys, before the passing counts)', () => {
    const { journal, path } = journalIn()
    const session = journal.openSession('A', 1)
    journal.close()
    // As the version before the counts left it: format 3 is the entry screens' keys, already in this file.
    rewind(
      path,
      3,
      `INSERT INTO passings (session_id, num_passing, bib, time_us, source, captured_at_us, state)
        VALUES (${session.id}, 1, '1', 1, 'reader', 1, 'synced');
      UPDATE sessions SET next_num = 2 WHERE id = ${session.id};`
    )
    const upgraded = new Journal(path)
    expect(upgraded.counts(session.id)).toMatchObject({ synced: 1 })
    upgraded.close()
  })

  it('upgrades a journal of format 4: no passing has a sync attempt yet, and a batch in flight is kept', () => {
    const { journal, path } = journalIn()
    const session = journal.openSession('A', 1)
    journal.close()
    rewind(
      path,
      4,
      `INSERT INTO passings (session_id, num_passing, bib, time_us, source, captured_at_us, state)
        VALUES (${session.id}, 1, '1', 1, 'reader', 1, 'pending');
      INSERT INTO sync_inflight (session_id, token_session, first_num, last_num, started_at_ms)
        VALUES (${session.id}, 'T', 1, 1, 5);
      UPDATE sessions SET next_num = 2 WHERE id = ${session.id};`
    )
    const upgraded = new Journal(path)
    expect(upgraded.passingsOfSession(session.id)).toMatchObject([{ num: 1, syncAttempts: 0 }])
    expect(upgraded.inflight(session.id)).toEqual({
      sessionId: session.id,
      token: 'T',
      firstNum: 1,
      lastNum: 1,
      resent: false
    })
    upgraded.close()
  })

  it('refuses a journal written by a newer version without changing it', () => {
    const { journal, path } = journalIn()
    journal.close()
    const raw = new Database(path)
    raw.exec('PRAGMA user_version = 99')
    raw.close()
    const hash = () => createHash('sha256').update(readFileSync(path)).digest('hex')
    const before = hash()
    expect(() => new Journal(path)).toThrow(JournalTooNewError)
    expect(() => new Journal(path)).toThrow(
      new RegExp(
        `newer RUFUS Station \\(journal format 99; this version knows up to ${JOURNAL_SCHEMA_VERSION}\\)`
      )
    )
    expect(hash()).toBe(before)
  })

  it('refuses a damaged file without writing to it', () => {
    const folder = tempFolder()
    const path = join(folder, 'journal.sqlite')
    writeFileSync(path, 'this is not a database '.repeat(400))
    const before = readFileSync(path)
    expect(() => new Journal(path)).toThrow()
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('strongest read: two crossings of a chip decoded together (a backlog after a restart) are two passings', () => {
    const { journal, folder } = journalIn()
    journal.openSession('A', 1)
    const S = 1_000_000
    // Stored before a crash, decoded together at the next start: a hold is still open when the later crossing
    // comes, its window long closed. The earlier crossing was overwritten by the later one: no passing, no
    // suppression, no trace.
    journal.appendRawChunks([
      { port: 'p', connection: 1, bytes: lines('CHIP1'), receivedAtUs: 100 * S },
      { port: 'p', connection: 1, bytes: lines('CHIP1'), receivedAtUs: 100.5 * S },
      { port: 'p', connection: 1, bytes: lines('CHIP1'), receivedAtUs: 105 * S }
    ])
    journal.close()
    const reopened = new Journal(join(folder, 'journal.sqlite'))
    const chips = createLineDecoder({ field: 'chip' })
    const policy = { dedup: { windowMs: 2000, mode: 'strongest' }, bibPolicy: 'chip' } as const
    const outcome = reopened.decodePending(() => chips, policy, 110 * S)
    expect(outcome.passings.map(p => [p.num, p.timeUs])).toEqual([
      [1, 100 * S],
      [2, 105 * S]
    ])
    // The read half a second later is the crossing's duplicate: suppressed, with its reason kept.
    expect(reopened.suppressions(1).map(s => [s.timeUs, s.reason])).toEqual([
      [100.5 * S, 'weaker (?) than the held read (?)']
    ])
    expect(reopened.nextHoldReleaseUs()).toBeNull()
    reopened.close()
  })

  it('refuses a row the schema does not allow, naming its table and column, instead of passing it on', () => {
    const { journal, path } = journalIn()
    const session = journal.openSession('A', 1)
    journal.insertManual(session.id, '12', 5, 5)
    const raw = new Database(path)
    raw.exec(`UPDATE passings SET state = 'lost' WHERE num_passing = 1`)
    raw.close()
    expect(() => journal.passingsOfSession(session.id)).toThrow(JournalRowError)
    expect(() => journal.passingsOfSession(session.id)).toThrow(
      'journal row passings.state holds string lost'
    )
    journal.close()
  })
})
