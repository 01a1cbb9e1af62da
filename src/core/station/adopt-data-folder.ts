import type { StationMessage } from '../../shared/messages'
import { existsSync, readdirSync, renameSync, rmdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { lockAdoption, lockDataFolder } from '../journal/folder-lock'
import {
  appDataRoot,
  appFolder,
  defaultDataFolder,
  DESKTOP_CARRIED_FILES,
  oldDataFolders,
  oldDesktopAppFolder
} from '../platform/data-folder'
import { copyDurably, flushParent, renameDurably } from '../platform/durable-files'
import { makePrivateFolder } from '../platform/private-folder'
import {
  moveRefusal,
  planAdoption,
  type FolderLook,
  type MoveRefusal,
  type TargetClearing
} from './adoption-plan'
import { JOURNAL_FILE } from './journal-file'
import { explainStartError } from './start-errors'

/**
 * The points between the steps of an adoption, where a crash may stop it (tests stop there on purpose).
 * `copy-written`: a file or folder copied under its temporary name, not yet renamed.
 */
export type AdoptionStep =
  'locked' | 'copy-written' | 'files-copied' | 'old-folder-free' | 'target-cleared' | 'moved'

export interface AdoptionOptions {
  /** The data folder this version uses. */
  readonly target: string
  /** Where earlier versions kept it, most likely first. */
  readonly old: readonly string[]
  /**
   * Files or folders kept beside the data folder (the desktop app's settings and Chromium's own), copied when the
   * new place has none yet.
   */
  readonly files?: ReadonlyArray<{ readonly from: string; readonly to: string }>
  readonly afterStep?: (step: AdoptionStep) => void
}

export interface AdoptionNotice {
  readonly level: 'info' | 'warning'
  readonly message: StationMessage
}

export interface AdoptionResult {
  /** The folder to open: the target, or an old folder that could not be moved (opened where it is). */
  readonly dataFolder: string
  readonly notices: readonly AdoptionNotice[]
}

function look(path: string): FolderLook {
  const exists = statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
  return {
    path,
    exists,
    hasJournal: exists && existsSync(join(path, JOURNAL_FILE)),
    isEmpty: exists && readdirSync(path).length === 0
  }
}

/** Copied under a temporary name and flushed, then renamed: a crash never leaves half a copy under the real name. */
function copyIfMissing(from: string, to: string, afterStep: (step: AdoptionStep) => void): void {
  if (existsSync(to) || !existsSync(from)) return
  makePrivateFolder(dirname(to))
  copyDurably(from, to, () => afterStep('copy-written'))
}

/**
 * Proves no older station still has the folder open: it would go on writing passings into a folder that is about
 * to move. Its lock is released at once, because Windows cannot rename a folder with an open file in it.
 */
function checkNoStationUses(folder: string): void {
  try {
    lockDataFolder(folder).release()
  } catch (error) {
    throw explainStartError(error, folder)
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function inPlace(folder: string, target: string, why: MoveRefusal | 'overlaps'): AdoptionNotice {
  return {
    level: 'warning',
    message: { code: 'start.folder-kept-in-place', params: { folder, target, why } }
  }
}

function leftBehindNotice(folder: string, target: string): AdoptionNotice {
  return { level: 'warning', message: { code: 'start.older-journal-left', params: { folder, target } } }
}

/** Whatever a new folder without a journal holds is kept, under another name, and said. */
function setAside(target: string): AdoptionNotice {
  const keptAs = `${target}-set-aside-${Date.now()}`
  renameDurably(target, keptAs)
  return { level: 'warning', message: { code: 'start.folder-set-aside', params: { folder: target, keptAs } } }
}

/**
 * Finds a journal an earlier version left in its own default folder and makes it this version's (see
 * adoption-plan.ts for the rules). Runs before the station opens, at every start, so that an adoption a crash
 * interrupted is finished by the next start. One start at a time: a second one waits for the first's adoption
 * lock, then finds the folder adopted (and, if the first station runs, is refused by the data folder's own lock).
 */
export function adoptDataFolder(options: AdoptionOptions): AdoptionResult {
  const afterStep = options.afterStep ?? (() => undefined)
  let lock: { release(): void }
  try {
    makePrivateFolder(dirname(options.target))
    lock = lockAdoption(dirname(options.target))
  } catch (error) {
    throw explainStartError(error, options.target)
  }
  try {
    afterStep('locked')
    return adoptLocked(options, afterStep)
  } catch (error) {
    // A folder that cannot be read, written or flushed, said as a start failure (one naming its folder stays so).
    throw explainStartError(error, options.target)
  } finally {
    lock.release()
  }
}

function adoptLocked(options: AdoptionOptions, afterStep: (step: AdoptionStep) => void): AdoptionResult {
  const { target } = options
  const { plan, leftBehind } = planAdoption(look(target), options.old.map(look))
  const notices = leftBehind.map(folder => leftBehindNotice(folder, target))
  if (plan.kind === 'move') {
    // Before anything is copied from beside it: an older app still running would still be changing those files.
    checkNoStationUses(plan.from)
    afterStep('old-folder-free')
  }
  if (options.files !== undefined && options.files.length > 0) {
    for (const file of options.files) copyIfMissing(file.from, file.to, afterStep)
    afterStep('files-copied')
  }
  switch (plan.kind) {
    case 'use-target':
      return { dataFolder: target, notices }
    case 'open-in-place':
      return { dataFolder: plan.folder, notices: [inPlace(plan.folder, target, plan.why), ...notices] }
    case 'move':
      return move(plan.from, plan.clearing, target, notices, afterStep)
  }
}

/** The old folder, proven free, takes the new one's place by one rename (after clearing the way). */
function move(
  from: string,
  clearing: TargetClearing,
  target: string,
  notices: AdoptionNotice[],
  afterStep: (step: AdoptionStep) => void
): AdoptionResult {
  if (clearing === 'remove-empty') rmdirSync(target)
  if (clearing === 'set-aside') notices.unshift(setAside(target))
  afterStep('target-cleared')
  try {
    renameSync(from, target)
  } catch (error) {
    const refusal = moveRefusal(codeOf(error))
    if (refusal === null) throw error
    return { dataFolder: from, notices: [inPlace(from, target, refusal), ...notices] }
  }
  // Made durable before the journal opens in its new place: a power cut must not undo the move after the station
  // has written there.
  flushParent(target)
  flushParent(from)
  afterStep('moved')
  return {
    dataFolder: target,
    notices: [
      { level: 'info', message: { code: 'start.folder-adopted', params: { from, to: target } } },
      ...notices
    ]
  }
}

/**
 * The desktop app's adoption, under Electron's appData: the old data folders, its settings file and Chromium's
 * files that must come with it. Run before Electron is ready (src/main/index.ts), since Chromium reads those then.
 */
export function adoptDesktopData(root: string): AdoptionResult {
  return adoptDataFolder({
    target: defaultDataFolder(root),
    old: oldDataFolders(root),
    files: DESKTOP_CARRIED_FILES.map(name => ({
      from: join(oldDesktopAppFolder(root), name),
      to: join(appFolder(root), name)
    }))
  })
}

/** The headless station started without `--data`: the same folder as the desktop app. */
export function adoptDefaultDataFolder(root?: string): AdoptionResult {
  let appData: string
  try {
    appData = root ?? appDataRoot()
  } catch (error) {
    throw explainStartError(error, '')
  }
  return adoptDataFolder({ target: defaultDataFolder(appData), old: oldDataFolders(appData) })
}
