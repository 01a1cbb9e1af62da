import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SerialPort } from 'serialport'
import { afterEach, describe, expect, it } from 'vitest'
import { headlessArgs } from '../helpers/headless-args'
import { spawnTs } from '../helpers/process'
import { ptyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'

// A fixed run of the headless station, offline, with its `--json` events and its CSV copy compared to the ones
// recorded before messages became codes (test/golden/*.golden). What varies from run to run (times, folders,
// ports, ids) is replaced by a placeholder. Sync events follow timers, so one is kept: the first that counts all
// four passings offline.
const GOLDEN_EVENTS = new URL('./headless-events.golden', import.meta.url).pathname
const GOLDEN_CSV = new URL('./headless-csv.golden', import.meta.url).pathname

const SETTLED = /"type":"sync","pending":4,.*"online":false/

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function normalise(text: string, folder: string, port: string): string {
  return text
    .replaceAll(port, '<port>')
    .replaceAll(folder, '<folder>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z/g, '<time>')
    .replace(
      /"(at|atMs|timeMs|sinceMs|ageMs|lastReadAgeMs|serverMs|offsetMs|retryInMs|nextTryMs)":-?[\d.]+/g,
      '"$1":0'
    )
    .replace(/RS-[0-9A-F]{12}/g, 'RS-<id>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
}

/**
 * The line without the `code` and `params` keys added beside `message` when messages became codes: everything
 * else, English words included, must stay byte for byte what was recorded before.
 */
function withoutMessageCodes(line: string): string {
  const { code: _code, params: _params, ...rest } = JSON.parse(line) as Record<string, unknown>
  return JSON.stringify(rest)
}

function matchesGolden(path: string, actual: string): void {
  // Recorded once, on purpose (UPDATE_GOLDEN=1), never silently: a missing golden file fails.
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual)
  expect(existsSync(path), `${path} is missing`).toBe(true)
  expect(actual).toBe(readFileSync(path, 'utf8'))
}

describe('a fixed headless run', () => {
  it('prints the same --json events and writes the same CSV as before messages became codes', async () => {
    const folder = tempFolder('rufus-golden-')
    const pty = await ptyPair(folder)
    cleanups.push(() => pty.stop())
    const data = join(folder, 'data')
    const station = spawnTs(
      'src/headless/cli.ts',
      headlessArgs(data, pty.a, ['--json', '--session-alias', 'GOLDEN', '--device-serial', 'RS-GOLDEN']),
      { RUFUS_API_KEY: 'k' }
    )
    cleanups.push(async () => {
      if (station.child.exitCode === null) station.child.kill('SIGKILL')
      await station.exited()
    })
    await station.waitForLine(/"type":"reader".*"state":"open"/)
    const port = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false })
    await new Promise<void>((resolve, reject) => port.open(error => (error ? reject(error) : resolve())))
    cleanups.push(() => new Promise(resolve => port.close(() => resolve())))
    port.write('101\r\n102\n\n=SUM(A1)\n103\n')
    await station.waitForLine(/"type":"passing".*"num_passing":4/)
    await station.waitForLine(SETTLED)
    // The CSV copy catches up a second after start; wait for its four rows.
    const sessions = join(data, 'sessions')
    const csvPath = (): string | undefined =>
      readdirSync(sessions)
        .filter(name => name.endsWith('.csv'))
        .map(name => join(sessions, name))[0]
    const deadline = Date.now() + 10_000
    while ((readFileSync(csvPath() ?? '/dev/null', 'utf8').match(/\n/g) ?? []).length < 5) {
      if (Date.now() > deadline) throw new Error('the CSV copy did not catch up')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    station.child.kill('SIGTERM')
    expect(await station.exited()).toBe(0)

    const settled = station.lines.find(line => SETTLED.test(line))
    // Every event that carries words carries them as a code too (none here for a reader without a problem).
    const readerEvents = station.lines.filter(line => line.includes('"type":"reader"'))
    expect(readerEvents.length).toBeGreaterThan(0)
    for (const line of readerEvents)
      expect(JSON.parse(line)).toMatchObject({ code: null, params: null, message: null })
    const events = station.lines
      .filter(line => !line.includes('"type":"sync"') || line === settled)
      .map(line => normalise(withoutMessageCodes(line), folder, pty.a))
    matchesGolden(GOLDEN_EVENTS, `${events.join('\n')}\n`)
    matchesGolden(GOLDEN_CSV, normalise(readFileSync(csvPath() ?? '', 'utf8'), folder, pty.a))
  })
})
