import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { inTransaction, openDatabase, type SqliteDatabase } from '../../src/core/db/sqlite'

describe('inTransaction', () => {
  const folders: string[] = []
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
  })

  function database(): SqliteDatabase {
    const folder = mkdtempSync(join(tmpdir(), 'rufus-txn-'))
    folders.push(folder)
    const db = openDatabase(join(folder, 'test.sqlite'), { synchronous: 'FULL' })
    db.exec('CREATE TABLE t (n INTEGER)')
    return db
  }

  it('rethrows the real failure when SQLite has already rolled back by itself (as on a full disk)', () => {
    const db = database()
    // A full disk makes SQLite end the transaction itself; a ROLLBACK in the work stands in for that here.
    expect(() =>
      inTransaction(db, () => {
        db.prepare('INSERT INTO t VALUES (1)').run()
        db.exec('ROLLBACK')
        throw new Error('database or disk is full')
      })
    ).toThrow('database or disk is full')
    expect(db.inTransaction).toBe(false)
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toMatchObject({ n: 0 })
    db.close()
  })

  it('commits what the work did, and rolls it back when the work fails', () => {
    const db = database()
    expect(inTransaction(db, () => db.prepare('INSERT INTO t VALUES (1)').run().changes)).toBe(1)
    expect(() =>
      inTransaction(db, () => {
        db.prepare('INSERT INTO t VALUES (2)').run()
        throw new Error('refused')
      })
    ).toThrow('refused')
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toMatchObject({ n: 1 })
    db.close()
  })
})
