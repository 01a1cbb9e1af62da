import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { csvRows } from '../../src/core/csv/spreadsheet-csv'
import { passingCells } from '../../src/core/journal/csv-mirror'
import { Journal } from '../../src/core/journal/journal'
import { sessionWithPassings } from '../helpers/journal-fill'
import { lines, openOfflineStation, tempFolder } from '../helpers/station'

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
    const { station, log } = openOfflineStation({
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

describe('the CSV copy when its file cannot be written for a while', () => {
  it('gets no hole: rows refused meanwhile are written once it can, and capture and sync carry on', async () => {
    const folder = tempFolder()
    const { station, log } = openOfflineStation({
      dataFolder: folder,
      mirrorCatchUpDelayMs: 0
    })
    const path = join(folder, 'sessions', 'session-1-FINISH.csv')
    const nums = () =>
      existsSync(path) && !statSync(path).isDirectory()
        ? readFileSync(path, 'utf8')
            .split('\n')
            .slice(1, -1)
            .map(row => Number(row.split(',')[0]))
        : []
    station.ingest('p', lines('b1', 'b2'))
    await until(
      () => nums().length === 2,
      () => `the copy has ${nums().length} rows`
    )
    // The file held by another program (a spreadsheet on Windows locks it): here a folder where it was.
    const held = `${path}.held`
    renameSync(path, held)
    mkdirSync(path)
    station.ingest('p', lines('b3', 'b4'))
    await log.until(() => log.of('passing').length === 4, 'captures while the copy is refused')
    station.ingest('p', lines('b5'))
    await log.until(() => log.of('passing').length === 5, 'capture goes on')
    // Nothing was lost from the journal: no error says reader input is waiting.
    expect(log.of('error')).toEqual([])
    expect(log.of('warning').filter(w => /CSV copy/.test(w.message))).toHaveLength(1)
    rmSync(path, { recursive: true })
    renameSync(held, path)
    station.ingest('p', lines('b6'))
    await log.until(() => log.of('passing').length === 6, 'a capture once the file is back')
    await until(
      () => nums().length >= 6,
      () => `the copy has ${nums().join(' ')}`
    )
    expect(nums()).toEqual([1, 2, 3, 4, 5, 6])
  })
})
