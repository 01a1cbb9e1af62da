/**
 * The read decision, pure: what becomes of one decoded read. A read already known is skipped; one outside the
 * session's ignore window is suppressed; a read without a chip, or with duplicate suppression off, is a passing;
 * otherwise the first read (or, in strongest mode, the strongest read) within the window wins
 * (`src/core/reader/dedup.ts` compares the times and signals).
 *
 * What the decision needs from the journal comes through `ReadLookups`, asked only when the rule gets that far
 * and in this order, so a read costs no query it does not need.
 */
import {
  decideFirstRead,
  decideStrongest,
  type AcceptedPassing,
  type DedupSettings,
  type HeldRead
} from '../reader/dedup'
import type { IgnoreWindow } from './rows'

export interface ReadFacts {
  readonly timeUs: number
  /** Null for reads without a chip (keypads, photocells): never suppressed as duplicates. */
  readonly chip: string | null
  readonly rssi: number | null
}

export interface ReadLookups<H extends HeldRead> {
  /** The read is stored already (a passing, a suppression or a hold), by raw position or reader index. */
  known(): boolean
  ignoreWindow(): IgnoreWindow
  /** The chip's accepted passing nearest in time to the read, in this session. */
  nearestAccepted(chip: string): AcceptedPassing | null
  /** The chip's read held in strongest mode, if any. */
  heldRead(chip: string): H | null
}

export type ReadDecision<H extends HeldRead> =
  | { readonly kind: 'skip-known' }
  | { readonly kind: 'suppress'; readonly reason: string; readonly keptId: number | null }
  | { readonly kind: 'insert' }
  /** The read becomes a passing and `replacedId` (a later read of the same crossing, not yet sent) is voided. */
  | { readonly kind: 'supersede'; readonly replacedId: number }
  /** The read is held until `windowEndUs`, then becomes a passing unless a stronger read replaces it. */
  | { readonly kind: 'hold'; readonly windowEndUs: number }
  /** The read replaces the weaker `displaced` hold (suppressed with `reason`), keeping its window. */
  | {
      readonly kind: 'replace-hold'
      readonly reason: string
      readonly displaced: H
      readonly windowEndUs: number
    }
  /**
   * The chip's hold is over (the read comes after its window, before the hold was released: reads decoded
   * together): `released` becomes a passing now, and the read starts a hold of its own.
   */
  | { readonly kind: 'release-and-hold'; readonly released: H; readonly windowEndUs: number }

const SKIP_KNOWN = { kind: 'skip-known' } as const
const INSERT = { kind: 'insert' } as const

export function decideRead<H extends HeldRead>(
  read: ReadFacts,
  dedup: DedupSettings,
  lookups: ReadLookups<H>
): ReadDecision<H> {
  if (lookups.known()) return SKIP_KNOWN
  const ignore = lookups.ignoreWindow()
  if (ignore.beforeUs !== null && read.timeUs < ignore.beforeUs) {
    return { kind: 'suppress', reason: 'before the ignore-before time', keptId: null }
  }
  if (ignore.afterUs !== null && read.timeUs > ignore.afterUs) {
    return { kind: 'suppress', reason: 'after the ignore-after time', keptId: null }
  }
  if (read.chip === null || dedup.windowMs === 0) return INSERT
  const first = decideFirstRead(read.timeUs, lookups.nearestAccepted(read.chip), dedup.windowMs)
  if (first.kind === 'suppress') return first
  // Strongest mode never supersedes: a read the first-read rule lets through is held, the strongest wins.
  if (dedup.mode === 'strongest') return decideHold(read, lookups.heldRead(read.chip), dedup.windowMs)
  return first.kind === 'supersede' ? first : INSERT
}

function decideHold<H extends HeldRead>(read: ReadFacts, held: H | null, windowMs: number): ReadDecision<H> {
  const strongest = decideStrongest({ timeUs: read.timeUs, rssi: read.rssi }, held)
  if (strongest.kind === 'suppress') return { kind: 'suppress', reason: strongest.reason, keptId: null }
  if (strongest.kind === 'replace-hold' && held !== null) {
    return { kind: 'replace-hold', reason: strongest.reason, displaced: held, windowEndUs: held.windowEndUs }
  }
  const windowEndUs = read.timeUs + windowMs * 1000
  // A hold still there is one whose window this read is past: a crossing of its own, not to be overwritten.
  return held === null
    ? { kind: 'hold', windowEndUs }
    : { kind: 'release-and-hold', released: held, windowEndUs }
}
