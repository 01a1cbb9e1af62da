import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  ftruncateSync,
  writeFileSync
} from 'node:fs'
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

const HEADER = UTF8_BOM + csvRows([PASSING_COLUMNS])

function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000)
  const micros = String(Math.floor(us % 1000)).padStart(3, '0')
  return new Date(ms).toISOString().replace('Z', `${micros}Z`)
}

/** A passing's fields in the order of PASSING_COLUMNS, as read (the CSV writer neutralises them). */
export function passingCells(p: PassingRecord): (string | null)[] {
  return [String(p.num), p.bib, p.chip, isoMicros(p.timeUs), p.source, p.port, isoMicros(p.capturedAtUs)]
}

function rowsOf(passings: readonly PassingRecord[]): string {
  return csvRows(passings.map(passingCells))
}

/** The longest row the mirror writes is far below this; the tail read to find the last row is this long. */
const TAIL_BYTES = 64 * 1024
/** Rows read from the journal per step of a catch-up, between which capture runs. */
const CATCH_UP_PAGE = 2000

/**
 * The number of the last complete row of a mirror file, after cutting off a row left half-written by a crash.
 * Reads only the file's tail. Null when the file does not exist.
 */
export function lastMirroredNum(path: string): number | null {
  if (!existsSync(path)) return null
  const fd = openSync(path, 'r+')
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, TAIL_BYTES)
    const tail = Buffer.alloc(length)
    readSync(fd, tail, 0, length, size - length)
    const end = tail.lastIndexOf(0x0a)
    if (end < 0) {
      // Not even the header is complete: start the file again.
      ftruncateSync(fd, 0)
      return 0
    }
    if (end < length - 1) ftruncateSync(fd, size - length + end + 1)
    const start = tail.lastIndexOf(0x0a, end - 1) + 1
    // Rows hold no line breaks in practice: line decoders split on them and typed bibs refuse control characters.
    const num = Number(tail.subarray(start, end).toString('utf8').split(',', 1)[0])
    return Number.isSafeInteger(num) && num > 0 ? num : 0
  } finally {
    closeSync(fd)
  }
}

export type PassingsAfter = (sessionId: number, afterNum: number, limit: number) => PassingRecord[]

/**
 * A human-readable copy of each session's passings, appended as they commit, for the day the database cannot
 * be opened. At start it catches up from its own last row, page by page after capture has started, so a crash
 * between a commit and its row loses no row, and a long session does not delay the first capture.
 */
export class CsvMirror {
  readonly #folder: string
  /** Sessions being caught up: their new rows come from the journal, in order, until the catch-up ends. */
  readonly #catchingUp = new Set<number>()

  constructor(dataFolder: string) {
    this.#folder = join(dataFolder, 'sessions')
    makePrivateFolder(this.#folder)
  }

  pathOf(session: Pick<SessionRecord, 'id' | 'alias'>): string {
    const safe = session.alias.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40)
    return join(this.#folder, `session-${session.id}-${safe}.csv`)
  }

  rewrite(session: SessionRecord, passings: readonly PassingRecord[]): void {
    this.#catchingUp.delete(session.id)
    writeFileSync(this.pathOf(session), HEADER + rowsOf(passings), { mode: PRIVATE_FILE_MODE })
  }

  append(session: SessionRecord, passings: readonly PassingRecord[]): void {
    if (passings.length === 0 || this.#catchingUp.has(session.id)) return
    appendFileSync(this.pathOf(session), rowsOf(passings), { mode: PRIVATE_FILE_MODE })
  }

  /** From now until `catchUp` ends, this session's new rows are left for `catchUp` to take from the journal. */
  holdAppends(sessionId: number): void {
    this.#catchingUp.add(sessionId)
  }

  /**
   * Brings a session's file up to the journal from its last row, one page per turn of the event loop. Rows
   * committed meanwhile are taken from the journal too, so each row is written once and in order.
   */
  async catchUp(session: SessionRecord, passingsAfter: PassingsAfter): Promise<number> {
    const path = this.pathOf(session)
    let last = lastMirroredNum(path)
    if (last === null || last === 0) writeFileSync(path, HEADER, { mode: PRIVATE_FILE_MODE })
    last ??= 0
    this.#catchingUp.add(session.id)
    let written = 0
    try {
      while (this.#catchingUp.has(session.id)) {
        const page = passingsAfter(session.id, last, CATCH_UP_PAGE)
        if (page.length > 0) {
          appendFileSync(path, rowsOf(page), { mode: PRIVATE_FILE_MODE })
          written += page.length
          last = page.at(-1)?.num ?? last
        }
        if (page.length < CATCH_UP_PAGE) break
        await new Promise(resolve => setImmediate(resolve))
      }
    } finally {
      this.#catchingUp.delete(session.id)
    }
    return written
  }
}
