import type { InsertPassingsResult } from '../rufus/schemas'
import type { StationMessage, WriteOnlyHoldReason } from '../../shared/messages'

/** What a batch's answer settles when the key cannot read it back. */
export type WriteOnlyVerdict =
  /** The answer accounts for every passing sent: synced (with a note when it rests on a resend). */
  | { readonly kind: 'synced'; readonly note: StationMessage | null }
  /** The answer was lost: send the batch once more, relying on the cloud dropping numbers it already holds. */
  | { readonly kind: 'resend' }
  /** Neither resend nor count as synced: keep the batch in flight until a key that can read settles it. */
  | { readonly kind: 'hold'; readonly why: WriteOnlyHoldReason }

export interface WriteOnlyFacts {
  /** The cloud's answer, or null when it was lost (a timeout, a reset, a 5xx, a page not from RUFUS). */
  readonly answer: InsertPassingsResult | null
  readonly sent: number
  /** This was already the one resend after a lost answer. */
  readonly resent: boolean
  /** Whether this cloud answers `duplicate_count` (learned from earlier answers; null: not known yet). */
  readonly reportsDuplicates: boolean | null
}

/**
 * A WRITE-only key: a batch is synced only when the answer accounts for every passing. A lost answer is sent once
 * more when the cloud may de-duplicate (a resend then costs nothing), never on a cloud known not to report
 * duplicates (it would store a second copy), and never twice. Anything the answer leaves open is held. Pure.
 */
export function writeOnlyVerdict({
  answer,
  sent,
  resent,
  reportsDuplicates
}: WriteOnlyFacts): WriteOnlyVerdict {
  if (answer === null) {
    if (resent) return { kind: 'hold', why: 'lost-twice' }
    if (reportsDuplicates === false) return { kind: 'hold', why: 'no-duplicate-report' }
    return { kind: 'resend' }
  }
  const inserted = answer.inserted_count
  const duplicates = answer.duplicate_count
  if (inserted === undefined && duplicates === undefined) return { kind: 'hold', why: 'no-counts' }
  if (duplicates === undefined) {
    if ((inserted ?? 0) < sent) return { kind: 'hold', why: 'fewer-inserted' }
    // Inserted as sent; after a resend on a cloud that does not report duplicates, the first send may have landed.
    return { kind: 'synced', note: resent ? { code: 'sync.note.may-be-twice', params: {} } : null }
  }
  if ((inserted ?? 0) + duplicates < sent) return { kind: 'hold', why: 'fewer-inserted' }
  if (duplicates === 0) return { kind: 'synced', note: null }
  // Duplicates of a resend are the first send's passings; on a first send they are something else's.
  return resent
    ? { kind: 'synced', note: { code: 'sync.note.resent-accepted', params: {} } }
    : { kind: 'hold', why: 'duplicates' }
}
