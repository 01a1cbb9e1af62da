import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { projectRoot } from '../../src/core/platform/project-root'
import { captureBegun } from '../../src/headless/capture-first'
import type { StationEvent } from '../../src/shared/events'
import { headlessArgs } from '../helpers/headless-args'
import { killGroup, spawnBundled } from '../helpers/process'
import { openSerialWriter, ptyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'

const PRINT_LOADS = pathToFileURL(join(projectRoot(), 'test/helpers/print-package-loads.mjs')).href

/** What capture does not need: the settings (conf and its validator) and the screen server. */
const NOT_BEFORE_CAPTURE = ['conf', 'ajv', 'fastify', '@fastify/static', '@fastify/websocket', 'ws']

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The packages the station resolved, in order, from its output lines. */
function resolved(lines: readonly string[]): string[] {
  return lines
    .filter(line => line.startsWith('{"type":"test-package-resolved"'))
    .map(line => (JSON.parse(line) as { specifier: string }).specifier)
}

describe('headless start: capture first', () => {
  it('opens its reader port before loading the settings store or the screen server, and loads them after', async () => {
    const folder = tempFolder()
    const pty = await ptyPair(folder)
    cleanups.push(() => pty.stop())
    const writer = await openSerialWriter(pty.b)
    cleanups.push(() => new Promise(done => writer.close(() => done(undefined))))
    const station = spawnBundled(
      'src/headless/cli.ts',
      headlessArgs(join(folder, 'data'), pty.a, ['--json', '--http-port', '0']),
      { RUFUS_API_KEY: 'k', NODE_OPTIONS: `--import=${PRINT_LOADS}` }
    )
    cleanups.push(() => killGroup(station))
    await station.waitForLine(/"type":"reader".*"state":"open"/)
    const open = station.lines.findIndex(line => /"type":"reader".*"state":"open"/.test(line))
    const before = resolved(station.lines.slice(0, open))
    // The hook works: the journal and the serial port were resolved before the port opened.
    expect(before).toEqual(expect.arrayContaining(['libsql', 'serialport']))
    expect(before.filter(name => NOT_BEFORE_CAPTURE.includes(name))).toEqual([])
    // Both still come, once the port is open: the settings and the screens are deferred, not dropped.
    await station.waitForLine(/"specifier":"conf"/)
    await station.waitForLine(/"specifier":"fastify"/)
  })
})

describe('captureBegun', () => {
  const reader = (port: string, state: 'opening' | 'open' | 'error') =>
    ({ type: 'reader', port, state, code: null, params: null }) as const
  const passing = { type: 'passing' } as unknown as StationEvent

  function watch(ports: readonly string[], times = { quietMs: 1, capMs: 60_000 }) {
    const listeners: Array<(event: StationEvent) => void> = []
    let begun = false
    const promise = captureBegun(ports, listener => listeners.push(listener), times).then(() => {
      begun = true
    })
    return {
      emit: (event: StationEvent) => listeners.forEach(listener => listener(event)),
      begun: () => begun,
      promise
    }
  }
  const turns = () => new Promise(resolve => setTimeout(resolve, 30))

  it('waits while any port is still opening and no passing has come', async () => {
    const watched = watch(['/dev/a', '/dev/b'])
    watched.emit(reader('/dev/a', 'opening'))
    watched.emit(reader('/dev/b', 'opening'))
    watched.emit(reader('/dev/a', 'open'))
    await turns()
    expect(watched.begun()).toBe(false)
    watched.emit(reader('/dev/b', 'error'))
    await watched.promise
  })

  it('begins at the first passing, even before every port has opened', async () => {
    const watched = watch(['/dev/a', '/dev/b'])
    watched.emit(reader('/dev/a', 'open'))
    watched.emit(passing)
    await watched.promise
    expect(watched.begun()).toBe(true)
  })

  it('begins at the cap when a port never leaves opening', async () => {
    const watched = watch(['/dev/a'], { quietMs: 60_000, capMs: 1 })
    watched.emit(reader('/dev/a', 'opening'))
    await watched.promise
    expect(watched.begun()).toBe(true)
  })
})
