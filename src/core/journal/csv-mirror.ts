import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PassingRecord, SessionRecord } from './journal'

const HEADER = 'num_passing,bib,chip,timestamp_utc,source,port,captured_at_utc\n'

export function cell(value: string | null): string {
  if (value === null) return ''
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000)
  const micros = String(Math.floor(us % 1000)).padStart(3, '0')
  return new Date(ms).toISOString().replace('Z', `${micros}Z`)
}

export function csvLine(p: PassingRecord): string {
  return (
    [
      String(p.num),
      cell(p.bib),
      cell(p.chip),
      isoMicros(p.timeUs),
      p.source,
      cell(p.port),
      isoMicros(p.capturedAtUs)
    ].join(',') + '\n'
  )
}

/**
 * A human-readable copy of each session's passings, appended as they commit, for the day the database cannot
 * be opened. It is rewritten from the journal at start, so rows committed just before a crash are not missing.
 */
export class CsvMirror {
  readonly #folder: string

  constructor(dataFolder: string) {
    this.#folder = join(dataFolder, 'sessions')
    mkdirSync(this.#folder, { recursive: true })
  }

  pathOf(session: Pick<SessionRecord, 'id' | 'alias'>): string {
    const safe = session.alias.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40)
    return join(this.#folder, `session-${session.id}-${safe}.csv`)
  }

  rewrite(session: SessionRecord, passings: readonly PassingRecord[]): void {
    writeFileSync(this.pathOf(session), HEADER + passings.map(csvLine).join(''))
  }

  append(session: SessionRecord, passings: readonly PassingRecord[]): void {
    if (passings.length === 0) return
    appendFileSync(this.pathOf(session), passings.map(csvLine).join(''))
  }
}
