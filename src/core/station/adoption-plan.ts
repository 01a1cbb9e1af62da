import { isAbsolute, relative } from 'node:path'

/**
 * Deciding what to do with a journal an earlier version left in another folder. Pure: the caller looks at the
 * folders and carries the plan out (adopt-data-folder.ts).
 *
 * The rule: the data folder moves as a whole, by one rename, or not at all. A rename is atomic, keeps the journal
 * with its -wal and -shm files (whatever a crash left in them) and leaves nothing half-copied; a crash before it
 * leaves the old folder as it was, a crash after it leaves the new one complete. When a rename cannot work (another
 * drive, files held open, the old folder containing the new one) the station opens the journal where it is and
 * tries again at the next start. Nothing is ever copied, merged or deleted.
 */

export interface FolderLook {
  readonly path: string
  readonly exists: boolean
  /** `journal.sqlite` is there. */
  readonly hasJournal: boolean
  /** Exists and holds nothing. */
  readonly isEmpty: boolean
}

/** What to do with the new folder before the old one takes its place. */
export type TargetClearing = 'nothing' | 'remove-empty' | 'set-aside'

export type AdoptionPlan =
  | { readonly kind: 'use-target' }
  | { readonly kind: 'move'; readonly from: string; readonly clearing: TargetClearing }
  | { readonly kind: 'open-in-place'; readonly folder: string; readonly why: 'overlaps' }

export interface Adoption {
  readonly plan: AdoptionPlan
  /** Old folders that still hold a journal and are left as they are (there can be only one data folder). */
  readonly leftBehind: readonly string[]
}

/** Whether one folder is the other or lies inside it (then neither can be renamed onto the other). */
function overlaps(a: string, b: string): boolean {
  const inside = (child: string, parent: string) => {
    const path = relative(parent, child)
    return path === '' || (!path.startsWith('..') && !isAbsolute(path))
  }
  return inside(a, b) || inside(b, a)
}

export function planAdoption(target: FolderLook, old: readonly FolderLook[]): Adoption {
  const withJournal = old.filter(folder => folder.hasJournal && folder.path !== target.path)
  // The new folder's own journal always wins: it may hold passings the old one never saw.
  if (target.hasJournal) return { plan: { kind: 'use-target' }, leftBehind: withJournal.map(f => f.path) }
  const [chosen, ...others] = withJournal
  const leftBehind = others.map(f => f.path)
  if (chosen === undefined) return { plan: { kind: 'use-target' }, leftBehind }
  if (overlaps(chosen.path, target.path)) {
    return { plan: { kind: 'open-in-place', folder: chosen.path, why: 'overlaps' }, leftBehind }
  }
  const clearing: TargetClearing = !target.exists ? 'nothing' : target.isEmpty ? 'remove-empty' : 'set-aside'
  return { plan: { kind: 'move', from: chosen.path, clearing }, leftBehind }
}

/** Why a rename of the old folder failed, when the station should carry on with the journal where it is. */
export type MoveRefusal = 'other-drive' | 'in-use'

/**
 * EXDEV: the folders are on different drives, where a rename cannot go. EPERM, EACCES, EBUSY: Windows refuses to
 * rename a folder while any file in it is open (an antivirus scan, an old station that started a moment ago).
 * Anything else is a real failure and is reported.
 */
export function moveRefusal(code: string | undefined): MoveRefusal | null {
  if (code === 'EXDEV') return 'other-drive'
  if (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY') return 'in-use'
  return null
}
