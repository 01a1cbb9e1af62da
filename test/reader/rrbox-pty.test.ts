import { afterEach, describe, expect, it } from 'vitest'
import { rrBoxReader, type RrBoxOptions } from '../../src/simulator/readers'
import { SerialLink } from '../../src/simulator/serial-link'
import { openStation, tempFolder } from '../helpers/station'
import { ptyPair, type PtyPair } from '../helpers/pty'

/*
 * The RR USB box over a real serial line, against a box that frames its answers as the reference describes a real
 * box (status line, body lines, empty line; 1/256 s ticks from power-on; the tick reference taken at the DTR edge
 * the host gives at the top of the second it names — a PTY carries no DTR, so the simulated box puts the edge
 * there). Every passing must become exactly one passing, at the time the box recorded it.
 */

const offline = { apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false } as const
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function boxOnALine(options: RrBoxOptions = {}) {
  const folder = tempFolder('rufus-rrbox-')
  const line = { pair: (await ptyPair(folder)) as PtyPair }
  cleanups.push(() => line.pair.stop())
  const box = rrBoxReader(options)
  const link = new SerialLink(line.pair.b, box, 19200)
  link.start()
  cleanups.push(() => link.stop())
  const recorded = new Map<string, number>()
  let runner = 0
  /** A passing the box records now; returns its chip. */
  const pass = () => {
    runner += 1
    const atMs = Date.now()
    const pushed = box.onRead({ runner, atS: 0, rssi: -60, antenna: 1 }, atMs)
    if (pushed) link.send(pushed)
    const chip = `RR${String(runner).padStart(5, '0')}`
    recorded.set(chip, atMs)
    return chip
  }
  const { station, log } = openStation({
    ...offline,
    dataFolder: `${folder}/data`,
    dedup: { windowMs: 0, mode: 'first' }
  })
  const connect = () =>
    station.addReader({
      id: 'box',
      path: line.pair.a,
      baudRate: 19200,
      protocol: 'rrbox',
      driver: { rrboxOpenDelayMs: 0, rrboxPollMs: 50 }
    })
  const unplug = async () => {
    await line.pair.stop()
    await log.until(() => log.of('reader').at(-1)?.state !== 'open', 'the unplug noticed')
  }
  const plugIn = async () => {
    line.pair = await ptyPair(folder)
  }
  /** Every recorded passing once, each at the box's time to within 10 ms. */
  const expectEveryPassingOnce = async () => {
    await log.until(() => log.of('passing').length >= recorded.size, `${recorded.size} passings`)
    const passings = log.of('passing')
    expect(passings.map(p => p.chip).sort()).toEqual([...recorded.keys()].sort())
    for (const p of passings) {
      const error = Math.abs(Date.parse(p.timestamp) - (recorded.get(p.chip ?? '') ?? 0))
      expect(error, `${p.chip} is ${error} ms off the time the box recorded`).toBeLessThanOrEqual(10)
    }
    // The station sent each epoch command at the second it names (not within it, as before): the simulated box,
    // which takes the DTR edge at the top of that second, saw it arrive then (the margin is this shared machine's).
    expect(box.epochLatenessMs.length).toBeGreaterThan(0)
    for (const late of box.epochLatenessMs) expect(late).toBeGreaterThanOrEqual(-5)
    for (const late of box.epochLatenessMs) expect(late).toBeLessThan(100)
  }
  return { station, log, pass, connect, unplug, plugIn, expectEveryPassingOnce, box }
}

const until = (check: () => boolean, what: string) =>
  new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 20_000
    const poll = () => {
      if (check()) return resolve()
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(poll, 10)
    }
    poll()
  })

describe('the RR USB box over a real serial line', () => {
  it('passings stored before the station connects, live ones, and ones stored during a 3 s unplug: each once, at the box time', async () => {
    const rig = await boxOnALine()
    for (let i = 0; i < 3; i += 1) rig.pass()
    // A little time between the stored passings and the connection, as on a real morning.
    await new Promise(resolve => setTimeout(resolve, 300))
    rig.connect()
    await rig.log.until(() => rig.log.of('passing').length === 3, 'the three stored before connecting')
    for (let i = 0; i < 3; i += 1) {
      const chip = rig.pass()
      await rig.log.until(() => rig.log.of('passing').some(p => p.chip === chip), `live ${chip}`)
    }
    await rig.unplug()
    const unpluggedAt = Date.now()
    for (let i = 0; i < 3; i += 1) rig.pass()
    await until(() => Date.now() - unpluggedAt >= 3000, 'three seconds unplugged')
    await rig.plugIn()
    await rig.expectEveryPassingOnce()
  })

  it('a box whose memory starts at index 1000 gives every passing, at the box time', async () => {
    const rig = await boxOnALine({ firstIndex: 1000 })
    for (let i = 0; i < 3; i += 1) rig.pass()
    rig.connect()
    await rig.log.until(() => rig.log.of('passing').length === 3, 'the three stored from index 1000')
    rig.pass()
    rig.pass()
    await rig.expectEveryPassingOnce()
    expect(rig.station.readerHealth()[0]?.details['rewindFrom']).toBe(1000)
  })

  it("keeps the box's clock check (TIMESTAMPGET) among the reader details, where the timer checks it before a race", async () => {
    const rig = await boxOnALine()
    rig.connect()
    await until(
      () => typeof rig.station.readerHealth()[0]?.details['clockOffsetMs'] === 'number',
      'the clock offset of the box'
    )
    // The box's clock was set from this station's clock: the offset is the line's delay, not seconds.
    expect(Math.abs(Number(rig.station.readerHealth()[0]?.details['clockOffsetMs']))).toBeLessThan(1000)
  })

  it('a box in push mode: pushed passings are read, and fetching them again makes no second passing', async () => {
    const rig = await boxOnALine({ push: true })
    rig.connect()
    await rig.log.until(() => rig.log.of('reader').some(e => e.state === 'open'), 'open')
    await until(() => typeof rig.station.readerHealth()[0]?.details['epoch'] === 'number', 'the epoch set')
    for (let i = 0; i < 4; i += 1) rig.pass()
    await rig.expectEveryPassingOnce()
  })
})
