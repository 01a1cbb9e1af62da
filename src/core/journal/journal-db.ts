/**
 * The journal's database kernel: opens the SQLite file (and migrates it), keeps prepared statements, runs
 * transactions, and hands rows out only through a mapping of `rows.ts`.
 */
import { inTransaction, openDatabase, type SqliteDatabase } from '../db/sqlite'
import { migrate } from './schema'

interface Statement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint }
  get(...params: unknown[]): unknown
  all(...params: unknown[]): unknown[]
}

/** Maps one row as SQLite returns it to a typed record (the functions of `rows.ts`). */
export type RowMapping<T> = (row: unknown) => T

export interface JournalDbOptions {
  /** Caps the file's size in pages (tests fill a small "disk" with it). */
  readonly maxPageCount?: number
}

export class JournalDb {
  readonly #db: SqliteDatabase
  /** Bounded by the SQL written in the journal's modules: every source is a literal. */
  readonly #statements = new Map<string, Statement>()

  /** WAL with synchronous=FULL: a commit survives a power cut (`docs/station-core.md`). */
  constructor(path: string, options: JournalDbOptions = {}) {
    this.#db = openDatabase(path, { synchronous: 'FULL' })
    try {
      // Reading the schema fails here, before any write, if the file is not a database.
      this.#db.prepare('SELECT count(*) FROM sqlite_master').get()
      migrate(this.#db)
      if (options.maxPageCount !== undefined) this.#db.exec(`PRAGMA max_page_count = ${options.maxPageCount}`)
    } catch (error) {
      this.#db.close()
      throw error
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close()
  }

  /** Runs `work` as one transaction (see `inTransaction`: the error that stopped it is the one thrown). */
  transaction<T>(work: () => T): T {
    return inTransaction(this.#db, work)
  }

  run(source: string, ...params: unknown[]): { changes: number; lastInsertRowid: number | bigint } {
    return this.#sql(source).run(...params)
  }

  /** The first row, mapped; null when there is none. */
  one<T>(map: RowMapping<T>, source: string, ...params: unknown[]): T | null {
    const row = this.#sql(source).get(...params)
    return row === undefined ? null : map(row)
  }

  all<T>(map: RowMapping<T>, source: string, ...params: unknown[]): T[] {
    return this.#sql(source)
      .all(...params)
      .map(map)
  }

  /** Whether the query returns a row at all. */
  exists(source: string, ...params: unknown[]): boolean {
    return this.#sql(source).get(...params) !== undefined
  }

  /**
   * Prepared statements are reused: preparing is most of the cost of a small query. One whose `get` failed is
   * dropped: libsql 0.5.29 leaves it mid-run, and its next `get` ignores the new parameters and runs the failed
   * call's again (after a full disk, the next passing took a number already given, and kept failing on it).
   */
  #sql(source: string): Statement {
    const cached = this.#statements.get(source)
    if (cached) return cached
    const prepared = this.#db.prepare<unknown[]>(source)
    const statement: Statement = {
      run: (...params) => prepared.run(...params),
      all: (...params) => prepared.all(...params),
      get: (...params) => {
        try {
          return prepared.get(...params)
        } catch (error) {
          this.#statements.delete(source)
          throw error
        }
      }
    }
    this.#statements.set(source, statement)
    return statement
  }
}
