import type { InflightBatch, Journal, SessionRecord } from '../journal/journal'
import type { RufusCloud } from '../rufus/cloud'
import { RufusError } from '../rufus/errors'
import { collectPages, sessionPassingPages } from '../rufus/paging'
import { reconcile } from './reconcile'
import type { SyncClock } from './sync-time'

export interface ReadBackParts {
  readonly journal: Journal
  readonly cloud: Pick<RufusCloud, 'sessionPassings'>
  readonly clock: SyncClock
  readonly onNotice: (level: 'error', message: string) => void
}

export type ReadBackOutcome =
  /** The key cannot read: an answered batch was marked synced unverified, an unanswered one will be sent again. */
  | { readonly kind: 'unread' }
  /** The cloud no longer knows the session; the in-flight record is cleared. */
  | { readonly kind: 'session-gone' }
  /** The range was read and compared; `confirmed` passings were marked synced at `atMs`. */
  | { readonly kind: 'read'; readonly confirmed: number; readonly atMs: number }

/**
 * Recovery by read-back: settles a batch in flight by reading its range from the cloud and comparing, after an
 * ambiguous failure (`answered` false) or an answer that reported duplicates or fewer inserts than sent
 * (`answered` true). Found as sent: synced. Missing: pending, sent again by the next step. Something else under
 * the number: a conflict, never marked synced.
 */
export async function settleByReadBack(
  parts: ReadBackParts,
  session: SessionRecord,
  flight: InflightBatch,
  { answered, canRead }: { readonly answered: boolean; readonly canRead: boolean }
): Promise<ReadBackOutcome> {
  const { journal, clock } = parts
  const local = journal
    .passingsInRange(session.id, flight.firstNum, flight.lastNum)
    .filter(p => p.state === 'pending')
  if (!canRead) {
    // Without READ the station cannot look. An answered batch is in the cloud; an ambiguous one is sent again,
    // and the cloud's de-duplication on (token_session, num_passing) keeps that exact.
    if (answered) {
      journal.markSynced(
        local.map(p => p.id),
        flight.token,
        clock.nowMs(),
        'accepted by RUFUS Cloud; not verified (the key cannot read)'
      )
    }
    journal.clearInflight(session.id)
    return { kind: 'unread' }
  }
  const offset = session.cloudOffset
  let cloud
  try {
    cloud = await collectPages(
      sessionPassingPages(parts.cloud, flight.token, {
        first: flight.firstNum + offset,
        last: flight.lastNum + offset
      })
    )
  } catch (error) {
    if (!(error instanceof RufusError && error.kind === 'not-found')) throw error
    journal.clearInflight(session.id)
    return { kind: 'session-gone' }
  }
  const outcome = reconcile(local, cloud, offset)
  const now = clock.nowMs()
  const single = outcome.confirmed.filter(c => c.copies === 1).map(c => c.passing.id)
  const multiple = outcome.confirmed.filter(c => c.copies > 1)
  journal.markSynced(single, flight.token, now)
  for (const entry of multiple) {
    journal.markSynced(
      [entry.passing.id],
      flight.token,
      now,
      `stored ${entry.copies} times in the cloud (it does not de-duplicate)`
    )
  }
  for (const conflict of outcome.conflicts) {
    const note = `RUFUS Cloud already holds a different passing under number ${conflict.cloud.num_passing}: bib ${conflict.cloud.bib}, chip ${conflict.cloud.chip ?? '—'}, ${conflict.cloud.timestamp}`
    journal.markState([conflict.passing.id], 'conflict', note)
    parts.onNotice(
      'error',
      `Conflict: ${note}. The local passing (bib ${conflict.passing.bib ?? '—'}) was not marked as synced.`
    )
  }
  journal.clearInflight(session.id)
  return { kind: 'read', confirmed: outcome.confirmed.length, atMs: now }
}
