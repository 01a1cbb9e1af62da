import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'libsql'
import { afterEach, describe, expect, it } from 'vitest'
import { Station } from '../../src/core/station/station'
import { StationStartError } from '../../src/core/station/start-errors'
import { emulator, KEYS } from '../helpers/emulator'
import {
  closeStation,
  EventLog,
  FAST_SYNC,
  lines,
  openOfflineStation,
  openStation,
  tempFolder
} from '../helpers/station'

const mounts: string[] = []
afterEach(() => {
  for (const mount of mounts.splice(0)) execFileSync('umount', [mount])
})

function startError(config: Parameters<typeof Station.open>[0]): StationStartError {
  try {
    Station.open(config).close()
  } catch (error) {
    if (error instanceof StationStartError) return error
    throw error
  }
  throw new Error('expected the station not to start')
}

/** A folder nobody may write to: a read-only mount when running as root (root ignores modes), else mode 555. */
function readOnlyFolder(): string {
  const folder = join(tempFolder('rufus-ro-'), 'data')
  mkdirSync(folder)
  if (process.getuid?.() === 0) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', folder])
    mounts.push(folder)
  } else {
    chmodSync(folder, 0o555)
  }
  return folder
}

const base = { apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false, ...FAST_SYNC }

describe('station start and storage failures', () => {
  it('refuses a second station on the same data folder', async () => {
    const { station } = openStation({ ...base })
    const error = startError({ ...base, dataFolder: station.dataFolder })
    expect(error.problem).toBe('busy')
    expect(error.message).toMatch(/Another RUFUS Station \(process \d+\) is already using the data folder/)
  })

  it('starts although an older version left a lock file naming a live, unrelated process', async () => {
    const folder = tempFolder()
    // After a power cut the old pid may be any program's: here, the test runner's own.
    writeFileSync(join(folder, 'station.lock'), String(process.pid))
    const { station, log } = openStation({ ...base, dataFolder: folder })
    station.ingest('p', lines('7'))
    await log.until(() => log.of('passing').length === 1, 'a capture')
    await closeStation(station)
    // Once released, the folder is free again at once.
    const { station: again } = openStation({ ...base, dataFolder: folder })
    await closeStation(again)
  })

  it('says plainly that a read-only folder cannot be used', () => {
    const error = startError({ ...base, dataFolder: readOnlyFolder() })
    expect(error.problem).toBe('read-only')
    expect(error.message).toMatch(/cannot write to its data folder .* \(it is read-only or not permitted\)/)
  })

  it('leaves a damaged journal untouched and says what to do', () => {
    const folder = tempFolder()
    const path = join(folder, 'journal.sqlite')
    writeFileSync(path, 'garbage '.repeat(1000))
    const error = startError({ ...base, dataFolder: folder })
    expect(error.problem).toBe('damaged')
    expect(error.message).toMatch(
      /is damaged or is not a RUFUS Station journal\. It was left untouched: move it aside/
    )
    expect(readFileSync(path, 'utf8')).toBe('garbage '.repeat(1000))
  })

  it('refuses a journal from a newer version', async () => {
    const { station } = openStation({ ...base })
    const folder = station.dataFolder
    await closeStation(station)
    const raw = new Database(join(folder, 'journal.sqlite'))
    raw.exec('PRAGMA user_version = 42')
    raw.close()
    const error = startError({ ...base, dataFolder: folder })
    expect(error.problem).toBe('too-new')
    expect(error.message).toMatch(/newer RUFUS Station/)
  })

  it('on a full disk reports it in plain words, keeps what was committed, and keeps running', async () => {
    const folder = tempFolder()
    const log = new EventLog()
    const { station } = openStation(
      { ...base, dataFolder: folder, maxPageCount: 40, maxWaitingBytes: 64 * 1024 },
      log
    )
    let bib = 0
    while (log.of('error').length === 0 && bib < 50_000) {
      station.ingest('p', lines(...Array.from({ length: 50 }, () => String(++bib))))
      await log.until(
        () => log.of('passing').length > 0 || log.of('error').length > 0,
        'a commit or an error'
      )
      await new Promise(resolve => setImmediate(resolve))
    }
    await log.until(() => log.of('error').length > 0, 'a disk-full error')
    expect(log.of('error')[0]?.message).toMatch(
      /disk holding .* is full.*waiting in memory.*nothing already saved is affected/
    )
    const reported = log.of('passing').map(p => [p.num_passing, p.bib])
    expect(reported.length).toBeGreaterThan(0)
    // Still running: more input is accepted (held in memory) and the save is retried, not crashed on.
    const errorsBefore = log.of('error').length
    expect(() => station.ingest('p', lines('after-full'))).not.toThrow()
    await log.until(() => log.of('error').length > errorsBefore, 'a retried save')
    // Waiting input is bounded: past it, what cannot be kept is counted and said, and capture goes on.
    for (let i = 0; i < 100; i += 1)
      station.ingest('p', lines(...Array.from({ length: 200 }, (_, j) => `x${i}-${j}`)))
    const errorsAfterFlood = log.of('error').length
    await log.until(() => log.of('error').length > errorsAfterFlood, 'a retried save after the flood')
    expect(log.of('error').at(-1)?.message).toMatch(
      /memory set aside for waiting input is full: \d+ bytes of reader input could not be kept/
    )
    await closeStation(station)
    const reopened = Station.open({ ...base, dataFolder: folder })
    try {
      const stored = reopened.records.passingsOfSession(reopened.currentSession().id).map(p => [p.num, p.bib])
      expect(stored.slice(0, reported.length)).toEqual(reported)
    } finally {
      await reopened.close()
    }
  })

  it('reports a port the serial library refuses outright (no path), keeps trying, and keeps running', async () => {
    const { station, log } = openOfflineStation()
    station.addReader({ id: 'unnamed', path: '', protocol: 'line', baudRate: 9600 })
    const refusals = () =>
      log.of('reader').filter(e => e.state === 'error' && e.code === 'reader.cannot-open')
    await log.until(() => refusals().length >= 2, 'the refusal, then a second attempt')
    expect(refusals()[0]?.message).toMatch(/^Cannot open : .*path/)
    station.ingest('typed', lines(1))
    await log.until(() => log.of('passing').length === 1, 'capture going on')
  })

  it('never writes the API key into the data folder', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    const folder = station.dataFolder
    await closeStation(station)
    const grep = spawnSync('grep', ['-rl', KEYS.readWrite.apiKey, folder], { encoding: 'utf8' })
    expect(grep.status).toBe(1)
    expect(grep.stdout).toBe('')
  })
})
