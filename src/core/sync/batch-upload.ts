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
 * What a clear answer to a batch means. Reported duplicates, or (legacy, without `duplicate_count`) fewer
 * inserted than sent, need a read-back before anything is marked synced.
 */
export function needsReadBack(result: InsertPassingsResult, sent: number): boolean {
  const duplicates = result.duplicate_count
  return duplicates === undefined ? result.inserted_count < sent : duplicates > 0
}

export type BatchAnswer =
  /** Every passing is in the cloud; marked synced at `atMs`. */
  | { readonly kind: 'synced'; readonly atMs: number }
  /** Answered, but the answer does not prove every passing arrived: read the range back. */
  | { readonly kind: 'check'; readonly flight: InflightBatch }
  /** 413: the batch was too large. */
  | { readonly kind: 'too-large' }
  /** 400: something in the batch was refused. */
  | { readonly kind: 'refused'; readonly error: RufusError }
  /** 404: the cloud no longer takes passings for this session. */
  | { readonly kind: 'session-gone' }

export interface BatchUploadParts {
  readonly journal: Journal
  readonly cloud: Pick<RufusCloud, 'insertPassings'>
  readonly clock: SyncClock
}

/**
 * Sends one batch, its range recorded as in flight first, and settles what the answer proves. A failure that may
 * have been applied (and any unexpected one) is thrown with the in-flight record kept, for the read-back.
 */
export async function uploadBatch(
  { journal, cloud, clock }: BatchUploadParts,
  session: SessionRecord,
  batch: readonly PassingRecord[]
): Promise<BatchAnswer> {
  const token = session.token as string
  const flight: InflightBatch = {
    sessionId: session.id,
    token,
    firstNum: (batch[0] as PassingRecord).num,
    lastNum: (batch[batch.length - 1] as PassingRecord).num
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
    if (error.kind === 'bad-request') return { kind: 'refused', error }
    if (error.kind === 'not-found') return { kind: 'session-gone' }
    throw error
  }
  if (needsReadBack(result, batch.length)) return { kind: 'check', flight }
  const atMs = clock.nowMs()
  journal.markSynced(
    batch.map(p => p.id),
    token,
    atMs
  )
  journal.clearInflight(session.id)
  return { kind: 'synced', atMs }
}
