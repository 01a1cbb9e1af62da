/** One stored correction of a passing, oldest first (the `corrections` table). */
export interface CorrectionEntry {
  readonly kind: string
  readonly oldBib: string | null
  readonly newBib: string | null
  readonly afterSync: boolean
}

/**
 * The correction in force after replaying a passing's history: a void or a bib fix stands until an `undo`
 * takes back the latest one still standing (undo is a stack, so two undos take back two corrections).
 */
export function standingCorrection<T extends CorrectionEntry>(history: readonly T[]): T | null {
  const standing: T[] = []
  for (const entry of history) {
    if (entry.kind === 'undo') standing.pop()
    else standing.push(entry)
  }
  return standing.at(-1) ?? null
}

/** What the cloud was told, against what the station now holds, for a passing corrected after upload. */
export interface AfterSyncDifference {
  /** The bib the station now gives this passing (null when unchanged or voided). */
  readonly correctedBib: string | null
  readonly voided: boolean
}

/** The local difference from the cloud's copy, or null when the standing correction reached the cloud. */
export function afterSyncDifference(standing: CorrectionEntry | null): AfterSyncDifference | null {
  if (!standing?.afterSync) return null
  return standing.kind === 'void'
    ? { correctedBib: null, voided: true }
    : { correctedBib: standing.newBib, voided: false }
}
