import { inTransaction, pragmaValue, type SqliteDatabase } from './sqlite'

/**
 * Brings a database to the newest of `migrations`, each applied whole or not at all. SQLite's `user_version` counts
 * the migrations already applied, so a shipped migration must never change: the next change is a new entry.
 * A database written by a newer version is refused before anything is written (`tooNew` says so in its words).
 */
export function applyMigrations(
  db: SqliteDatabase,
  migrations: readonly string[],
  tooNew: (found: number) => Error
): void {
  const current = schemaVersion(db)
  if (current > migrations.length) throw tooNew(current)
  for (let version = current; version < migrations.length; version += 1) {
    const sql = migrations[version] ?? ''
    inTransaction(db, () => {
      db.exec(sql)
      db.exec(`PRAGMA user_version = ${version + 1}`)
    })
  }
}

/** How many migrations the database says it has had. */
export function schemaVersion(db: SqliteDatabase): number {
  return Number(pragmaValue(db, 'user_version') ?? 0)
}
