import Database from 'libsql'

/** A better-sqlite3-compatible handle; every SQL call in the project goes through one of these. */
export type SqliteDatabase = InstanceType<typeof Database>

export interface OpenDatabaseOptions {
  /**
   * FULL makes every commit durable across a power cut in WAL mode (NORMAL may lose the last commits);
   * the journal uses FULL, the emulator NORMAL because it stands in for a remote server.
   */
  readonly synchronous: 'FULL' | 'NORMAL'
  readonly readonly?: boolean
}

/** Opens (or creates) a SQLite file in WAL mode with the given durability. */
export function openDatabase(path: string, options: OpenDatabaseOptions): SqliteDatabase {
  const db = new Database(path, { readonly: options.readonly ?? false })
  db.exec('PRAGMA busy_timeout = 5000')
  if (!options.readonly) {
    db.exec('PRAGMA journal_mode = WAL')
    db.exec(`PRAGMA synchronous = ${options.synchronous}`)
    // On macOS fsync leaves data in the drive's cache; F_FULLFSYNC is what survives a power cut there.
    if (process.platform === 'darwin' && options.synchronous === 'FULL') db.exec('PRAGMA fullfsync = ON')
  }
  db.exec('PRAGMA foreign_keys = ON')
  return db
}

/**
 * Runs `work` in one transaction: committed if it returns, rolled back if it throws, and the error thrown is the
 * one that stopped it. libsql's own `transaction()` rolls back unconditionally, and where SQLite has already
 * rolled back by itself (a full disk, `RAISE(ROLLBACK)`), its "cannot rollback - no transaction is active"
 * replaced the real cause.
 */
export function inTransaction<T>(db: SqliteDatabase, work: () => T): T {
  db.exec('BEGIN')
  try {
    const result = work()
    db.exec('COMMIT')
    return result
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
}

/** libsql adds an enumerable `_metadata` key to rows; strip it so rows compare and serialise cleanly. */
export function plainRow<T extends object>(row: unknown): T {
  const copy = { ...(row as Record<string, unknown>) }
  delete copy['_metadata']
  return copy as T
}

/** Reads one pragma's value (libsql ignores better-sqlite3's `{ simple: true }`). */
export function pragmaValue(db: SqliteDatabase, name: string): unknown {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined
  return row?.[name]
}
