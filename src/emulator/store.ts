/* eslint max-lines: ["error", { "max": 420, "skipBlankLines": true, "skipComments": true }] -- jobs: the emulator's
   SQLite schema and its versions; API keys; devices; sessions; passings with the cloud's de-duplication; the admin
   surface tests use. One store so that every endpoint's write is one transaction over one connection. */
import { applyMigrations } from '../core/db/migrations'
import { inTransaction, openDatabase, type SqliteDatabase } from '../core/db/sqlite'
import { newCloudId, serverNow } from './ids'
import type { DedupeKey } from './quirks'

export type AccessType = 'READ' | 'WRITE' | 'READ_WRITE'

export interface ApiKeyRecord {
  readonly apiKey: string
  readonly company: string
  readonly access: AccessType
  readonly canUnbind: boolean
}

export interface DeviceRow {
  deviceid: string
  company: string
  type: string
  model: string
  alias: string | null
  firmware: string | null
  serial_number: string
  creation_date: string
  last_seen: string | null
  sessions: number
  passings: number
}

export interface SessionRow {
  token_session: string
  deviceid: string
  alias: string | null
  creation_date: string
  active: number
  passings: number
  first_ms: number | null
  last_ms: number | null
  created_seq: number
}

export interface PassingRow {
  token_session: string
  deviceid: string
  num_passing: number
  bib: string
  ts_ms: number
  chip: string | null
  participant_id: string | null
  gender: string | null
  status: string | null
  timezone: string | null
  latitude: string | null
  longitude: string | null
}

/** A passing as accepted from a request, already validated. Coordinates are kept as their JSON text. */
export interface NewPassing {
  readonly num_passing: number
  readonly bib: string
  readonly ts_ms: number
  readonly chip: string | null
  readonly participant_id: string | null
  readonly gender: string | null
  readonly status: string | null
  readonly timezone: string | null
  readonly latitude: string | null
  readonly longitude: string | null
}

export interface InsertOutcome {
  readonly inserted: number
  readonly duplicates: number
}

/**
 * The emulator database's versions, applied in order (`user_version` counts them). Never edit a shipped one: add
 * the next. v1 is the schema from before versioning, written with IF NOT EXISTS so that a database made then is
 * taken as v1 as it stands.
 */
