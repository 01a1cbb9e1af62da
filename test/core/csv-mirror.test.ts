import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { csvRows } from '../../src/core/csv/spreadsheet-csv'
import { passingCells } from '../../src/core/journal/csv-mirror'
import { Journal } from '../../src/core/journal/journal'
import { sessionWithPassings } from '../helpers/journal-fill'
import { lines, openStation, tempFolder } from '../helpers/station'

const IN_JOURNAL = 5000
const MIRRORED = 3000

async function until(check: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

describe('the CSV copy after a crash', () => {
  it('catches up from its last complete row, once capture has started, writing each row once and in order', async () => {
    const folder = tempFolder()
    const session = sessionWithPassings(folder, IN_JOURNAL)
    // The copy a crash left behind: 3,000 rows, then one cut half-way.
    const journal = new Journal(join(folder, 'journal.sqlite'))
    const rows = journal.passingsOfSession(session.id, 0, MIRRORED + 1).map(p => csvRows([passingCells(p)]))
    journal.close()
    mkdirSync(join(folder, 'sessions'))
    const path = join(folder, 'sessions', `session-${session.id}-FINISH.csv`)
    writeFileSync(
      path,
      `num_passing,bib,chip,timestamp_utc,source,port,captured_at_utc\n${rows.slice(0, MIRRORED).join('')}`
    )
    appendFileSync(path, (rows[MIRRORED] ?? '').slice(0, 12))
    const { station, log } = openStation({
      apiUrl: 'http://127.0.0.1:9/v0',
      apiKey: 'k',
      sync: false,
      dataFolder: folder,
      mirrorCatchUpDelayMs: 0
    })
    // Captures while the copy is behind wait for the catch-up rather than jump ahead of it.
    station.ingest('p', lines('a1', 'a2', 'a3'))
    await log.until(() => log.of('passing').length === 3, 'three captures')
    const nums = () =>
      readFileSync(path, 'utf8')
        .split('\n')
        .slice(1, -1)
        .map(row => Number(row.split(',')[0]))
    const upTo = (last: number) => Array.from({ length: last }, (_, i) => i + 1)
    await until(
      () => nums().length >= IN_JOURNAL + 3,
      () => `the copy has ${nums().length} rows`
    )
    expect(nums()).toEqual(upTo(IN_JOURNAL + 3))
    station.ingest('p', lines('a4'))
    await log.until(() => log.of('passing').length === 4, 'a capture after the catch-up')
    expect(nums()).toEqual(upTo(IN_JOURNAL + 4))
  })
})
