import { applyMigrations } from '../db/migrations'
import type { SqliteDatabase } from '../db/sqlite'
import { MessageError } from '../message-error'

/**
 * Versioned migrations of the journal, applied in order inside one transaction each.
 *
 * The version lives in SQLite's `user_version`. Never edit a shipped migration: add the next one.
 */
const MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE device (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    serial_number TEXT NOT NULL,
    model TEXT NOT NULL,
    alias TEXT,
    deviceid TEXT,
    bound_at_ms INTEGER
  );
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    alias TEXT NOT NULL,
    opened_at_us INTEGER NOT NULL,
    closed_at_us INTEGER,
    next_num INTEGER NOT NULL DEFAULT 1,
    token_session TEXT,
    cloud_num_offset INTEGER NOT NULL DEFAULT 0,
    cloud_state TEXT NOT NULL DEFAULT 'none',
    block_kind TEXT,
    block_message TEXT
  );
  CREATE TABLE raw_chunks (
    id INTEGER PRIMARY KEY,
    port TEXT NOT NULL,
    connection INTEGER NOT NULL,
    session_id INTEGER REFERENCES sessions (id),
    received_at_us INTEGER NOT NULL,
    bytes BLOB NOT NULL
  );
  CREATE TABLE decoder_states (
    port TEXT PRIMARY KEY,
    protocol TEXT NOT NULL,
    connection INTEGER NOT NULL,
    pending BLOB NOT NULL,
    start_chunk_id INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    start_at_us INTEGER NOT NULL,
    bad_frames INTEGER NOT NULL DEFAULT 0,
    last_bad_reason TEXT
  );
  CREATE TABLE passings (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    num_passing INTEGER NOT NULL,
    bib TEXT,
    chip TEXT,
    time_us INTEGER NOT NULL,
    source TEXT NOT NULL,
    port TEXT,
    raw_chunk_id INTEGER,
    raw_offset INTEGER,
    captured_at_us INTEGER NOT NULL,
    state TEXT NOT NULL,
    cloud_token TEXT,
    synced_at_ms INTEGER,
    sync_note TEXT,
    UNIQUE (session_id, num_passing),
    UNIQUE (raw_chunk_id, raw_offset)
  );
  CREATE INDEX passings_by_state ON passings (session_id, state, num_passing);
  CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    passing_id INTEGER NOT NULL REFERENCES passings (id),
    kind TEXT NOT NULL,
    old_bib TEXT,
    new_bib TEXT,
    at_us INTEGER NOT NULL,
    after_sync INTEGER NOT NULL
  );
  CREATE TABLE sync_inflight (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id),
    token_session TEXT NOT NULL,
    first_num INTEGER NOT NULL,
    last_num INTEGER NOT NULL,
    started_at_ms INTEGER NOT NULL
  );
  CREATE TABLE station_log (
    id INTEGER PRIMARY KEY,
    at_us INTEGER NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL
  );
  `,
  // v2: protocols with context, reader identities, duplicate suppression, participants, ignore windows
  `
  ALTER TABLE decoder_states ADD COLUMN context TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE passings ADD COLUMN reader_key TEXT;
  ALTER TABLE passings ADD COLUMN antenna INTEGER;
  ALTER TABLE passings ADD COLUMN rssi INTEGER;
  CREATE UNIQUE INDEX passings_by_reader_key ON passings (session_id, port, reader_key) WHERE reader_key IS NOT NULL;
  CREATE INDEX passings_by_chip ON passings (session_id, chip, time_us);
  ALTER TABLE sessions ADD COLUMN ignore_before_us INTEGER;
  ALTER TABLE sessions ADD COLUMN ignore_after_us INTEGER;
  CREATE TABLE suppressed_reads (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    port TEXT,
    chip TEXT,
    bib TEXT,
    time_us INTEGER NOT NULL,
    raw_chunk_id INTEGER,
    raw_offset INTEGER,
    reader_key TEXT,
    rssi INTEGER,
    reason TEXT NOT NULL,
    kept_passing_id INTEGER
  );
  CREATE UNIQUE INDEX suppressed_by_identity ON suppressed_reads (raw_chunk_id, raw_offset);
  CREATE INDEX suppressed_by_reader_key ON suppressed_reads (session_id, port, reader_key);
  CREATE TABLE dedup_holds (
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    chip TEXT NOT NULL,
    port TEXT,
    bib TEXT,
    time_us INTEGER NOT NULL,
    rssi INTEGER,
    antenna INTEGER,
    raw_chunk_id INTEGER,
    raw_offset INTEGER,
    reader_key TEXT,
    window_end_us INTEGER NOT NULL,
    PRIMARY KEY (session_id, chip)
  );
  CREATE TABLE participants (chip TEXT PRIMARY KEY, bib TEXT NOT NULL, name TEXT);
  `,
  // v3: an entry screen's own key per manual entry (an entry sent again after a lost answer is stored once);
  // corrections looked up per passing (the upload grace period asks for each waiting passing)
  `
  CREATE TABLE manual_entry_keys (entry_key TEXT PRIMARY KEY, passing_id INTEGER NOT NULL REFERENCES passings (id));
  CREATE INDEX corrections_by_passing ON corrections (passing_id);
  `,
  // v4 (written after v3, the entry keys; both came in one release): passing counts per
  // session and state, kept by triggers, so no count reads the whole journal
  `
  CREATE TABLE passing_counts (
    session_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (session_id, state)
  ) WITHOUT ROWID;
  INSERT INTO passing_counts (session_id, state, n)
    SELECT session_id, state, COUNT(*) FROM passings GROUP BY session_id, state;
  CREATE TRIGGER passing_counts_on_insert AFTER INSERT ON passings BEGIN
    INSERT INTO passing_counts (session_id, state, n) VALUES (NEW.session_id, NEW.state, 1)
      ON CONFLICT (session_id, state) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER passing_counts_on_delete AFTER DELETE ON passings BEGIN
    UPDATE passing_counts SET n = n - 1 WHERE session_id = OLD.session_id AND state = OLD.state;
  END;
  CREATE TRIGGER passing_counts_on_update AFTER UPDATE OF session_id, state ON passings
    WHEN OLD.session_id IS NOT NEW.session_id OR OLD.state IS NOT NEW.state
  BEGIN
    UPDATE passing_counts SET n = n - 1 WHERE session_id = OLD.session_id AND state = OLD.state;
    INSERT INTO passing_counts (session_id, state, n) VALUES (NEW.session_id, NEW.state, 1)
      ON CONFLICT (session_id, state) DO UPDATE SET n = n + 1;
  END;
  `,
  // v5: sync attempts that must survive a restart: how often the cloud answered for a passing that a read-back then
  // did not show (a second time makes it a conflict), and whether a batch in flight was already sent again once
  `
  ALTER TABLE passings ADD COLUMN sync_attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sync_inflight ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;
  `
]

export const JOURNAL_SCHEMA_VERSION = MIGRATIONS.length

/** The journal was written by a newer RUFUS Station; this one must not touch it. */
export class JournalTooNewError extends MessageError {
  override readonly name = 'JournalTooNewError'
  constructor(readonly found: number) {
    super({ code: 'start.journal-too-new', params: { found, known: JOURNAL_SCHEMA_VERSION } })
  }
}

/** Brings the journal to the current version, or refuses a newer one without writing anything. */
export function migrate(db: SqliteDatabase): void {
  applyMigrations(db, MIGRATIONS, found => new JournalTooNewError(found))
}
