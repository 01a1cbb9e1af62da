import type { StationMessage } from '../../shared/messages'
import { copyFileSync, existsSync, readdirSync, renameSync, rmdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { lockDataFolder } from '../journal/folder-lock'
import {
  appDataRoot,
  appFolder,
  defaultDataFolder,
  DESKTOP_SETTINGS_FILE,
  oldDataFolders,
  oldDesktopAppFolder
} from '../platform/data-folder'
import { makePrivateFolder } from '../platform/private-folder'
import { moveRefusal, planAdoption, type FolderLook, type MoveRefusal } from './adoption-plan'
import { JOURNAL_FILE } from './journal-file'
import { explainStartError } from './start-errors'

/** The points between the steps of an adoption, where a crash may stop it (tests stop there on purpose). */
export type AdoptionStep = 'files-copied' | 'old-folder-free' | 'target-cleared' | 'moved'

export interface AdoptionOptions {
  /** The data folder this version uses. */
  readonly target: string
  /** Where earlier versions kept it, most likely first. */
  readonly old: readonly string[]
  /** Files kept beside the data folder (the desktop app's settings), copied when the new place has none yet. */
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

/** Copied under a temporary name, then renamed: a crash never leaves half a file under the real name. */
function copyIfMissing(from: string, to: string): void {
  if (existsSync(to) || !existsSync(from)) return
  makePrivateFolder(dirname(to))
  const partial = `${to}.adopting`
  copyFileSync(from, partial)
  renameSync(partial, to)
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

/**
 * Finds a journal an earlier version left in its own default folder and makes it this version's (see
 * adoption-plan.ts for the rules). Runs before the station opens, at every start, so that an adoption a crash
 * interrupted is finished by the next start.
 */
export function adoptDataFolder(options: AdoptionOptions): AdoptionResult {
  const { target } = options
  const afterStep = options.afterStep ?? (() => undefined)
  if (options.files !== undefined && options.files.length > 0) {
    for (const file of options.files) copyIfMissing(file.from, file.to)
    afterStep('files-copied')
  }
  const { plan, leftBehind } = planAdoption(look(target), options.old.map(look))
  const notices = leftBehind.map(folder => leftBehindNotice(folder, target))
  switch (plan.kind) {
    case 'use-target':
      return { dataFolder: target, notices }
    case 'open-in-place':
      return { dataFolder: plan.folder, notices: [inPlace(plan.folder, target, plan.why), ...notices] }
    case 'move': {
      checkNoStationUses(plan.from)
      afterStep('old-folder-free')
      try {
        if (plan.clearing === 'remove-empty') rmdirSync(target)
        // Whatever is there without a journal is kept, under another name.
        if (plan.clearing === 'set-aside') renameSync(target, `${target}-set-aside-${Date.now()}`)
        makePrivateFolder(dirname(target))
      } catch (error) {
        throw explainStartError(error, target)
      }
      afterStep('target-cleared')
      try {
        renameSync(plan.from, target)
      } catch (error) {
        const refusal = moveRefusal(codeOf(error))
        if (refusal === null) throw explainStartError(error, target)
        return { dataFolder: plan.from, notices: [inPlace(plan.from, target, refusal), ...notices] }
      }
      afterStep('moved')
      return {
        dataFolder: target,
        notices: [
          {
            level: 'info',
            message: { code: 'start.folder-adopted', params: { from: plan.from, to: target } }
          },
          ...notices
        ]
      }
    }
  }
}

/** The desktop app's adoption, under Electron's appData: the old data folders and its settings file. */
export function adoptDesktopData(root: string): AdoptionResult {
  return adoptDataFolder({
    target: defaultDataFolder(root),
    old: oldDataFolders(root),
    files: [
      {
        from: join(oldDesktopAppFolder(root), DESKTOP_SETTINGS_FILE),
        to: join(appFolder(root), DESKTOP_SETTINGS_FILE)
      }
    ]
  })
}

/** The headless station started without `--data`: the same folder as the desktop app. */
export function adoptDefaultDataFolder(root: string = appDataRoot()): AdoptionResult {
  return adoptDataFolder({ target: defaultDataFolder(root), old: oldDataFolders(root) })
}
