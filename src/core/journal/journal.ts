/**
 * The station's durable record, as one object: raw reader input, passings, sessions, the device binding and sync
 * state, in one SQLite file (WAL, synchronous=FULL so a commit survives a power cut).
 *
 * A facade: each method hands over to the module whose job it is (`docs/station-core.md` lists them). All methods
 * are synchronous and each one that writes is a single transaction.
 */
import type { StationMessage } from '../../shared/messages'
import type { Participant } from '../reader/bib-policy'
import type { Decoder, DecoderContext } from '../reader/decoder'
import type { AfterSyncDifference } from './corrections'
import { Intake } from './intake'
import { JournalDb, type JournalDbOptions } from './journal-db'
import { Outbox } from './outbox'
import { Participants } from './participants'
import { PassingCorrections } from './passing-corrections'
import { Passings } from './passings'
import { ReadsToPassings } from './reads-to-passings'
import type {
  CapturePolicy,
  CloudSessionState,
  CorrectionOutcome,
  CorrectionRecord,
  Counts,
  DecodeOutcome,
  DeviceRecord,
  IncomingChunk,
  InflightBatch,
  LogEntry,
  PassingRecord,
  SessionRecord,
  SuppressionRecord,
  UploadGrace
} from './records'
import { Sessions } from './sessions'
import { StationMeta } from './station-meta'

/** The last `--new-session` alias carried out (a restart with the same one opens nothing). */
const NEW_SESSION_REQUEST = 'new_session_request'

/** Callers import the journal's records from here, as before the split. */
export type * from './records'

/**
 * What the station reports as it happens, whoever writes it (the sync engine binds the device and links sessions
 * to the cloud): the device's binding, or a session's cloud token or state, changed.
 */
export type JournalChange = { readonly kind: 'device' } | { readonly kind: 'session'; readonly id: number }

/** Whether a write changed what a session event shows of the cloud. */
function cloudLinkChanged(before: SessionRecord | null, after: SessionRecord | null): boolean {
  return before?.token !== after?.token || before?.cloudState !== after?.cloudState
}

export class Journal {
  readonly #db: JournalDb
  readonly #meta: StationMeta
  readonly #sessions: Sessions
  readonly #passings: Passings
  readonly #corrections: PassingCorrections
  readonly #outbox: Outbox
  readonly #participants: Participants
  readonly #reads: ReadsToPassings
  readonly #intake: Intake
  #onChange: (change: JournalChange) => void = () => undefined

