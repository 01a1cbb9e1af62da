import { mkdirSync, statSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { lanAddress } from '../../src/headless/screen-limits'
import { PAIRING_FILE } from '../../src/headless/pairing'
import { headlessArgs } from '../helpers/headless-args'
import { spawnTs } from '../helpers/process'
import { ptyPair } from '../helpers/pty'
import { connectScreen, startHeadlessWithScreens, tokenOf, type Cleanups } from '../helpers/headless-screens'
import { tempFolder } from '../helpers/station'

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const MiB = 1024 * 1024

/** One masked client text frame (clients must mask), as a raw socket writes it. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = Buffer.from([1, 2, 3, 4])
  const head =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
  return Buffer.concat([head, mask, Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)))])
}

/** A paired screen on a raw socket that completes the handshake and then never reads another byte. */
function nonReadingScreen(url: string): Promise<Socket> {
  const { host } = new URL(url)
  const [name, port] = host.split(':')
  return new Promise((resolve, reject) => {
    const socket = connect({ host: name, port: Number(port) })
    socket.on('error', () => undefined)
    socket.once('data', chunk => {
      if (!chunk.toString('latin1').startsWith('HTTP/1.1 101')) reject(new Error(chunk.toString('latin1')))
      socket.pause()
      resolve(socket)
    })
    socket.write(
      [
        `GET /ws?token=${tokenOf(url)} HTTP/1.1`,
        `Host: ${host}`,
        `Origin: http://${host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        '',
        ''
      ].join('\r\n')
    )
  })
}

function freePort(): Promise<number> {
  return new Promise(resolve => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

describe('screen server bounds', () => {
  it(
    'an entry screen that never reads while sending 12,000 exports keeps memory bounded, and a real screen still connects',
    { timeout: 120_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-flood-'), cleanups)
      station.write(Array.from({ length: 1000 }, (_, i) => `${1000 + i}\r\n`).join(''))
      await station.process.waitForLine(/passing #1000 /)
      const honest = await connectScreen(station.urls.viewer)
      const sessions = (await honest.command('sessions.list', {})) as { value: Array<{ id: number }> }
      const sessionId = sessions.value[0]?.id ?? 1
      const before = station.rssBytes()
      // An entry screen: exports are not the viewer's (the announcer's screen only watches).
      const flood = await nonReadingScreen(station.urls.entry)
      let floodClosed = false
      flood.once('close', () => {
        floodClosed = true
      })
      const frames = Buffer.concat(
        Array.from({ length: 12_000 }, (_, id) =>
          textFrame(JSON.stringify({ id, name: 'export.csv', args: { sessionId } }))
        )
      )
      flood.write(frames)
      // A real screen connects meanwhile (awaited after the measurement, which must not wait on it).
      const realScreen = connectScreen(station.urls.viewer).then(async late => {
        const status = await late.command('status.get', {})
        late.socket.close()
        return status
      })
      // Watch for the 15 s the issue measured (less if the station drops the flooding screen first).
      let peak = before
      const started = Date.now()
      while (Date.now() - started < 15_000 && !floodClosed) {
        peak = Math.max(peak, station.rssBytes())
        await new Promise(resolve => setTimeout(resolve, 200))
      }
      peak = Math.max(peak, station.rssBytes())
      console.log(
        `flood: RSS ${Math.round(before / MiB)} MiB before, ${Math.round(peak / MiB)} MiB peak; flooding screen dropped: ${floodClosed}`
      )
      // Today's code grew by 363 MiB here; the bound is 5x below that.
      expect(peak - before).toBeLessThan(64 * MiB)
      expect(await realScreen).toMatchObject({ ok: true, value: { role: 'viewer' } })
      expect(await honest.command('clock.ping', { clientMs: 1 })).toMatchObject({ ok: true })
      await station.captures('90003')
      expect(station.unexpectedErrorLine()).toBeUndefined()
      expect(station.process.stderr().split('\n').length).toBeLessThan(20)
    }
  )

  it(
    '300 half-sent requests hold few descriptors, and a real screen still connects meanwhile',
    { timeout: 60_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-half-'), cleanups)
      const before = station.openDescriptors()
      const host = `127.0.0.1:${station.port}`
      const halfSent = await Promise.all(
        Array.from(
          { length: 300 },
          () =>
            new Promise<Socket>(resolve => {
              const socket = connect({ host: '127.0.0.1', port: station.port })
              socket.on('error', () => undefined)
              socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n`, () => resolve(socket))
            })
        )
      )
      cleanups.push(async () => halfSent.forEach(socket => socket.destroy()))
      const screen = await connectScreen(station.urls.entry)
      expect(await screen.command('status.get', {})).toMatchObject({ ok: true, value: { role: 'entry' } })
      const held = station.openDescriptors() - before
      console.log(`half-sent requests: 300 opened, station holds ${held} more descriptors`)
      // Today's code held all 300 for a minute; the bound is 5x below that.
      expect(held).toBeLessThan(60)
      await station.captures('90004')
      expect(station.unexpectedErrorLine()).toBeUndefined()
    }
  )

  it(
    '300 keep-alive connections idle or half-sending their next request do not lock a real screen out',
    { timeout: 60_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-keepalive-'), cleanups)
      const host = `127.0.0.1:${station.port}`
      // Each finishes one request (so it is no longer "unfinished"), then half of the next one, or nothing.
      const held = await Promise.all(
        Array.from(
          { length: 300 },
          (_, i) =>
            new Promise<Socket>(resolve => {
              const socket = connect({ host: '127.0.0.1', port: station.port })
              socket.on('error', () => resolve(socket))
              socket.on('close', () => resolve(socket))
              socket.once('data', () => {
                if (i % 2 === 0) socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n`)
                resolve(socket)
              })
              socket.write(`GET /missing HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
            })
        )
      )
      cleanups.push(async () => held.forEach(socket => socket.destroy()))
      // Today's code kept 128 of them (every connection slot) for 5 s or more: the screen was dropped unanswered.
      const screen = await connectScreen(station.urls.entry)
      expect(await screen.command('status.get', {})).toMatchObject({ ok: true, value: { role: 'entry' } })
      await station.captures('90006')
      expect(station.unexpectedErrorLine()).toBeUndefined()
    }
  )
})

