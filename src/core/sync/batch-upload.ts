import type { InflightBatch, Journal, PassingRecord, SessionRecord } from '../journal/journal'
import type { RufusCloud } from '../rufus/cloud'
import { RufusError } from '../rufus/errors'
import type { InsertPassingsResult, OutgoingPassing } from '../rufus/schemas'
import { outgoingTimestamp } from './reconcile'
import type { SyncClock } from './sync-time'
import type { UploadGraceSetting } from './upload-grace'

export function toOutgoing(passing: PassingRecord, offset: number): OutgoingPassing {
  return {
    bib: passing.bib ?? '',
    num_passing: passing.num + offset,
    timestamp: outgoingTimestamp(passing.timeUs),
    chip: passing.chip,
    timezone: 'UTC'
  }
}

export type NextBatch =
  | { readonly kind: 'batch'; readonly passings: readonly PassingRecord[] }
  /** Every pending passing waits out its grace period; the first wait ends at `graceEndsUs` (null: none waits). */
  | { readonly kind: 'waiting'; readonly graceEndsUs: number | null }

/** The next passings to send, in number order, stopping before the first one still in its grace period. */
export function nextBatch(
  journal: Journal,
  sessionId: number,
  limit: number,
  grace: UploadGraceSetting,
  nowUs: number
): NextBatch {
  const window =
    grace.graceMs > 0 ? { cutoffUs: nowUs - grace.graceMs * 1000, allSources: grace.allPassings } : null
  const passings = journal.pendingBatch(sessionId, limit, window)
  if (passings.length > 0) return { kind: 'batch', passings }
  return {
    kind: 'waiting',
    graceEndsUs: window ? journal.graceEndsUs(sessionId, window, grace.graceMs * 1000) : null
  }
}

/**
 * Whether a clear answer proves every passing arrived. The counts are optional (U11): an answer without them, one
 * reporting duplicates, or (without `duplicate_count`, as legacy) fewer inserted than sent, proves nothing about
 * some passing, and the range is read back before anything is marked synced.
 */
export function needsReadBack(result: InsertPassingsResult, sent: number): boolean {
  const inserted = result.inserted_count
  const duplicates = result.duplicate_count
  if (inserted === undefined) return true
  return duplicates === undefined ? inserted < sent : duplicates > 0 || inserted < sent
}

/** A 400 whose description names the session ("Session not found or closed"): the session is gone, not a passing bad. */
export function namesTheSession(error: RufusError): boolean {
  return /\bsession\b.*\b(not found|closed)\b/i.test(error.description ?? '')
}

/** What a clear answer to an upload says about the batch, for what happens next. */
export interface Answered {
  readonly answer: InsertPassingsResult
  readonly sent: number
}

export type BatchAnswer =
  /** Every passing is in the cloud; marked synced at `atMs`. */
  | { readonly kind: 'synced'; readonly atMs: number }
  /** Answered, but the answer does not prove every passing arrived: settle the range (read back). */
  | { readonly kind: 'check'; readonly flight: InflightBatch; readonly answered: Answered }
  /** 413: the batch was too large. */
  | { readonly kind: 'too-large' }
  /** 400: something in the batch was refused. */
  | { readonly kind: 'refused'; readonly error: RufusError }
  /** 404 (or a 400 naming the session): the cloud no longer takes passings for this session. */
  | { readonly kind: 'session-gone' }

export interface BatchUploadParts {
  readonly journal: Journal
  readonly cloud: Pick<RufusCloud, 'insertPassings'>
  readonly clock: SyncClock
}

const REPORTS_DUPLICATES = 'cloud_reports_duplicates'

/** Whether the cloud answers `duplicate_count`, as learned from its answers (null: no answer with counts yet). */
export function reportsDuplicates(journal: Journal): boolean | null {
  const value = journal.getMeta(REPORTS_DUPLICATES)
  return value === null ? null : value === '1'
}

function learnFrom(journal: Journal, answer: InsertPassingsResult): void {
  if (answer.inserted_count === undefined && answer.duplicate_count === undefined) return
  const reports = answer.duplicate_count === undefined ? '0' : '1'
  if (journal.getMeta(REPORTS_DUPLICATES) !== reports) journal.setMeta(REPORTS_DUPLICATES, reports)
}

/**
 * Sends one batch, its range recorded as in flight first, and settles what the answer proves. A failure that may
 * have been applied (and any unexpected one) is thrown with the in-flight record kept, for the read-back. `resent`:
 * this batch is the one resend after a lost answer (a WRITE-only key), recorded with it.
 */
export async function uploadBatch(
  { journal, cloud, clock }: BatchUploadParts,
  session: SessionRecord,
  batch: readonly PassingRecord[],
  resent = false
): Promise<BatchAnswer> {
  const token = session.token as string
  const flight: InflightBatch = {
    sessionId: session.id,
    token,
    firstNum: (batch[0] as PassingRecord).num,
    lastNum: (batch[batch.length - 1] as PassingRecord).num,
    resent
  }
  journal.setInflight(flight, clock.nowMs())
  let result
  try {
    result = await cloud.insertPassings(
      token,
      batch.map(p => toOutgoing(p, session.cloudOffset))
    )
  } catch (error) {
    if (!(error instanceof RufusError) || error.ambiguous) throw error
    journal.clearInflight(session.id)
    if (error.kind === 'payload-too-large') return { kind: 'too-large' }
    if (error.kind === 'bad-request')
      return namesTheSession(error) ? { kind: 'session-gone' } : { kind: 'refused', error }
    if (error.kind === 'not-found') return { kind: 'session-gone' }
    throw error
  }
  learnFrom(journal, result)
  if (needsReadBack(result, batch.length)) {
    return { kind: 'check', flight, answered: { answer: result, sent: batch.length } }
  }
  const atMs = clock.nowMs()
  // Inserted as sent; after the one resend on a cloud without `duplicate_count`, the first send may have landed too.
  const note = resent && result.duplicate_count === undefined ? MAY_BE_TWICE : null
  journal.markSynced(
    batch.map(p => p.id),
    token,
    atMs,
    note
  )
  journal.clearInflight(session.id)
  return { kind: 'synced', atMs }
}

const MAY_BE_TWICE = { code: 'sync.note.may-be-twice', params: {} } as const
