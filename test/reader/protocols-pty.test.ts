import { afterEach, describe, expect, it } from 'vitest'
import type { Protocol } from '../../src/core/reader/protocols'
import { SerialLink } from '../../src/simulator/serial-link'
import { chipOf, rrBoxReader, SIMULATED_READERS } from '../../src/simulator/readers'
import { spawnTs } from '../helpers/process'
import { ptyPair, type PtyPair } from '../helpers/pty'
import { openStation, tempFolder } from '../helpers/station'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function pty(folder: string): Promise<PtyPair> {
  const pair = await ptyPair(folder)
  cleanups.push(() => pair.stop())
  return pair
}

const offline = { apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false } as const

describe.each<[Protocol, (p: { bib: string | null; chip: string | null }) => boolean]>([
  ['line', p => /^\d+$/.test(p.bib ?? '') && p.chip === null],
  ['timy', p => /^\d+$/.test(p.bib ?? '') && p.chip === null],
  ['r2000', p => /^E2000017\d{16}$/.test(p.chip ?? '') && p.bib === p.chip],
  ['chafon', p => /^E2000017\d{16}$/.test(p.chip ?? '') && p.bib === p.chip],
  ['rrbox', p => /^RR\d{5}$/.test(p.chip ?? '') && p.bib === p.chip]
])('%s over a real serial line', (protocol, looksRight) => {
  it('decodes what the simulated reader sends, through garbage on the line', async () => {
    const folder = tempFolder('rufus-proto-')
    const pair = await pty(folder)
    const { station, log } = openStation({ ...offline, dataFolder: `${folder}/data` })
    station.addReader({
      id: 'reader',
      path: pair.a,
      baudRate: 115200,
      protocol,
      driver: { rrboxOpenDelayMs: 0, rrboxPollMs: 100 }
    })
    await log.until(() => log.of('reader').some(e => e.state === 'open'), 'reader open')
    const simulator = spawnTs('src/simulator/cli.ts', [
      '--protocol',
      protocol,
      '--serial',
      pair.b,
      '--rate',
      '80',
      '--noise',
      '0.1',
      '--seed',
      '5'
    ])
    cleanups.push(async () => {
      simulator.child.kill('SIGTERM')
      await simulator.exited()
    })
    await log.until(() => log.of('passing').length >= 8, `8 ${protocol} passings`)
    const passings = log.of('passing')
    expect(passings.every(looksRight)).toBe(true)
    expect(passings.map(p => p.num_passing)).toEqual(passings.map((_, i) => i + 1))
    await log.until(() => log.of('bad-frame').length > 0, 'garbage reported as bad frames')
    const health = station.readerHealth()[0]
    expect(health).toMatchObject({ id: 'reader', protocol, state: 'open' })
    expect(health?.decodeErrors).toBeGreaterThan(0)
  })
})

describe('pulling the cable', () => {
  it('reconnects within 2 s of the port coming back', async () => {
    const folder = tempFolder('rufus-pull-')
    let pair = await ptyPair(folder)
    const { station, log } = openStation({ ...offline, dataFolder: `${folder}/data` })
    station.addReader({ id: 'reader', path: pair.a, baudRate: 9600, protocol: 'line' })
    await log.until(() => log.of('reader').some(e => e.state === 'open'), 'first open')
    await pair.stop()
    await log.until(() => log.of('reader').at(-1)?.state !== 'open', 'the loss noticed')
    const opensBefore = log.of('reader').filter(e => e.state === 'open').length
    pair = await ptyPair(folder)
    cleanups.push(() => pair.stop())
    const restored = Date.now()
    await log.until(
      () => log.of('reader').filter(e => e.state === 'open').length > opensBefore,
      'reopened',
      5000
    )
    expect(Date.now() - restored).toBeLessThan(2000)
  })

  it('the RR box keeps passings while unplugged and the station fetches what it missed, once each', async () => {
    const folder = tempFolder('rufus-rr-')
    let pair = await ptyPair(folder)
    const { station, log } = openStation({
      ...offline,
      dataFolder: `${folder}/data`,
      dedup: { windowMs: 0, mode: 'first' }
    })
    station.addReader({
      id: 'box',
      path: pair.a,
      baudRate: 19200,
      protocol: 'rrbox',
      driver: { rrboxOpenDelayMs: 0, rrboxPollMs: 50 }
    })
    const box = rrBoxReader()
    const link = new SerialLink(pair.b, box, 19200)
    link.start()
    cleanups.push(() => link.stop())
    const pass = (runner: number) => box.onRead({ runner, atS: 0, rssi: -60, antenna: 1 }, Date.now())
    for (let r = 1; r <= 5; r += 1) pass(r)
    await log.until(() => log.of('passing').length === 5, 'the first 5 fetched')
    await pair.stop()
    await log.until(() => log.of('reader').at(-1)?.state !== 'open', 'unplugged')
    for (let r = 6; r <= 12; r += 1) pass(r)
    pair = await ptyPair(folder)
    cleanups.push(() => pair.stop())
    await log.until(() => log.of('passing').length === 12, 'the 7 passings stored in the box while unplugged')
    const chips = log.of('passing').map(p => p.chip)
    expect(chips).toEqual(Array.from({ length: 12 }, (_, i) => `RR${String(i + 1).padStart(5, '0')}`))
    expect(station.readerHealth()[0]?.details['batteryPercent']).toBe('87')
    // The box's clock was set by the station: its passing times sit within a second of the laptop's.
    expect(Math.abs(station.readerHealth()[0]?.clockOffsetMs ?? 99_999)).toBeLessThan(1000)
    expect(chipOf(1)).toMatch(/^E2000017/)
  })
})

describe('several readers at once', () => {
  it('feeds one session from two ports with different protocols', async () => {
    const folder = tempFolder('rufus-multi-')
    const one = await pty(folder)
    const two = await ptyPair(folder, ['ttyC', 'ttyD'])
    cleanups.push(() => two.stop())
    const { station, log } = openStation({ ...offline, dataFolder: `${folder}/data` })
    station.addReader({ id: 'scanner', path: one.a, baudRate: 9600, protocol: 'line' })
    station.addReader({ id: 'timy', path: two.a, baudRate: 9600, protocol: 'timy' })
    await log.until(() => log.of('reader').filter(e => e.state === 'open').length === 2, 'both open')
    const scanner = new SerialLink(one.b, SIMULATED_READERS['line']!())
    const timy = new SerialLink(two.b, SIMULATED_READERS['timy']!())
    scanner.start()
    timy.start()
    cleanups.push(
      () => scanner.stop(),
      () => timy.stop()
    )
    await new Promise<void>(resolve => {
      const check = () => (scanner.connected && timy.connected ? resolve() : setTimeout(check, 10))
      check()
    })
    scanner.send(new TextEncoder().encode('41\r\n'))
    timy.send(
      SIMULATED_READERS['timy']!().onRead(
        { runner: 42, atS: 0, rssi: 0, antenna: 1 },
        Date.now()
      ) as Uint8Array
    )
    await log.until(() => log.of('passing').length === 2, 'one passing from each reader')
    expect(new Set(log.of('passing').map(p => p.session)).size).toBe(1)
    expect(
      log
        .of('passing')
        .map(p => [p.port, p.bib])
        .sort()
    ).toEqual([
      ['scanner', '41'],
      ['timy', '42']
    ])
  })
})
