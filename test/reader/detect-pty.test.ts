import { afterEach, describe, expect, it } from 'vitest'
import { detectReader } from '../../src/core/serial/detect'
import { SerialLink } from '../../src/simulator/serial-link'
import { SIMULATED_READERS } from '../../src/simulator/readers'
import { ptyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function readerOn(protocol: string, talking: boolean) {
  const pty = await ptyPair(tempFolder('rufus-detect-'))
  cleanups.push(() => pty.stop())
  const reader = SIMULATED_READERS[protocol]!()
  const link = new SerialLink(pty.b, reader)
  link.start()
  cleanups.push(() => link.stop())
  if (talking) {
    let runner = 1
    const timer = setInterval(() => {
      const bytes = reader.onRead({ runner: runner++, atS: 0, rssi: -60, antenna: 1 }, Date.now())
      if (bytes) link.send(bytes)
    }, 40)
    cleanups.push(async () => clearInterval(timer))
  }
  return pty.a
}

describe('finding out which reader is on a port', () => {
  it('recognises a reader that talks unasked by listening', async () => {
    const path = await readerOn('timy', true)
    const found = await detectReader(path, { listenMs: 400 })
    expect(found[0]).toMatchObject({ protocol: 'timy', how: 'listening' })
  })

  it('recognises a silent R2000 by asking its firmware version', async () => {
    const path = await readerOn('r2000', false)
    const found = await detectReader(path, { listenMs: 100, probeMs: 300 })
    expect(found[0]).toMatchObject({ protocol: 'r2000', how: 'probe', baudRate: 115200 })
  })

  it('recognises a silent RR box by asking its battery level', async () => {
    const path = await readerOn('rrbox', false)
    const found = await detectReader(path, { listenMs: 100, probeMs: 300 })
    expect(found[0]).toMatchObject({ protocol: 'rrbox', how: 'probe', baudRate: 19200 })
  })

  it('suggests nothing for a silent port', async () => {
    const pty = await ptyPair(tempFolder('rufus-detect-'))
    cleanups.push(() => pty.stop())
    expect(await detectReader(pty.a, { listenMs: 50, probeMs: 50 })).toEqual([])
  })
})
