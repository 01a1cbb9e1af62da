import type { Journal, PassingRecord, SessionRecord } from '../journal/journal'
import type { RufusError } from '../rufus/errors'
import type { StationMessage } from '../../shared/messages'
import { ALL_REFUSED_AFTER, type RefusalStreak } from './refusals'

/** Passings refused alone while splitting one refused batch, set aside once the split is over. */
export interface RefusalRun {
  readonly aside: Array<{ readonly passing: PassingRecord; readonly reason: string | null }>
  /** Every passing turned out to be refused alike: nothing is set aside, sync stops. */
  stopped: boolean
  /** A passing outside the streak is being tried to tell "every passing refused" from a few bad ones in a row. */
  probing: boolean
}

export function newRun(): RefusalRun {
  return { aside: [], stopped: false, probing: false }
}

export interface SplitParts {
  readonly journal: Journal
  readonly streak: RefusalStreak
  /** Sends part of the batch as any batch (a refusal of it comes back here, in the same run). */
  send(batch: readonly PassingRecord[], run: RefusalRun): Promise<unknown>
  /** Every passing is refused alike: stop. */
  allRefused(reason: string | null): void
  /** The first pending passing of the session that is none of `except` (null: none left). */
  otherPending(except: ReadonlySet<number>): PassingRecord | null
  /** Whether the cloud took passings of this session before. */
  acceptedBefore(): boolean
}

/**
 * A batch refused with a 400: split in halves until each refused passing is alone, the rest sent on. A passing
 * refused alone is set aside at the end of the run, unless the streak finds every passing refused alike (then the
 * run stops and nothing is set aside).
 */
export async function splitRefused(
  parts: SplitParts,
  session: SessionRecord,
  batch: readonly PassingRecord[],
  error: RufusError,
  run: RefusalRun
): Promise<void> {
  const { journal } = parts
  if (batch.length === 1) {
    const passing = batch[0] as PassingRecord
    const reason = error.description ?? null
    if (parts.streak.refusedAlone(passing.id, reason) === 'all-refused' && !(await fewInARow(parts, run))) {
      run.stopped = true
      parts.allRefused(reason)
    } else {
      run.aside.push({ passing, reason })
    }
    return
  }
  const half = Math.ceil(batch.length / 2)
  await parts.send(batch.slice(0, half), run)
  const latest = journal.session(session.id) as SessionRecord
  if (run.stopped || latest.blockKind || latest.token !== session.token) return
  const rest = batch
    .slice(half)
    .map(p => journal.passing(p.id) as PassingRecord)
    .filter(p => p.state === 'pending')
  if (rest.length > 0) await parts.send(rest, run)
}

/**
 * The streak says every passing is refused alike, but the streak may be bad neighbours (three reads of one bad
 * chip): one passing outside it is tried alone. Taken, or refused for another reason: the streak is broken and its
 * passings are only bad ones. Refused alike: every passing is refused.
 */
async function fewInARow(parts: SplitParts, run: RefusalRun): Promise<boolean> {
  if (run.probing) return false
  const except = new Set([...parts.streak.ids, ...run.aside.map(a => a.passing.id)])
  const other = parts.otherPending(except)
  // Nothing else of the session to try (the streak ends it): bad ones when the cloud took this session's passings
  // before, else a stop, which would hold back every later session too.
  if (!other) return parts.acceptedBefore()
  run.probing = true
  try {
    await parts.send([other], run)
  } finally {
    run.probing = false
  }
  return parts.streak.ids.length < ALL_REFUSED_AFTER
}

/** Quarantines what a finished run set aside, with the cloud's reason, saying each; returns how many. */
export function setAside(
  journal: Journal,
  run: RefusalRun,
  onNotice: (level: 'warning', message: StationMessage) => void
): number {
  if (run.stopped) return 0
  for (const { passing, reason } of run.aside) {
    journal.markState([passing.id], 'quarantined', { code: 'sync.note.refused', params: { reason } })
    onNotice('warning', { code: 'sync.passing-refused', params: { num: passing.num, reason } })
  }
  return run.aside.length
}

/** Passings of the streak that earlier batches set aside go back to pending: they were not bad after all. */
export function putBack(journal: Journal, ids: readonly number[]): void {
  const quarantined = ids.filter(id => journal.passing(id)?.state === 'quarantined')
  if (quarantined.length > 0) journal.markState(quarantined, 'pending', null)
}
