import { join } from 'node:path'
import type { StationMessage } from '../../shared/messages'
import { DataFolderBusyError } from '../journal/folder-lock'
import { JournalTooNewError } from '../journal/schema'
import { MessageError } from '../message-error'
import { JOURNAL_FILE } from './journal-file'

export type StationProblem = 'busy' | 'too-new' | 'read-only' | 'disk-full' | 'damaged' | 'other'

/** Why the station cannot start or save, as a message (`reason`) a timer understands once put into words. */
export class StationStartError extends MessageError {
  override readonly name = 'StationStartError'
  constructor(
    reason: StationMessage,
    readonly problem: StationProblem,
    options?: { cause?: unknown }
  ) {
    super(reason, options)
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
    return new StationStartError(error.reason, 'busy', { cause: error })
  }
  if (error instanceof JournalTooNewError) {
    return new StationStartError(error.reason, 'too-new', { cause: error })
  }
  const code = codeOf(error)
  const text = error instanceof Error ? error.message : String(error)
  if (hasCode(code, READ_ONLY_CODES)) {
    return new StationStartError(
      { code: 'start.folder-read-only', params: { folder: dataFolder } },
      'read-only',
      {
        cause: error
      }
    )
  }
  if (hasCode(code, FULL_CODES)) {
    return new StationStartError({ code: 'start.disk-full', params: { folder: dataFolder } }, 'disk-full', {
      cause: error
    })
  }
  if (hasCode(code, DAMAGED_CODES)) {
    return new StationStartError(
      { code: 'start.journal-damaged', params: { journal: join(dataFolder, JOURNAL_FILE) } },
      'damaged',
      { cause: error }
    )
  }
  // A system call's errno name (EISDIR, ENOTDIR …) or SQLite's: a failure of the folder or its files. Node's own
  // ERR_* codes name a program's mistake, which the folder did not cause.
  if (/^E[A-Z0-9]+$/.test(code) || code.startsWith('SQLITE_')) {
    return new StationStartError(
      { code: 'start.folder-failed', params: { folder: dataFolder, detail: text } },
      'other',
      { cause: error }
    )
  }
  // Not a file or database failure (a setting refused, say): its own words, without blaming the folder.
  return new StationStartError(
    error instanceof MessageError ? error.reason : { code: 'untranslated', params: { text } },
    'other',
    { cause: error }
  )
}
