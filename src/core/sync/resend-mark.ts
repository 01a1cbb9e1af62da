import type { Journal, PassingRecord } from '../journal/journal'
import { RufusError } from '../rufus/errors'

/**
 * A WRITE-only key's one resend of a batch whose answer was lost, marked in the journal until a send of that range
 * is answered (or may have been applied): a resend refused before it went (the network, the key, a kill) is still
 * the resend when it goes, so its duplicates are known to be the first send's. One mark at most: the session with
 * the mark is the one that sends next.
 */
const KEY = 'write_only_resend'

interface ResendRange {
  readonly sessionId: number
  readonly first: number
  readonly last: number
}

export function markResend(journal: Journal, range: ResendRange): void {
  journal.setMeta(KEY, JSON.stringify(range))
}

export function clearResend(journal: Journal): void {
  if (journal.getMeta(KEY)) journal.setMeta(KEY, '')
}

/** Whether this batch of the session is the marked resend (it overlaps the marked range). */
export function isResend(journal: Journal, sessionId: number, batch: readonly PassingRecord[]): boolean {
  const range = parse(journal.getMeta(KEY))
  if (!range || range.sessionId !== sessionId || batch.length === 0) return false
  const first = (batch[0] as PassingRecord).num
  const last = (batch[batch.length - 1] as PassingRecord).num
  return first <= range.last && last >= range.first
}

/** After a send of the resend: the mark stays only when the send surely did not reach the cloud. */
export function settleResend(journal: Journal, error: unknown): void {
  if (error instanceof RufusError && !error.ambiguous) return
  clearResend(journal)
}

function parse(value: string | null): ResendRange | null {
  if (!value) return null
  try {
    const range = JSON.parse(value) as Partial<ResendRange>
    return typeof range.sessionId === 'number' &&
      typeof range.first === 'number' &&
      typeof range.last === 'number'
      ? { sessionId: range.sessionId, first: range.first, last: range.last }
      : null
  } catch {
    return null
  }
}
