import { join } from 'node:path'
import { DataFolderBusyError } from '../journal/folder-lock'
import { JournalTooNewError } from '../journal/schema'
import { JOURNAL_FILE } from './journal-file'

export type StationProblem = 'busy' | 'too-new' | 'read-only' | 'disk-full' | 'damaged' | 'other'

/** Why the station cannot start or save, in words a timer understands. */
export class StationStartError extends Error {
  override readonly name = 'StationStartError'
  constructor(
    message: string,
    readonly problem: StationProblem,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

function codeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return ''
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : ''
}

// Classified by the error's code (Node's errno names, SQLite's result codes with their extended forms), never by
// its message: messages change between versions and languages.
const READ_ONLY_CODES = ['EACCES', 'EROFS', 'EPERM', 'SQLITE_READONLY', 'SQLITE_CANTOPEN']
const FULL_CODES = ['ENOSPC', 'EDQUOT', 'SQLITE_FULL']
const DAMAGED_CODES = ['SQLITE_NOTADB', 'SQLITE_CORRUPT']

function hasCode(code: string, family: readonly string[]): boolean {
  return family.some(base => code === base || code.startsWith(`${base}_`))
}

/** Turns a file-system or SQLite failure into a `StationStartError`; any other error names itself, not the folder. */
export function explainStartError(error: unknown, dataFolder: string): StationStartError {
  if (error instanceof StationStartError) return error
  if (error instanceof DataFolderBusyError) {
    return new StationStartError(error.message, 'busy', { cause: error })
  }
  if (error instanceof JournalTooNewError) {
    return new StationStartError(error.message, 'too-new', { cause: error })
  }
  const code = codeOf(error)
  const text = error instanceof Error ? error.message : String(error)
  if (hasCode(code, READ_ONLY_CODES)) {
    return new StationStartError(
      `RUFUS Station cannot write to its data folder ${dataFolder} (it is read-only or not permitted). Choose a folder this user can write to.`,
      'read-only',
      { cause: error }
    )
  }
  if (hasCode(code, FULL_CODES)) {
    return new StationStartError(
      `The disk holding ${dataFolder} is full, so new reads cannot be saved. Free some space.`,
      'disk-full',
      {
        cause: error
      }
    )
  }
  if (hasCode(code, DAMAGED_CODES)) {
    return new StationStartError(
      `The journal ${join(dataFolder, JOURNAL_FILE)} is damaged or is not a RUFUS Station journal. It was left untouched: move it aside (keep it for recovery) and start again to begin a new journal.`,
      'damaged',
      { cause: error }
    )
  }
  if (code !== '') {
    return new StationStartError(
      `RUFUS Station could not use its data folder ${dataFolder}: ${text}`,
      'other',
      { cause: error }
    )
  }
  // Not a file or database failure (a setting refused, say): its own words, without blaming the folder.
  return new StationStartError(text, 'other', { cause: error })
}
