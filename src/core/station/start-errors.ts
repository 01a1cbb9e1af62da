import { join } from 'node:path'
import { DataFolderBusyError } from '../journal/folder-lock'
import { JournalTooNewError } from '../journal/schema'

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

/** Turns a file-system or SQLite failure into a `StationStartError`. */
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
  if (
    ['EACCES', 'EROFS', 'EPERM', 'SQLITE_READONLY', 'SQLITE_CANTOPEN'].includes(code) ||
    /readonly database|read-only/i.test(text)
  ) {
    return new StationStartError(
      `RUFUS Station cannot write to its data folder ${dataFolder} (it is read-only or not permitted). Choose a folder this user can write to.`,
      'read-only',
      { cause: error }
    )
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || /disk is full|database or disk is full/i.test(text)) {
    return new StationStartError(
      `The disk holding ${dataFolder} is full, so new reads cannot be saved. Free some space.`,
      'disk-full',
      {
        cause: error
      }
    )
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(text)) {
    return new StationStartError(
      `The journal ${join(dataFolder, 'journal.sqlite')} is damaged or is not a RUFUS Station journal. It was left untouched: move it aside (keep it for recovery) and start again to begin a new journal.`,
      'damaged',
      { cause: error }
    )
  }
  return new StationStartError(
    `RUFUS Station could not use its data folder ${dataFolder}: ${text}`,
    'other',
    { cause: error }
  )
}