const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE IF NOT EXISTS api_keys (
  api_key TEXT PRIMARY KEY, company TEXT NOT NULL, access TEXT NOT NULL, can_unbind INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  deviceid TEXT PRIMARY KEY, company TEXT NOT NULL, type TEXT NOT NULL, model TEXT NOT NULL, alias TEXT,
  firmware TEXT, serial_number TEXT NOT NULL, creation_date TEXT NOT NULL, last_seen TEXT,
  created_seq INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS devices_company_serial ON devices (company, serial_number);
CREATE TABLE IF NOT EXISTS sessions (
  token_session TEXT PRIMARY KEY, deviceid TEXT NOT NULL, alias TEXT, creation_date TEXT NOT NULL,
  active INTEGER NOT NULL, created_seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_device ON sessions (deviceid, created_seq);
CREATE TABLE IF NOT EXISTS passings (
  id INTEGER PRIMARY KEY, token_session TEXT NOT NULL, deviceid TEXT NOT NULL, num_passing INTEGER NOT NULL,
  bib TEXT NOT NULL, ts_ms INTEGER NOT NULL, chip TEXT, participant_id TEXT, gender TEXT, status TEXT,
  timezone TEXT, latitude TEXT, longitude TEXT);
CREATE INDEX IF NOT EXISTS passings_session ON passings (token_session, num_passing, id);
CREATE INDEX IF NOT EXISTS passings_device ON passings (deviceid, ts_ms, num_passing, id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`
]

export const EMULATOR_SCHEMA_VERSION = MIGRATIONS.length

/** How a stored duplicate is looked up in the session, per de-duplication key (parameters after the token). */
const DUPLICATE_LOOKUP: Record<
  Exclude<DedupeKey, 'none'>,
  { where: string; of: (p: NewPassing) => unknown[] }
> = {
  number: { where: 'num_passing = ?', of: p => [p.num_passing] },
  bib: { where: 'bib = ?', of: p => [p.bib] },
  // `IS` so that two passings without a chip at the same instant collide too.
  'chip-timestamp': { where: 'chip IS ? AND ts_ms = ?', of: p => [p.chip, p.ts_ms] }
}

const SESSION_COLUMNS = `s.token_session, s.deviceid, s.alias, s.creation_date, s.active, s.created_seq,
  (SELECT COUNT(*) FROM passings p WHERE p.token_session = s.token_session) AS passings,
  (SELECT MIN(ts_ms) FROM passings p WHERE p.token_session = s.token_session) AS first_ms,
  (SELECT MAX(ts_ms) FROM passings p WHERE p.token_session = s.token_session) AS last_ms`

const DEVICE_COLUMNS = `d.deviceid, d.company, d.type, d.model, d.alias, d.firmware, d.serial_number,
  d.creation_date, d.last_seen,
  (SELECT COUNT(*) FROM sessions s WHERE s.deviceid = d.deviceid) AS sessions,
  (SELECT COUNT(*) FROM passings p WHERE p.deviceid = d.deviceid) AS passings`

/**
 * The emulator's database: companies' keys, devices, sessions and passings in one SQLite file.
 *
 * Every method that changes more than one row runs in a single transaction, so a request is applied whole or
 * not at all.
 */
export class EmulatorStore {
  readonly #db: SqliteDatabase
  readonly #now: () => number

  constructor(path: string, options: { readonly now: () => number }) {
    this.#db = openDatabase(path, { synchronous: 'NORMAL' })
    try {
      applyMigrations(
        this.#db,
        MIGRATIONS,
        found =>
          new Error(
            `The emulator database ${path} was written by a newer emulator (schema ${found}, this one knows ` +
              `${EMULATOR_SCHEMA_VERSION}); it was left unchanged. Use another --db file.`
          )
      )
    } catch (error) {
      this.#db.close()
      throw error
    }
    this.#now = options.now
  }

  close(): void {
    this.#db.close()
  }

  upsertKey(key: ApiKeyRecord): void {
    this.#db
      .prepare(
        `INSERT INTO api_keys (api_key, company, access, can_unbind) VALUES (?, ?, ?, ?)
         ON CONFLICT (api_key) DO UPDATE SET company = excluded.company, access = excluded.access,
         can_unbind = excluded.can_unbind`
      )
      .run(key.apiKey, key.company, key.access, key.canUnbind ? 1 : 0)
  }

  revokeKey(apiKey: string): boolean {
    return this.#db.prepare('DELETE FROM api_keys WHERE api_key = ?').run(apiKey).changes > 0
  }

  findKey(apiKey: string): ApiKeyRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM api_keys WHERE api_key = ?').get(apiKey) as
      { api_key: string; company: string; access: AccessType; can_unbind: number } | undefined
    if (!row) return undefined
    return { apiKey: row.api_key, company: row.company, access: row.access, canUnbind: row.can_unbind === 1 }
  }

  #nextSeq(name: string): number {
    const row = this.#db
      .prepare(
        `INSERT INTO counters (name, value) VALUES (?, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`
      )
      .get(name) as { value: number }
    return row.value
  }

  /** Binds a device, or returns the id already bound to this serial number in this company. */
  bindDevice(
    company: string,
    fields: {
      type: string
      model: string
      serial_number: string
      alias: string | null
      firmware: string | null
    }
  ): { deviceid: string; created: boolean } {
    return inTransaction(this.#db, () => {
      const existing = this.#db
        .prepare('SELECT deviceid FROM devices WHERE company = ? AND serial_number = ?')
        .get(company, fields.serial_number) as { deviceid: string } | undefined
      if (existing) return { deviceid: existing.deviceid, created: false }
      const deviceid = newCloudId()
      const now = serverNow(this.#now())
      this.#db
        .prepare(
          `INSERT INTO devices (deviceid, company, type, model, alias, firmware, serial_number, creation_date,
           last_seen, created_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          deviceid,
          company,
          fields.type,
          fields.model,
          fields.alias,
          fields.firmware,
          fields.serial_number,
          now,
          now,
          this.#nextSeq('devices')
        )
      return { deviceid, created: true }
    })
  }

  /** Deletes a device with all of its sessions and passings, as the cloud does on unbind. */
  unbindDevice(company: string, deviceid: string): boolean {
    return inTransaction(this.#db, () => {
      if (!this.findDevice(company, deviceid)) return false
      this.#db.prepare('DELETE FROM passings WHERE deviceid = ?').run(deviceid)
      this.#db.prepare('DELETE FROM sessions WHERE deviceid = ?').run(deviceid)
      this.#db.prepare('DELETE FROM devices WHERE deviceid = ?').run(deviceid)
      return true
    })
  }

  findDevice(company: string, deviceid: string): DeviceRow | undefined {
    return this.#db
      .prepare(`SELECT ${DEVICE_COLUMNS} FROM devices d WHERE d.company = ? AND d.deviceid = ?`)
      .get(company, deviceid) as DeviceRow | undefined
  }

  touchDevice(deviceid: string): void {
    this.#db
      .prepare('UPDATE devices SET last_seen = ? WHERE deviceid = ?')
      .run(serverNow(this.#now()), deviceid)
  }

  listDevices(company: string, page: number, limit: number): { rows: DeviceRow[]; total: number } {
    const total = (
      this.#db.prepare('SELECT COUNT(*) AS n FROM devices WHERE company = ?').get(company) as { n: number }
    ).n
    const rows = this.#db
      .prepare(
        `SELECT ${DEVICE_COLUMNS} FROM devices d WHERE d.company = ? ORDER BY d.created_seq LIMIT ? OFFSET ?`
      )
      .all(company, limit, (page - 1) * limit) as DeviceRow[]
    return { rows, total }
  }

  /** Creates the device's new active session and closes any other active one, in one transaction. */
  insertSession(deviceid: string, alias: string | null): string {
    return inTransaction(this.#db, () => {
      this.#db.prepare('UPDATE sessions SET active = 0 WHERE deviceid = ? AND active = 1').run(deviceid)
      const token = newCloudId()
      this.#db
        .prepare(
          `INSERT INTO sessions (token_session, deviceid, alias, creation_date, active, created_seq)
           VALUES (?, ?, ?, ?, 1, ?)`
        )
        .run(token, deviceid, alias, serverNow(this.#now()), this.#nextSeq('sessions'))
      this.touchDevice(deviceid)
      return token
    })
  }

  findSession(company: string, token: string): SessionRow | undefined {
    return this.#db
      .prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions s JOIN devices d ON d.deviceid = s.deviceid
         WHERE d.company = ? AND s.token_session = ?`
      )
      .get(company, token) as SessionRow | undefined
  }

  /** The session's owner and state only, without counting its passings (the insert path needs no more). */
  findSessionState(company: string, token: string): { deviceid: string; active: number } | undefined {
    return this.#db
      .prepare(
        `SELECT s.deviceid, s.active FROM sessions s JOIN devices d ON d.deviceid = s.deviceid
         WHERE d.company = ? AND s.token_session = ?`
      )
      .get(company, token) as { deviceid: string; active: number } | undefined
  }

  /** Closing is idempotent: closing a closed session still succeeds. */
  closeSession(token: string): void {
    this.#db.prepare('UPDATE sessions SET active = 0 WHERE token_session = ?').run(token)
  }

  /** Closes every active session created at or before the given server date (the cloud's own expiry). */
  closeSessionsCreatedBy(creationDate: string): void {
    this.#db
      .prepare('UPDATE sessions SET active = 0 WHERE active = 1 AND creation_date <= ?')
      .run(creationDate)
  }

  sessionsOfDevice(deviceid: string): SessionRow[] {
    return this.#db
      .prepare(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.deviceid = ? ORDER BY s.created_seq`)
      .all(deviceid) as SessionRow[]
  }

  activeSession(deviceid: string): SessionRow | undefined {
    return this.#db
      .prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.deviceid = ? AND s.active = 1
         ORDER BY s.created_seq DESC LIMIT 1`
      )
      .get(deviceid) as SessionRow | undefined
  }

  /** The first session of the device created after the given one, if any. */
  nextSessionAfter(deviceid: string, createdSeq: number): SessionRow | undefined {
    return this.#db
      .prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.deviceid = ? AND s.created_seq > ?
         ORDER BY s.created_seq LIMIT 1`
      )
      .get(deviceid, createdSeq) as SessionRow | undefined
  }

  latestSession(deviceid: string): SessionRow | undefined {
    return this.#db
      .prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.deviceid = ? ORDER BY s.created_seq DESC LIMIT 1`
      )
      .get(deviceid) as SessionRow | undefined
  }

  /**
   * Inserts a batch in one transaction. Unless `dedupeOn` is `none`, a passing whose key is already stored in the
   * session (or repeated within the batch) is counted as a duplicate and not stored again.
   */
  insertPassings(
    token: string,
    deviceid: string,
    passings: readonly NewPassing[],
    dedupeOn: DedupeKey
  ): InsertOutcome {
    const lookup = dedupeOn === 'none' ? undefined : DUPLICATE_LOOKUP[dedupeOn]
    const exists = lookup
      ? this.#db.prepare(`SELECT 1 FROM passings WHERE token_session = ? AND ${lookup.where} LIMIT 1`)
      : undefined
    const insert = this.#db.prepare(
      `INSERT INTO passings (token_session, deviceid, num_passing, bib, ts_ms, chip, participant_id, gender,
       status, timezone, latitude, longitude) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    return inTransaction(this.#db, () => {
      let inserted = 0
      let duplicates = 0
      for (const p of passings) {
        if (lookup && exists?.get(token, ...lookup.of(p))) {
          duplicates += 1
          continue
        }
        insert.run(
          token,
          deviceid,
          p.num_passing,
          p.bib,
          p.ts_ms,
          p.chip,
          p.participant_id,
          p.gender,
          p.status,
          p.timezone,
          p.latitude,
          p.longitude
        )
        inserted += 1
      }
      this.touchDevice(deviceid)
      return { inserted, duplicates }
    })
  }

  passingsOfSession(token: string, first: number | null, last: number | null, limit: number, offset: number) {
    return this.#db
      .prepare(
        `SELECT * FROM passings WHERE token_session = ? AND num_passing >= ? AND num_passing <= ?
         ORDER BY num_passing, id LIMIT ? OFFSET ?`
      )
      .all(
        token,
        first ?? Number.MIN_SAFE_INTEGER,
        last ?? Number.MAX_SAFE_INTEGER,
        limit,
        offset
      ) as PassingRow[]
  }

  passingsOfDevice(
    deviceid: string,
    fromMs: number | null,
    toMs: number | null,
    limit: number,
    offset: number
  ) {
    return this.#db
      .prepare(
        `SELECT * FROM passings WHERE deviceid = ? AND ts_ms >= ? AND ts_ms <= ?
         ORDER BY ts_ms, num_passing, id LIMIT ? OFFSET ?`
      )
      .all(
        deviceid,
        fromMs ?? Number.MIN_SAFE_INTEGER,
        toMs ?? Number.MAX_SAFE_INTEGER,
        limit,
        offset
      ) as PassingRow[]
  }

  passingsAfter(
    token: string,
    afterNum: number,
    fromMs: number | null,
    toMs: number | null,
    limit: number,
    offset: number
  ) {
    return this.#db
      .prepare(
        `SELECT * FROM passings WHERE token_session = ? AND num_passing > ? AND ts_ms >= ? AND ts_ms <= ?
         ORDER BY num_passing, id LIMIT ? OFFSET ?`
      )
      .all(
        token,
        afterNum,
        fromMs ?? Number.MIN_SAFE_INTEGER,
        toMs ?? Number.MAX_SAFE_INTEGER,
        limit,
        offset
      ) as PassingRow[]
  }

  // ---- admin surface (tests only) ----

  deletePassing(token: string, numPassing: number): number {
    return this.#db
      .prepare('DELETE FROM passings WHERE token_session = ? AND num_passing = ?')
      .run(token, numPassing).changes
  }

  dump(): { keys: unknown[]; devices: unknown[]; sessions: unknown[]; passings: number } {
    return {
      keys: this.#db.prepare('SELECT api_key, company, access, can_unbind FROM api_keys').all(),
      devices: this.#db.prepare('SELECT * FROM devices ORDER BY created_seq').all(),
      sessions: this.#db.prepare('SELECT * FROM sessions ORDER BY created_seq').all(),
      passings: (this.#db.prepare('SELECT COUNT(*) AS n FROM passings').get() as { n: number }).n
    }
  }

  reset(): void {
    this.#db.exec('DELETE FROM passings; DELETE FROM sessions; DELETE FROM devices;')
  }
}
