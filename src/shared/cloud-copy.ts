/**
 * Whether RUFUS Cloud holds a passing as the station sent it: the one definition, used by the sync engine's
 * read-back (`core/sync/reconcile.ts`), the screens' comparison of a session (`compare.session`) and the passings
 * browser's rows. Pure, so the renderer and the core share it.
 */

/** A passing as it travels to the cloud and back: what the cloud keeps of it. */
export interface SentPassing {
  readonly bib: string | null
  readonly chip: string | null
  /** ISO 8601; compared as an instant, so `…Z` and `…+00:00` are the same time. */
  readonly timestamp: string
}

/** A passing under its number (local or cloud numbering, as the caller lines them up). */
export interface NumberedPassing extends SentPassing {
  readonly num: number
}

export interface CloudComparison {
  /** Local numbers the cloud has nothing under. */
  readonly missingInCloud: number[]
  /** Cloud numbers no local passing has (once per copy). */
  readonly extraInCloud: number[]
  /** Local numbers under which the cloud holds something else. */
  readonly different: number[]
}

function sameInstant(a: string, b: string): boolean {
  return Date.parse(a) === Date.parse(b)
}

/** The cloud's copy is this passing: same bib, same chip (none is none), same instant. */
export function cloudCopyMatches(local: SentPassing, copy: SentPassing): boolean {
  return (
    copy.bib === local.bib &&
    (copy.chip ?? null) === (local.chip ?? null) &&
    sameInstant(copy.timestamp, local.timestamp)
  )
}

/** The cloud's copies under each number (the cloud may hold more than one under a number). */
export function copiesByNumber<T>(copies: readonly T[], numberOf: (copy: T) => number): Map<number, T[]> {
  const byNumber = new Map<number, T[]>()
  for (const copy of copies) {
    const list = byNumber.get(numberOf(copy))
    if (list) list.push(copy)
    else byNumber.set(numberOf(copy), [copy])
  }
  return byNumber
}

/**
 * Lines local passings up with the cloud's by number (cloud number = local number + `offset`). A number with
 * several cloud copies is the passing when any copy matches it, as the read-back decides.
 */
export function compareWithCloud(
  local: readonly NumberedPassing[],
  cloud: readonly NumberedPassing[],
  offset: number
): CloudComparison {
  const copiesByNum = copiesByNumber(cloud, copy => copy.num)
  const localNums = new Set(local.map(p => p.num + offset))
  const missingInCloud: number[] = []
  const different: number[] = []
  for (const passing of local) {
    const copies = copiesByNum.get(passing.num + offset) ?? []
    if (copies.length === 0) missingInCloud.push(passing.num)
    else if (!copies.some(copy => cloudCopyMatches(passing, copy))) different.push(passing.num)
  }
  const extraInCloud = cloud.filter(copy => !localNums.has(copy.num)).map(copy => copy.num)
  return { missingInCloud, extraInCloud, different }
}
