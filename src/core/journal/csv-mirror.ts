import { appendFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { csvRows, UTF8_BOM } from '../csv/spreadsheet-csv'
import { makePrivateFolder, PRIVATE_FILE_MODE } from '../platform/private-folder'
import type { PassingRecord, SessionRecord } from './journal'

export const PASSING_COLUMNS = [
  'num_passing',
  'bib',
  'chip',
  'timestamp_utc',
  'source',
  'port',
  'captured_at_utc'
]

function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000)
  const micros = String(Math.floor(us % 1000)).padStart(3, '0')
  return new Date(ms).toISOString().replace('Z', `${micros}Z`)
}

/** A passing's fields in the order of PASSING_COLUMNS, as read (the CSV writer neutralises them). */
export function passingCells(p: PassingRecord): (string | null)[] {
  return [String(p.num), p.bib, p.chip, isoMicros(p.timeUs), p.source, p.port, isoMicros(p.capturedAtUs)]
}

/**
 * A human-readable copy of each session's passings, appended as they commit, for the day the database cannot
 * be opened. It is rewritten from the journal at start, so rows committed just before a crash are not missing.
 */
export class CsvMirror {
  readonly #folder: string

  constructor(dataFolder: string) {
    this.#folder = join(dataFolder, 'sessions')
    makePrivateFolder(this.#folder)
  }

  pathOf(session: Pick<SessionRecord, 'id' | 'alias'>): string {
    const safe = session.alias.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40)
    return join(this.#folder, `session-${session.id}-${safe}.csv`)
  }

  rewrite(session: SessionRecord, passings: readonly PassingRecord[]): void {
    writeFileSync(
      this.pathOf(session),
      UTF8_BOM + csvRows([PASSING_COLUMNS, ...passings.map(passingCells)]),
      {
        mode: PRIVATE_FILE_MODE
      }
    )
  }

  append(session: SessionRecord, passings: readonly PassingRecord[]): void {
    if (passings.length === 0) return
    appendFileSync(this.pathOf(session), csvRows(passings.map(passingCells)), { mode: PRIVATE_FILE_MODE })
  }
}
