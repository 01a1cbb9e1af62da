import Database from 'libsql'
import { accessSync, constants, truncateSync } from 'node:fs'
import { join } from 'node:path'
import type { SqliteDatabase } from '../db/sqlite'
import { MessageError } from '../message-error'

export class DataFolderBusyError extends MessageError {
  override readonly name = 'DataFolderBusyError'
  constructor(
    readonly folder: string,
    readonly pid: number | null
  ) {
    super({ code: 'start.folder-busy', params: { folder, pid } })
  }
}

/** The small database whose write lock says "this folder is in use". */
export const LOCK_DATABASE = 'station-lock.sqlite'
/** The lock an adoption holds, in the folder that holds the data folder it fills (adopt-data-folder.ts). */
export const ADOPTION_LOCK_DATABASE = 'adoption-lock.sqlite'

/**
 * How long a start waits for the lock before refusing. The operating system frees a dead process's lock when
 * it closes its files, which can lag the kill by a few milliseconds (more on a busy Windows machine).
 */
const DEFAULT_WAIT_MS = 1500
/**
 * How long a start waits for another start's adoption: that one may itself wait DEFAULT_WAIT_MS for an older
 * station's lock, then copies a few small files and renames; a kill frees the lock at once.
 */
const ADOPTION_WAIT_MS = 10_000

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

function isDamaged(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
}

function ownerPid(db: SqliteDatabase): number | null {
  try {
    // all(), not get(): a statement left mid-way would keep a read lock that outlives close().
    const [row] = db.prepare('SELECT pid FROM owner WHERE id = 1').all() as Array<{ pid?: unknown }>
    return typeof row?.pid === 'number' ? row.pid : null
  } catch {
    return null // the owner has not written its pid yet, or holds a stronger lock for a moment
  }
}

/** Takes the write lock (RESERVED) and keeps it: readers can still see the owner's pid; writers wait. */
function takeWriteLock(db: SqliteDatabase): void {
  db.exec('BEGIN IMMEDIATE')
}

/**
 * One station per data folder, enforced by SQLite's own file lock on `station-lock.sqlite`: an open write
 * transaction held for the station's lifetime. The operating system drops that lock when the process ends,
 * however it ends (crash, kill, power cut), so nothing stale is ever left to trust or to clean up; a pid
 * number, which may belong to any other program after a reboot, is only written for the message.
 *
 * `station.lock` (a pid file written by older versions) is ignored.
 */
export function lockDataFolder(folder: string, waitMs = DEFAULT_WAIT_MS): { release(): void } {
  return lockDatabaseIn(folder, LOCK_DATABASE, waitMs)
}

/**
 * Held by a start while it adopts an earlier version's data folder (in the folder the data folder sits in, which
 * no adoption moves): two stations started at once would otherwise both move, and the second would set aside the
 * folder the first had just adopted. The second waits here, then finds the folder adopted. Released at once.
 */
export function lockAdoption(folder: string, waitMs = ADOPTION_WAIT_MS): { release(): void } {
  return lockDatabaseIn(folder, ADOPTION_LOCK_DATABASE, waitMs)
}

function lockDatabaseIn(folder: string, name: string, waitMs: number): { release(): void } {
  // libsql reports an unopenable file only as "Unable to open connection"; the file system says why.
  accessSync(folder, constants.W_OK)
  const path = join(folder, name)
  try {
    return takeFolderLock(folder, path, waitMs)
  } catch (error) {
    if (!isDamaged(error)) throw error
    // A lock database a power cut or a bad sector left unreadable holds nothing worth keeping, and no live
    // station can hold it (it could not have read it): empty it and lock again. Emptying never drops a lock (the
    // OS locks the file, not its bytes), so two starts racing here still end with one owner.
    truncateSync(path, 0)
    return takeFolderLock(folder, path, waitMs)
  }
}

function takeFolderLock(folder: string, path: string, waitMs: number): { release(): void } {
  const db = new Database(path)
  let lostRace = false
  try {
    // The default rollback journal, not WAL: its locks live on the file itself, with no shared-memory file.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(waitMs))}`)
    takeWriteLock(db)
    db.exec('CREATE TABLE IF NOT EXISTS owner (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL)')
    db.exec(`INSERT OR REPLACE INTO owner (id, pid) VALUES (1, ${process.pid})`)
    db.exec('COMMIT')
    // Between that commit and this, another start may take the lock: then it is the owner and this one yields
    // (the pid on file is still ours: the winner has not written its own yet).
    lostRace = true
    takeWriteLock(db)
  } catch (error) {
    const busy = isBusy(error)
    const pid = busy && !lostRace ? ownerPid(db) : null
    if (db.inTransaction) db.exec('ROLLBACK')
    db.close()
    if (busy) throw new DataFolderBusyError(folder, pid)
    throw error
  }
  let released = false
  return {
    release() {
      if (released) return
      released = true
      // Ending the transaction is what frees the lock at once; close() alone may leave the connection open
      // until unused statements are collected.
      db.exec('ROLLBACK')
      db.close()
    }
  }
}
