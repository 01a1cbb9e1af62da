import type { InflightBatch, Journal, PassingRecord, SessionRecord } from '../journal/journal'
import type { RufusCloud } from '../rufus/cloud'
import { RufusError } from '../rufus/errors'
import type { StationMessage, WriteOnlyHoldReason } from '../../shared/messages'
import type { Answered } from './batch-upload'
import { readRange } from './range-read'
import { reconcile } from './reconcile'
import type { SyncClock } from './sync-time'
import { writeOnlyVerdict } from './write-only'

export interface ReadBackParts {
  readonly journal: Journal
  readonly cloud: Pick<RufusCloud, 'sessionPassings'>
  readonly clock: SyncClock
  readonly onNotice: (level: 'error', message: StationMessage) => void
}

export type ReadBackOutcome =
  /** The key cannot read: the answer settled the batch (synced), or it is sent once more (`resend`). */
  | { readonly kind: 'unread'; readonly resend: boolean; readonly count: number }
  /** The key cannot read and the answer settles nothing: the batch stays in flight, held until a key can read. */
  | { readonly kind: 'hold'; readonly why: WriteOnlyHoldReason; readonly count: number }
  /** The cloud no longer knows the session; the in-flight record is cleared. */
  | { readonly kind: 'session-gone' }
  /**
   * The range was read and compared; `confirmed` passings were marked synced at `atMs`. `unseen` passings the cloud
   * had answered for were not there: each gets one more try after a pause, then becomes a conflict. `partial`: the
   * read stopped at its request cap; what it walked is settled, the rest stays in flight for the next read-back.
   */
  | {
      readonly kind: 'read'
      readonly confirmed: number
      readonly unseen: number
      readonly atMs: number
      readonly partial: boolean
    }

/** How the batch went: `answered` when the cloud gave a clear (2xx) answer, null when the outcome is unknown. */
export interface ReadBackFacts {
  readonly answered: Answered | null
  readonly canRead: boolean
  readonly reportsDuplicates: boolean | null
}

/**
 * Recovery by read-back: settles a batch in flight by reading its range from the cloud (by number, as
 * `range-read.ts` walks it) and comparing, after an ambiguous failure or an answer that does not prove every
 * passing arrived. Found as sent: synced. Missing after an ambiguous failure: pending, sent again by the next step.
 * Missing although the cloud answered for it (a duplicate under another key, say): one more try, then a conflict
 * with the cloud's answer as evidence. Something else under the number: a conflict, never marked synced.
 */
export async function settleByReadBack(
  parts: ReadBackParts,
  session: SessionRecord,
  flight: InflightBatch,
  facts: ReadBackFacts
): Promise<ReadBackOutcome> {
  const { journal } = parts
  const local = journal
    .passingsInRange(session.id, flight.firstNum, flight.lastNum)
    .filter(p => p.state === 'pending')
  if (!facts.canRead) return settleUnread(parts, session, flight, facts, local)
  const offset = session.cloudOffset
  let read
  try {
    read = await readRange(parts.cloud, flight.token, flight.firstNum + offset, flight.lastNum + offset)
  } catch (error) {
    if (!(error instanceof RufusError && error.kind === 'not-found')) throw error
    journal.clearInflight(session.id)
    return { kind: 'session-gone' }
  }
  // Passings past where the read got to are unknown, not missing: they stay in flight, never resent blind.
  const walked = read.complete ? flight.lastNum : read.walkedTo - offset
  const outcome = reconcile(
    local.filter(p => p.num <= walked),
    read.passings,
    offset
  )
  const now = parts.clock.nowMs()
  const single = outcome.confirmed.filter(c => c.copies === 1).map(c => c.passing.id)
  journal.markSynced(single, flight.token, now)
  for (const entry of outcome.confirmed.filter(c => c.copies > 1)) {
    journal.markSynced([entry.passing.id], flight.token, now, {
      code: 'sync.note.stored-copies',
      params: { copies: entry.copies }
    })
  }
  for (const conflict of outcome.conflicts) {
    const note: StationMessage = {
      code: 'sync.note.conflict',
      params: {
        num: conflict.cloud.num_passing,
        bib: conflict.cloud.bib,
        chip: conflict.cloud.chip ?? null,
        timestamp: conflict.cloud.timestamp
      }
    }
    markConflict(parts, conflict.passing, note)
  }
  const unseen = facts.answered === null ? [] : outcome.missing
  settleUnseen(parts, unseen, offset, facts.answered)
  if (read.complete) journal.clearInflight(session.id)
  else journal.setInflight({ ...flight, firstNum: walked + 1 }, now)
  return {
    kind: 'read',
    confirmed: outcome.confirmed.length,
    unseen: unseen.filter(p => p.syncAttempts === 0).length,
    atMs: now,
    partial: !read.complete
  }
}

/** Answered for, then not shown: the first time one more try (counted in the journal), the second a conflict. */
function settleUnseen(
  parts: ReadBackParts,
  unseen: readonly PassingRecord[],
  offset: number,
  answered: Answered | null
): void {
  if (answered === null) return
  const again = unseen.filter(p => p.syncAttempts === 0)
  parts.journal.countUnseen(again.map(p => p.id))
  for (const passing of unseen.filter(p => p.syncAttempts > 0)) {
    markConflict(parts, passing, {
      code: 'sync.note.duplicate-unseen',
      params: {
        num: passing.num + offset,
        sent: answered.sent,
        inserted: answered.answer.inserted_count ?? null,
        duplicates: answered.answer.duplicate_count ?? null,
        description: evidenceText(answered.answer.description)
      }
    })
  }
}

/** The cloud's own words, kept as evidence but bounded (a proxy can answer anything). */
const MAX_EVIDENCE_CHARS = 200

function evidenceText(description: string | undefined): string | null {
  if (description === undefined) return null
  return description.length > MAX_EVIDENCE_CHARS
    ? `${description.slice(0, MAX_EVIDENCE_CHARS)}…`
    : description
}

function markConflict(parts: ReadBackParts, passing: PassingRecord, note: StationMessage): void {
  parts.journal.markState([passing.id], 'conflict', note)
  parts.onNotice('error', { code: 'sync.conflict', params: { note, localBib: passing.bib } })
}

/** A key that cannot read: what the answer (or its loss) settles, as `write-only.ts` decides. */
function settleUnread(
  parts: ReadBackParts,
  session: SessionRecord,
  flight: InflightBatch,
  facts: ReadBackFacts,
  local: readonly PassingRecord[]
): ReadBackOutcome {
  const { journal } = parts
  const verdict = writeOnlyVerdict({
    answer: facts.answered?.answer ?? null,
    sent: facts.answered?.sent ?? local.length,
    resent: flight.resent === true,
    reportsDuplicates: facts.reportsDuplicates
  })
  switch (verdict.kind) {
    case 'synced':
      journal.markSynced(
        local.map(p => p.id),
        flight.token,
        parts.clock.nowMs(),
        verdict.note
      )
      journal.clearInflight(session.id)
      return { kind: 'unread', resend: false, count: local.length }
    case 'resend':
      journal.clearInflight(session.id)
      return { kind: 'unread', resend: true, count: local.length }
    case 'hold':
      return { kind: 'hold', why: verdict.why, count: local.length }
  }
}
