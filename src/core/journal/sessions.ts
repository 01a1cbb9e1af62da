/**
 * Local sessions: opening (which closes the one open), closing, their cloud link and block, and the ignore window
 * that keeps reads outside it from becoming passings. A session's passing numbers are `passings.ts`'s job.
 */
import type { JournalDb } from './journal-db'
import type { CloudSessionState, SessionRecord } from './records'
import type { StationMessage } from '../../shared/messages'
import { noteToStore, toIgnoreWindow, toSession, type IgnoreWindow } from './rows'

const NO_IGNORE_WINDOW: IgnoreWindow = { beforeUs: null, afterUs: null }

export class Sessions {
  constructor(private readonly db: JournalDb) {}

  /** Opens a new local session, closing the one that was open. */
  openSession(alias: string, atUs: number): SessionRecord {
    return this.db.transaction(() => this.replaceOpenSession(alias, atUs))
  }

  /** The work of `openSession`, for a caller that already holds a transaction. */
  replaceOpenSession(alias: string, atUs: number): SessionRecord {
    this.db.run('UPDATE sessions SET closed_at_us = ? WHERE closed_at_us IS NULL', atUs)
    const id = Number(
      this.db.run('INSERT INTO sessions (alias, opened_at_us) VALUES (?, ?)', alias, atUs).lastInsertRowid
    )
    return this.session(id) as SessionRecord
  }

  closeSession(id: number, atUs: number): void {
    this.db.run('UPDATE sessions SET closed_at_us = ? WHERE id = ? AND closed_at_us IS NULL', atUs, id)
  }

  openedSession(): SessionRecord | null {
    return this.db.one(
      toSession,
      'SELECT * FROM sessions WHERE closed_at_us IS NULL ORDER BY id DESC LIMIT 1'
    )
  }

  session(id: number): SessionRecord | null {
    return this.db.one(toSession, 'SELECT * FROM sessions WHERE id = ?', id)
  }

  /** Whether a cloud session token is (or was) one of this station's: a session's, or one its passings went to. */
  knowsCloudToken(token: string): boolean {
    return (
      this.db.exists('SELECT 1 FROM sessions WHERE token_session = ? LIMIT 1', token) ||
      this.db.exists('SELECT 1 FROM passings WHERE cloud_token = ? LIMIT 1', token)
    )
  }

  lastSession(): SessionRecord | null {
    return this.db.one(toSession, 'SELECT * FROM sessions ORDER BY id DESC LIMIT 1')
  }

  sessions(): SessionRecord[] {
    return this.db.all(toSession, 'SELECT * FROM sessions ORDER BY id')
  }

  setSessionCloud(
    id: number,
    fields: { token?: string | null; cloudState?: CloudSessionState; cloudOffset?: number }
  ): void {
    const current = this.session(id)
    if (!current) throw new Error(`no local session ${id}`)
    this.db.run(
      'UPDATE sessions SET token_session = ?, cloud_state = ?, cloud_num_offset = ? WHERE id = ?',
      fields.token === undefined ? current.token : fields.token,
      fields.cloudState ?? current.cloudState,
      fields.cloudOffset ?? current.cloudOffset,
      id
    )
  }

  setSessionBlock(id: number, kind: string | null, message: StationMessage | null): void {
    this.db.run(
      'UPDATE sessions SET block_kind = ?, block_message = ? WHERE id = ?',
      kind,
      message === null ? null : noteToStore(message),
      id
    )
  }

  setIgnoreWindow(sessionId: number, beforeUs: number | null, afterUs: number | null): void {
    this.db.run(
      'UPDATE sessions SET ignore_before_us = ?, ignore_after_us = ? WHERE id = ?',
      beforeUs,
      afterUs,
      sessionId
    )
  }

  /** A session's ignore window; none for a session that does not exist. */
  ignoreWindow(sessionId: number): IgnoreWindow {
    return (
      this.db.one(
        toIgnoreWindow,
        'SELECT ignore_before_us, ignore_after_us FROM sessions WHERE id = ?',
        sessionId
      ) ?? NO_IGNORE_WINDOW
    )
  }
}