describe('capture under screen load', () => {
  it(
    'eight viewers asking for 5,000-passing pages as fast as allowed do not delay capture by seconds',
    { timeout: 120_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-stall-'), cleanups)
      station.write(Array.from({ length: 5000 }, (_, i) => `${10000 + i}\r\n`).join(''))
      await station.process.waitForLine(/passing #5000 /, 60_000)
      const viewers = await Promise.all(Array.from({ length: 8 }, () => connectScreen(station.urls.viewer)))
      // Each page costs the station hundreds of milliseconds of its one thread; each viewer stays within its rate.
      let id = 1_000_000
      const flood = setInterval(() => {
        for (const viewer of viewers) {
          const args = { sessionId: 1, afterNum: 0, limit: 5000 }
          viewer.socket.send(JSON.stringify({ id: (id += 1), name: 'local.sessionPassings', args }))
        }
      }, 100)
      try {
        await new Promise(resolve => setTimeout(resolve, 1000))
        const delays: number[] = []
        for (const bib of ['91001', '91002', '91003', '91004']) {
          const written = Date.now()
          await station.captures(bib)
          delays.push(Date.now() - written)
          await new Promise(resolve => setTimeout(resolve, 300))
        }
        console.log(`capture delays under load: ${delays.join(', ')} ms`)
        // Passings are stamped when read: today's code read them 2 s to over a minute late.
        expect(Math.max(...delays)).toBeLessThan(1500)
      } finally {
        clearInterval(flood)
      }
      expect(station.unexpectedErrorLine()).toBeUndefined()
    }
  )
})

describe('refusals in the log', () => {
  it(
    '5,000 refused screen connections are summarised in one line, not logged one by one',
    { timeout: 60_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-refusals-'), cleanups)
      const linesBefore = station.process.stderr().split('\n').length
      const host = `127.0.0.1:${station.port}`
      const refusedOnce = () =>
        new Promise<void>(resolve => {
          const socket = connect({ host: '127.0.0.1', port: station.port })
          socket.on('error', () => resolve())
          socket.on('close', () => resolve())
          socket.once('data', () => socket.destroy())
          socket.write(
            `GET /ws?token=${'0'.repeat(32)} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`
          )
        })
      for (let batch = 0; batch < 100; batch += 1) await Promise.all(Array.from({ length: 50 }, refusedOnce))
      await station.captures('90005')
      expect(await station.stop()).toBe(0)
      const stderr = station.process.stderr()
      expect(stderr.split('\n').length - linesBefore).toBeLessThan(5)
      // Refused for their token, or closed unread when they came faster than the station reads requests.
      expect(stderr).toMatch(/screens: refused 5000 requests \(\d+ no valid pairing token/)
    }
  )
})

describe('screens and roles', () => {
  it('two screens of different roles each see their own role, and no screen receives a pairing URL', async () => {
    const station = await startHeadlessWithScreens(tempFolder('rufus-roles-'), cleanups, ['--json'])
    const own = await connectScreen(station.urls.station)
    const viewer = await connectScreen(station.urls.viewer)
    await station.captures('4711')
    const sawPassing = (m: { type?: string; [key: string]: unknown }) =>
      m.type === 'update' && JSON.stringify(m['update']).includes('"bib":"4711"')
    await own.until(sawPassing)
    await viewer.until(sawPassing)
    const roles = (screen: typeof own) =>
      new Set(
        screen.received
          .map(text => JSON.parse(text) as { type: string; update?: { snapshot: { role: string } } })
          .filter(m => m.type === 'update')
          .map(m => m.update?.snapshot.role)
      )
    expect(roles(own)).toEqual(new Set(['station']))
    expect(roles(viewer)).toEqual(new Set(['viewer']))
    for (const url of Object.values(station.urls)) {
      expect(viewer.received.join('\n')).not.toContain(tokenOf(url))
      expect(own.received.join('\n')).not.toContain(tokenOf(url))
    }
    expect(station.process.lines.join('\n')).not.toContain(tokenOf(station.urls.station))
    // Only the station's own screen may ask for the entry and viewer URLs (its QR codes); never its own.
    expect(await viewer.command('screens.pairing', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' }
    })
    expect(await own.command('screens.pairing', {})).toEqual({
      ok: true,
      value: { entry: station.urls.entry, viewer: station.urls.viewer }
    })
    expect(viewer.received.join('\n')).not.toContain(tokenOf(station.urls.entry))
    expect(own.received.join('\n')).not.toContain(tokenOf(station.urls.station))
    expect(station.process.stderr()).toMatch(
      /^screens: station http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/m
    )
  })

  it('bound to every interface, answers a phone that uses this machine’s LAN address', async () => {
    const station = await startHeadlessWithScreens(tempFolder('rufus-lan-'), cleanups, [
      '--http-host',
      '0.0.0.0'
    ])
    const lan = lanAddress()
    expect(new URL(station.urls.entry).hostname).toBe(lan)
    const phone = await connectScreen(station.urls.entry, `${lan}:${station.port}`)
    expect(await phone.command('status.get', {})).toMatchObject({ ok: true, value: { role: 'entry' } })
    phone.socket.close()
  })

  it('a screen port already taken is a setup problem: exit 3 with one plain sentence, not a bad command line', async () => {
    const folder = tempFolder('rufus-port-taken-')
    const pty = await ptyPair(folder)
    cleanups.push(() => pty.stop())
    // Another program (or another user of this machine) holds the port first.
    const squatter = createServer()
    await new Promise<void>(resolve => squatter.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise(resolve => squatter.close(resolve)))
    const port = String((squatter.address() as { port: number }).port)
    const station = spawnTs(
      'src/headless/cli.ts',
      headlessArgs(join(folder, 'data'), pty.a, ['--http-port', port]),
      {
        RUFUS_API_KEY: 'k'
      }
    )
    cleanups.push(async () => {
      if (station.child.exitCode === null) station.child.kill('SIGKILL')
      await station.exited()
    })
    // Today's code exited 2 ("bad command line", which a supervisor must not retry) and printed the usage.
    expect(await station.exited()).toBe(3)
    expect(station.stderr()).toMatch(new RegExp(`RUFUS Station cannot start: .*${port}.* in use`))
    expect(station.stderr()).not.toMatch(/usage:/)
  })

  it('an unreadable pairing file is a setup problem too: exit 3, not a bad command line', async () => {
    const folder = tempFolder('rufus-pairing-dir-')
    const pty = await ptyPair(folder)
    cleanups.push(() => pty.stop())
    mkdirSync(join(folder, 'data', PAIRING_FILE), { recursive: true })
    const station = spawnTs(
      'src/headless/cli.ts',
      headlessArgs(join(folder, 'data'), pty.a, ['--http-port', '0']),
      {
        RUFUS_API_KEY: 'k'
      }
    )
    cleanups.push(async () => {
      if (station.child.exitCode === null) station.child.kill('SIGKILL')
      await station.exited()
    })
    // Today's code exited 2 with the usage.
    expect(await station.exited()).toBe(3)
    expect(station.stderr()).toMatch(/RUFUS Station cannot start: .*data folder/)
    expect(station.stderr()).not.toMatch(/usage:/)
  })

  it('screens reconnect with their token after a restart; rotating the pairing locks the old URLs out', async () => {
    const folder = tempFolder('rufus-restart-')
    const pty = await ptyPair(folder)
    cleanups.push(() => pty.stop())
    const port = String(await freePort())
    const first = await startHeadlessWithScreens(folder, cleanups, ['--http-port', port], pty)
    const phone = await connectScreen(first.urls.entry)
    expect((statSync(join(folder, 'data', PAIRING_FILE)).mode & 0o777).toString(8)).toBe('600')
    const phoneLost = new Promise(resolve => phone.socket.once('close', resolve))
    expect(await first.stop()).toBe(0)
    await phoneLost
    const second = await startHeadlessWithScreens(folder, cleanups, ['--http-port', port], pty)
    expect(second.urls).toEqual(first.urls)
    const again = await connectScreen(first.urls.entry)
    expect(await again.command('status.get', {})).toMatchObject({ ok: true, value: { role: 'entry' } })
    again.socket.close()
    expect(await second.stop()).toBe(0)

    const rotate = spawnTs('src/headless/cli.ts', ['--rotate-pairing', '--data', join(folder, 'data')])
    expect(await rotate.exited()).toBe(0)
    const third = await startHeadlessWithScreens(folder, cleanups, ['--http-port', port], pty)
    expect(tokenOf(third.urls.entry)).not.toBe(tokenOf(first.urls.entry))
    await expect(connectScreen(first.urls.entry)).rejects.toThrow(/403/)
    await third.captures('777')
    expect(third.unexpectedErrorLine()).toBeUndefined()
  })
})
