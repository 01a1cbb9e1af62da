import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SerialPort } from 'serialport'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveApiKey } from '../../src/headless/api-key'
import { spawnTs, type Spawned } from '../helpers/process'
import { ptyPair, type PtyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'
import { headlessArgs, OFFLINE_API_URL } from '../helpers/headless-args'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function writer(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open(error => (error ? reject(error) : resolve())))
  cleanups.push(() => new Promise(resolve => port.close(() => resolve())))
  return port
}

async function setup(): Promise<{ folder: string; pty: PtyPair }> {
  const folder = tempFolder('rufus-headless-')
  const pty = await ptyPair(folder)
  cleanups.push(() => pty.stop())
  return { folder, pty }
}

function track(process: Spawned): Spawned {
  cleanups.push(async () => {
    if (process.child.exitCode === null) process.child.kill('SIGKILL')
    await process.exited()
  })
  return process
}

describe('headless station', () => {
  it('captures from the first second without ever being online, never prints the key, and stops cleanly on SIGTERM', async () => {
    const { folder, pty } = await setup()
    const key = 'ror-secret-key-do-not-print'
    const station = track(
      spawnTs('src/headless/cli.ts', headlessArgs(join(folder, 'data'), pty.a, ['--json']), {
        RUFUS_API_KEY: key
      })
    )
    await station.waitForLine(/"state":"open"/)
    const port = await writer(pty.b)
    port.write('101\r\n102\n')
    const second = await station.waitForLine(/"type":"passing".*"num_passing":2/)
    expect(JSON.parse(second)).toMatchObject({
      type: 'passing',
      num_passing: 2,
      bib: '102',
      chip: null,
      source: 'reader'
    })
    const first = JSON.parse(station.lines.find(l => l.includes('"num_passing":1')) ?? '{}') as {
      timestamp: string
    }
    expect(first.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    await station.waitForLine(/"type":"sync".*"pending":2.*"online":false/)
    station.child.kill('SIGTERM')
    expect(await station.exited()).toBe(0)
    expect(station.lines.join('\n') + station.stderr()).not.toContain(key)
  })

  it('prints each notice with --json as its code and parameters, and its English words beside them', async () => {
    const { folder, pty } = await setup()
    const participants = join(folder, 'runners.csv')
    writeFileSync(participants, 'chip,bib\nE1,12\nE2,\n')
    const station = track(
      spawnTs(
        'src/headless/cli.ts',
        headlessArgs(join(folder, 'data'), pty.a, ['--json', '--participants', participants]),
        { RUFUS_API_KEY: 'k' }
      )
    )
    const warning = await station.waitForLine(/"type":"warning"/)
    expect(JSON.parse(warning)).toEqual({
      type: 'warning',
      code: 'participants.line-empty',
      params: { line: 3 },
      message: 'Line 3: chip or bib is empty.'
    })
    const info = station.lines.find(line => line.includes('"participants.imported"')) ?? '{}'
    expect(JSON.parse(info)).toEqual({
      type: 'info',
      code: 'participants.imported',
      params: { count: 1, file: participants },
      message: `Imported 1 participants from ${participants}.`
    })
  })

  it('without --json writes a readable log', async () => {
    const { folder, pty } = await setup()
    const station = track(
      spawnTs('src/headless/cli.ts', headlessArgs(join(folder, 'data'), pty.a, ['--line-field', 'chip']), {
        RUFUS_API_KEY: 'k'
      })
    )
    await station.waitForLine(/reader .*: open$/)
    const port = await writer(pty.b)
    port.write('E200001\r\n')
    expect(await station.waitForLine(/passing #1/)).toMatch(/passing #1 bib E200001 chip E200001 at \d{4}-/)
  })

  it('refuses to start without a key, or with a key file others can read, exiting without a crash loop', async () => {
    const folder = tempFolder()
    const keyFile = join(folder, 'key')
    writeFileSync(keyFile, 'ror-from-file\n', { mode: 0o644 })
    const station = track(
      spawnTs(
        'src/headless/cli.ts',
        ['--headless', '--data', folder, '--serial', '/dev/null', '--api-key-file', keyFile],
        { RUFUS_API_KEY: '' }
      )
    )
    expect(await station.exited()).toBe(2)
    expect(station.stderr()).toMatch(/can be read by other users \(mode 644\); run chmod 600/)
  })
  it('names the setting it refuses, not the data folder, and exits as for any usage error', async () => {
    const folder = tempFolder()
    const station = track(
      spawnTs(
        'src/headless/cli.ts',
        ['--headless', '--data', folder, '--serial', '/dev/null', '--dedup-window', 'abc'],
        {
          RUFUS_API_KEY: 'k'
        }
      )
    )
    expect(await station.exited()).toBe(2)
    expect(station.stderr()).toMatch(/cannot start: --dedup-window must be a whole number/)
    expect(station.stderr()).not.toMatch(/data folder/)
  })

  it('refused on a folder another station holds, leaves that station its API address', async () => {
    const { folder, pty } = await setup()
    const data = join(folder, 'data')
    const running = track(
      spawnTs('src/headless/cli.ts', headlessArgs(data, pty.a, ['--json']), { RUFUS_API_KEY: 'k' })
    )
    await running.waitForLine(/"state":"open"/)
    const second = track(
      spawnTs('src/headless/cli.ts', headlessArgs(data, '/dev/null', [], 'http://127.0.0.1:8/v0'), {
        RUFUS_API_KEY: 'k'
      })
    )
    expect(await second.exited()).toBe(3)
    expect(second.stderr()).toMatch(/Another RUFUS Station \(process \d+\) is already using the data folder/)
    const settings = JSON.parse(readFileSync(join(data, 'settings.json'), 'utf8')) as { apiUrl: string }
    expect(settings.apiUrl).toBe(OFFLINE_API_URL)
  })

  it('says when the DTR pulse (the RR box time reference) cannot be given on its port, instead of ignoring it', async () => {
    const { folder, pty } = await setup()
    await writer(pty.b)
    const station = track(
      spawnTs(
        'src/headless/cli.ts',
        headlessArgs(join(folder, 'data'), pty.a, [
          '--json',
          '--protocol',
          'rrbox',
          '--rrbox-open-delay',
          '0'
        ]),
        { RUFUS_API_KEY: 'k' }
      )
    )
    await station.waitForLine(/"state":"open"/)
    await expect
      .poll(() => station.stderr(), { timeout: 15_000 })
      .toMatch(
        new RegExp(
          `RUFUS Station: the DTR pulse \\(the RR box time reference\\) could not be given on ${pty.a}, carrying on: .*cannot set`
        )
      )
  })

  it.each([
    ['not JSON', '{"apiUrl": "http://127.0.0.1:9/v0", '],
    ['against the schema', '{"apiUrl": "127.0.0.1:4100", "language": "klingon"}']
  ])(
    'says so when its settings file is damaged (%s) and keeps the file aside, instead of silently starting over',
    async (_what, damaged) => {
      const { folder, pty } = await setup()
      const data = join(folder, 'data')
      mkdirSync(data)
      writeFileSync(join(data, 'settings.json'), damaged, { mode: 0o600 })
      const station = track(
        spawnTs('src/headless/cli.ts', ['--headless', '--data', data, '--serial', pty.a, '--json'], {
          RUFUS_API_KEY: 'k'
        })
      )
      await station.waitForLine(/"state":"open"/)
      const aside = join(data, 'settings.json.damaged')
      // The settings are read once the reader port is open (capture first), so the notice may follow it.
      await expect
        .poll(() => station.stderr(), { timeout: 15_000 })
        .toContain(
          `RUFUS Station: the settings file ${join(data, 'settings.json')} is damaged; it was moved to ${aside} and the defaults are used, carrying on:`
        )
      expect(readFileSync(aside, 'utf8')).toBe(damaged)
    }
  )

  // Each of these once exited 3 (blaming the data folder) or 70 (a crash, which a supervisor restarts in a loop),
  // said only a library's words, or first opened the data folder and started reading.
  const BAD_COMMAND_LINES: ReadonlyArray<readonly [flags: readonly string[], says: RegExp]> = [
    [
      ['--api-url', 'cloud.example'],
      /--api-url must be a web address such as https:\/\/api\.runonrufus\.com\/v0/
    ],
    [['--serial', ''], /--serial needs the path of a serial port/],
    [['--serial', '/dev/null'], /--serial \/dev\/null is given twice/],
    [['--baud', '0'], /--baud must be a speed from 300 to 1000000 baud/],
    [['--http-port', '70000'], /--http-port must be a port number from 0 to 65535/],
    [
      ['--http-port', '0', '--http-host', 'no-such-host.invalid'],
      /--http-host no-such-host\.invalid is not a name or address this machine knows/
    ],
    [
      ['--participants', '/nonexistent/runners.csv'],
      /The participants file \/nonexistent\/runners\.csv cannot be read: there is no such file/
    ],
    [['--participants', '/'], /The participants file \/ cannot be read: it is a folder/],
    [
      ['--api-key-file', '/nonexistent/key'],
      /The key file \/nonexistent\/key cannot be read: there is no such file/
    ]
  ]

  it.each(BAD_COMMAND_LINES)(
    'refuses %j before touching the data folder: exit 2, saying what is wrong',
    async (flags, says) => {
      const data = join(tempFolder(), 'data')
      const station = track(
        spawnTs('src/headless/cli.ts', ['--headless', '--data', data, '--serial', '/dev/null', ...flags], {
          RUFUS_API_KEY: flags.includes('--api-key-file') ? '' : 'k'
        })
      )
      expect(await station.exited()).toBe(2)
      expect(station.stderr()).toMatch(new RegExp(`RUFUS Station cannot start: ${says.source}`))
      expect(station.stderr()).not.toMatch(/data folder|unexpected error/)
      expect(existsSync(data)).toBe(false)
    }
  )
})

describe('API key sources', () => {
  it('prefers the flag, then the environment, then an owner-only key file', () => {
    const folder = tempFolder()
    const file = join(folder, 'key')
    writeFileSync(file, ' ror-file \n', { mode: 0o600 })
    expect(resolveApiKey({ apiKey: 'a', apiKeyFile: file }, { RUFUS_API_KEY: 'b' })).toBe('a')
    expect(resolveApiKey({ apiKeyFile: file }, { RUFUS_API_KEY: 'b' })).toBe('b')
    expect(resolveApiKey({ apiKeyFile: file }, {})).toBe('ror-file')
    expect(() => resolveApiKey({}, {})).toThrow(/No API key/)
  })
})