  constructor(path: string, options: JournalDbOptions = {}) {
    const db = new JournalDb(path, options)
    this.#db = db
    this.#meta = new StationMeta(db)
    this.#sessions = new Sessions(db)
    this.#passings = new Passings(db)
    this.#outbox = new Outbox(db)
    this.#corrections = new PassingCorrections(db, this.#passings, this.#outbox)
    this.#participants = new Participants(db)
    this.#reads = new ReadsToPassings(db, {
      sessions: this.#sessions,
      passings: this.#passings,
      corrections: this.#corrections,
      outbox: this.#outbox,
      participants: this.#participants
    })
    this.#intake = new Intake(db, this.#meta, this.#sessions, this.#reads)
  }

  close(): void {
    this.#db.close()
  }

  /** Who is told of each change to the device binding or a session's cloud link, once it is written. One at a time. */
  watch(listener: (change: JournalChange) => void): void {
    this.#onChange = listener
  }

  // ---- meta, log, device (station-meta.ts) ----

  getMeta(key: string): string | null {
    return this.#meta.getMeta(key)
  }

  setMeta(key: string, value: string): void {
    this.#meta.setMeta(key, value)
  }

  log(kind: string, message: string, atUs: number): void {
    this.#meta.log(kind, message, atUs)
  }

  logEntries(limit = 100): LogEntry[] {
    return this.#meta.logEntries(limit)
  }

  device(): DeviceRecord | null {
    return this.#meta.device()
  }

  /** Records the identity the device is (or will be) bound with; keeps an existing binding. */
  setDeviceIdentity(identity: { serialNumber: string; model: string; alias: string | null }): void {
    this.#meta.setDeviceIdentity(identity)
  }

  setDeviceBinding(deviceid: string | null, atMs: number | null): void {
    const before = this.#meta.device()?.deviceid ?? null
    this.#meta.setDeviceBinding(deviceid, atMs)
    if (before !== deviceid) this.#onChange({ kind: 'device' })
  }

  // ---- sessions (sessions.ts) ----

  /** Opens a new local session, closing the one that was open. */
  openSession(alias: string, atUs: number): SessionRecord {
    return this.#sessions.openSession(alias, atUs)
  }

  /**
   * The headless `--new-session <alias>`: closes the open session and opens `alias`, once per alias asked in a row.
   * Null when the last request carried out was this same alias (a restart with the same command line), so a
   * supervisor's restarts never split a wave. The close, the open and the record of the request are one
   * transaction: a kill leaves either the old session open or the new one, never none.
   */
  openRequestedSession(
    alias: string,
    atUs: number
  ): { readonly session: SessionRecord; readonly closed: SessionRecord | null } | null {
    return this.#db.transaction(() => {
      if (this.#meta.getMeta(NEW_SESSION_REQUEST) === alias) return null
      const open = this.#sessions.openedSession()
      const session = this.#sessions.replaceOpenSession(alias, atUs)
      this.#meta.setMeta(NEW_SESSION_REQUEST, alias)
      return { session, closed: open ? this.#sessions.session(open.id) : null }
    })
  }

  closeSession(id: number, atUs: number): void {
    this.#sessions.closeSession(id, atUs)
  }

  openedSession(): SessionRecord | null {
    return this.#sessions.openedSession()
  }

  session(id: number): SessionRecord | null {
    return this.#sessions.session(id)
  }

  /** Whether a cloud session token is (or was) one of this station's: a session's, or one its passings went to. */
  knowsCloudToken(token: string): boolean {
    return this.#sessions.knowsCloudToken(token)
  }

  lastSession(): SessionRecord | null {
    return this.#sessions.lastSession()
  }

  sessions(): SessionRecord[] {
    return this.#sessions.sessions()
  }

  setSessionCloud(
    id: number,
    fields: { token?: string | null; cloudState?: CloudSessionState; cloudOffset?: number }
  ): void {
    const before = this.#sessions.session(id)
    this.#sessions.setSessionCloud(id, fields)
    if (cloudLinkChanged(before, this.#sessions.session(id))) this.#onChange({ kind: 'session', id })
  }

  setSessionBlock(id: number, kind: string | null, message: StationMessage | null): void {
    this.#sessions.setSessionBlock(id, kind, message)
  }

  /** Reads before / after these times (µs, null for none) are kept raw but not made passings. */
  setIgnoreWindow(sessionId: number, beforeUs: number | null, afterUs: number | null): void {
    this.#sessions.setIgnoreWindow(sessionId, beforeUs, afterUs)
  }

  // ---- capture (intake.ts, reads-to-passings.ts) ----

  /** Stores raw chunks exactly as received, attributed to the open session. Returns their ids. */
  appendRawChunks(chunks: readonly IncomingChunk[]): number[] {
    return this.#intake.appendRawChunks(chunks)
  }

  /** How many raw chunks have not been decoded yet (after a crash, before recovery). */
  undecodedChunks(): number {
    return this.#intake.undecodedChunks()
  }

  /** Decodes every raw chunk after the persisted cursor into passings, suppressions or holds, in one transaction. */
  decodePending(decoderFor: (port: string) => Decoder, policy: CapturePolicy, nowUs: number): DecodeOutcome {
    return this.#intake.decodePending(decoderFor, policy, nowUs)
  }

  /** Decodes a session's raw input from one port again with another decoder; only new reads become passings. */
  replay(
    sessionId: number,
    port: string,
    decoder: Decoder,
    policy: CapturePolicy,
    nowUs: number
  ): DecodeOutcome {
    return this.#intake.replay(sessionId, port, decoder, policy, nowUs)
  }

  /** When the earliest held strongest read is due, or null. */
  nextHoldReleaseUs(): number | null {
    return this.#reads.nextHoldReleaseUs()
  }

  /** The protocol context a port's decoder has committed (e.g. the RR box's next index to fetch). */
  decoderContext(port: string): DecoderContext {
    return this.#intake.decoderContext(port)
  }

  /** Bad frames counted for a port since it was first seen. */
  badFrameCount(port: string): { count: number; lastReason: string | null } {
    return this.#intake.badFrameCount(port)
  }

  /** Why reads were not made passings: every suppression is kept with its reason. */
  suppressions(sessionId: number, limit = 1000): SuppressionRecord[] {
    return this.#reads.suppressions(sessionId, limit)
  }

  // ---- passings (passings.ts) ----

  /** A passing typed by a person: never suppressed, no raw chunk; a null bib is a time to fill in later. */
  insertManual(sessionId: number, bib: string | null, timeUs: number, capturedAtUs: number): PassingRecord {
    return this.#passings.insertManualEntry(sessionId, bib, timeUs, capturedAtUs, null).passing
  }

  /** A manual passing as `insertManual`; with an entry key, the same entry sent twice is stored once. */
  insertManualEntry(
    sessionId: number,
    bib: string | null,
    timeUs: number,
    capturedAtUs: number,
    entryKey: string | null
  ): { passing: PassingRecord; created: boolean } {
    return this.#passings.insertManualEntry(sessionId, bib, timeUs, capturedAtUs, entryKey)
  }

  passing(id: number): PassingRecord | null {
    return this.#passings.passing(id)
  }

  passingsOfSession(sessionId: number, afterNum = 0, limit = 1_000_000): PassingRecord[] {
    return this.#passings.passingsOfSession(sessionId, afterNum, limit)
  }

  /** The earliest and latest passing times of a session (µs), without reading its passings. */
  sessionTimeRange(sessionId: number): { firstUs: number | null; lastUs: number | null } {
    return this.#passings.sessionTimeRange(sessionId)
  }

  latestPassings(limit: number): PassingRecord[] {
    return this.#passings.latestPassings(limit)
  }

  passingsInRange(sessionId: number, firstNum: number, lastNum: number): PassingRecord[] {
    return this.#passings.passingsInRange(sessionId, firstNum, lastNum)
  }

  /** Times without a bib still waiting for one (every session, oldest first), for the pinned list. */
  heldPassings(limit: number): PassingRecord[] {
    return this.#passings.heldPassings(limit)
  }

  /** Whether a session already has a passing (not voided) with this bib. */
  hasBib(sessionId: number, bib: string): boolean {
    return this.#passings.hasBib(sessionId, bib)
  }

  // ---- the outbox (outbox.ts) ----

  /** The next passings to upload, in number order, stopping before the first still in its grace period. */
  pendingBatch(sessionId: number, limit: number, grace: UploadGrace | null = null): PassingRecord[] {
    return this.#outbox.pendingBatch(sessionId, limit, grace)
  }

  /** When the first waiting passing of a session leaves its grace period (µs since the epoch), or null. */
  graceEndsUs(sessionId: number, grace: UploadGrace, graceUs: number): number | null {
    return this.#outbox.graceEndsUs(sessionId, grace, graceUs)
  }

  /** Passings per state (of one session, or all): read from counts the journal keeps, not by counting. */
  counts(sessionId?: number): Counts {
    return this.#outbox.counts(sessionId)
  }

  markSynced(ids: readonly number[], token: string, atMs: number, note: StationMessage | null = null): void {
    this.#outbox.markSynced(ids, token, atMs, note)
  }

  markState(
    ids: readonly number[],
    state: 'quarantined' | 'conflict' | 'pending',
    note: StationMessage | null
  ): void {
    this.#outbox.markState(ids, state, note)
  }

  /** The cloud answered for these passings, yet a read-back did not show them: one more attempt, kept. */
  countUnseen(ids: readonly number[]): void {
    this.#outbox.countUnseen(ids)
  }

  /** Puts every passing of every session back to "not in the cloud" (after the cloud deleted the device). */
  resetAllToPending(note: StationMessage): number {
    const before = this.#sessions.sessions()
    const count = this.#outbox.resetAllToPending(note)
    for (const session of before) {
      if (cloudLinkChanged(session, this.#sessions.session(session.id))) {
        this.#onChange({ kind: 'session', id: session.id })
      }
    }
    return count
  }

  setInflight(batch: InflightBatch, atMs: number): void {
    this.#outbox.setInflight(batch, atMs)
  }

  inflight(sessionId: number): InflightBatch | null {
    return this.#outbox.inflight(sessionId)
  }

  clearInflight(sessionId: number): void {
    this.#outbox.clearInflight(sessionId)
  }

  // ---- corrections (passing-corrections.ts) ----

  /** Voids a passing. Before sync it is never sent; after sync the correction is kept and exported locally. */
  voidPassing(id: number, atUs: number): CorrectionOutcome {
    return this.#corrections.voidPassing(id, atUs)
  }

  /** Sets or fixes a passing's bib; a held passing (time without bib) then goes up with the rest. */
  fixBib(id: number, bib: string, atUs: number): CorrectionOutcome {
    return this.#corrections.fixBib(id, bib, atUs)
  }

  /** Takes back the latest standing correction of a passing (an undo right after a void or fix). */
  undoCorrection(id: number, atUs: number): CorrectionOutcome {
    return this.#corrections.undoCorrection(id, atUs)
  }

  /** How a passing uploaded to the cloud differs from it here (a void or fix made after upload), or null. */
  afterSyncDifference(passingId: number): AfterSyncDifference | null {
    return this.#corrections.afterSyncDifference(passingId)
  }

  /** The latest correction of a passing, if any (shown next to it, since a synced passing cannot change in the cloud). */
  latestCorrection(passingId: number): { kind: string; newBib: string | null; afterSync: boolean } | null {
    return this.#corrections.latestCorrection(passingId)
  }

  corrections(sessionId: number): CorrectionRecord[] {
    return this.#corrections.corrections(sessionId)
  }

  // ---- participants (participants.ts) ----

  replaceParticipants(participants: readonly Participant[]): void {
    this.#participants.replaceParticipants(participants)
  }

  participantName(bib: string): string | null {
    return this.#participants.participantName(bib)
  }

  /** How many participants are listed, and whether all their bibs are plain numbers (to spot a mistyped bib). */
  participantBibs(): { count: number; allNumeric: boolean } {
    return this.#participants.participantBibs()
  }

  isParticipantBib(bib: string): boolean {
    return this.#participants.isParticipantBib(bib)
  }
}
