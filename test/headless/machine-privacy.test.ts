import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openSettings } from '../../src/core/settings/settings-store'
import { API_KEY_ARGUMENT_WARNING, resolveApiKey } from '../../src/headless/api-key'
import { headlessArgs } from '../helpers/headless-args'
import { spawnTs, type Spawned } from '../helpers/process'
import { ptyPair } from '../helpers/pty'
import { lines, openStation, tempFolder } from '../helpers/station'

/* Other users of the machine: they must not read the key from the process list, nor the data folder. */

const started: Spawned[] = []
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const p of started.splice(0)) {
    if (p.child.exitCode === null) p.child.kill('SIGKILL')
    await p.exited()
  }
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const modeOf = (path: string) => statSync(path).mode & 0o777

describe('the API key and the process list', () => {
  it('warns once, in one line, when the key comes with --api-key, and not when it comes from the environment', () => {
    const heard: string[] = []
    expect(resolveApiKey({ apiKey: 'k1' }, {}, 'linux', line => heard.push(line))).toBe('k1')
    expect(resolveApiKey({}, { RUFUS_API_KEY: 'k2' }, 'linux', line => heard.push(line))).toBe('k2')
    expect(heard).toEqual([API_KEY_ARGUMENT_WARNING])
    expect(API_KEY_ARGUMENT_WARNING).toMatch(/other users of this machine can read it/)
    expect(API_KEY_ARGUMENT_WARNING).not.toContain('\n')
  })

  it('the headless station prints that warning on stderr, never the key', async () => {
    const folder = tempFolder('rufus-key-')
    const pty = await ptyPair(folder)
    cleanups.push(() => pty.stop())
    const station = spawnTs(
      'src/headless/cli.ts',
      headlessArgs(join(folder, 'data'), pty.a, ['--api-key', 'ror-secret-key-123', '--json'])
    )
    started.push(station)
    await station.waitForLine(/"type"/)
    expect(
      station
        .stderr()
        .split('\n')
        .filter(l => l.startsWith('Warning: --api-key'))
    ).toEqual([API_KEY_ARGUMENT_WARNING])
    expect(station.stderr() + station.lines.join('\n')).not.toContain('ror-secret-key-123')
  })
})

describe.skipIf(process.platform === 'win32')('the data folder, where the OS has file modes', () => {
  it('is 0700 with its files 0600: journal, its WAL, the CSV mirror and the settings', async () => {
    const folder = join(tempFolder('rufus-modes-'), 'data')
    // An older version's folder, made with the usual umask.
    mkdirSync(folder, { mode: 0o755 })
    chmodSync(folder, 0o755)
    writeFileSync(join(folder, 'notes.txt'), 'names', { mode: 0o644 })
    openSettings(folder).set('apiUrl', 'http://127.0.0.1:9/v0')
    const { station, log } = openStation({
      apiUrl: 'http://127.0.0.1:9/v0',
      apiKey: 'k',
      sync: false,
      dataFolder: folder
    })
    station.ingest('keypad', lines('7'))
    await log.until(() => log.of('passing').length === 1, 'one passing')
    expect(modeOf(folder)).toBe(0o700)
    const files = readdirSync(folder)
    expect(files).toEqual(
      expect.arrayContaining(['journal.sqlite', 'journal.sqlite-wal', 'settings.json', 'notes.txt'])
    )
    for (const name of files) {
      const path = join(folder, name)
      expect(modeOf(path), name).toBe(statSync(path).isDirectory() ? 0o700 : 0o600)
    }
    const sessions = join(folder, 'sessions')
    for (const name of readdirSync(sessions)) expect(modeOf(join(sessions, name)), name).toBe(0o600)
    openSettings(folder).set('apiUrl', 'http://127.0.0.1:8/v0')
    expect(modeOf(join(folder, 'settings.json'))).toBe(0o600)
  })
})
