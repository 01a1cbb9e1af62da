import fc from 'fast-check'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { COMMANDS } from '../../src/shared/contract'
import { connectScreen, startHeadlessWithScreens, tokenOf, type Cleanups } from '../helpers/headless-screens'
import { tempFolder } from '../helpers/station'

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Seeded from the clock unless FC_SEED is given; printed so a failure can be replayed. */
function fuzzSeed(what: string): number {
  const seed = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31)
  console.log(`${what}: fast-check seed ${seed} (replay with FC_SEED=${seed})`)
  return seed
}

interface Exchange {
  /** The status line and headers of the first answer, or null when the server closed without one. */
  readonly head: string | null
}

/**
 * Sends bytes on a fresh connection and reads until the server answers or closes. Raw bytes are followed by a
 * half-close (they may never end a request); a well-framed request is left open like a browser's, since Node drops
 * the pending answer of a client that half-closes.
 */
function exchange(port: number, bytes: Buffer, halfClose: boolean, timeoutMs = 20_000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`neither answered nor closed within ${timeoutMs} ms`))
    }, timeoutMs)
    const finish = () => {
      clearTimeout(timer)
      const end = received.indexOf('\r\n\r\n')
      resolve({ head: received.startsWith('HTTP/') ? received.slice(0, end < 0 ? undefined : end) : null })
      socket.destroy()
    }
    socket.on('data', chunk => {
      received += chunk.toString('latin1')
      if (received.includes('\r\n\r\n')) finish()
    })
    socket.on('error', () => undefined)
    socket.on('close', finish)
    socket.write(bytes, () => (halfClose ? socket.end() : undefined))
  })
}

/** Today's crashers of the old server, kept as fixed examples. */
const CRASHERS = ['/%ff', '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', '//[']

const pathSegments = fc.constantFrom(
  '/',
  '//',
  '[',
  ']',
  '%',
  '?',
  '#',
  '..',
  '@',
  ':',
  'ws',
  '%5b',
  '.',
  '~',
  ';'
)

/** Paths as a hostile client writes them: percent-encoded bytes, overlong UTF-8, slashes and brackets, very long. */
const paths = fc.oneof(
  fc.constantFrom('/', '/ws', '/index.html', ...CRASHERS, '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd'),
  fc
    .uint8Array({ maxLength: 40 })
    .map(b => `/${[...b].map(x => `%${x.toString(16).padStart(2, '0')}`).join('')}`),
  fc
    .array(
      fc.constantFrom('%c0%ae', '%c0%af', '%e0%80%ae', '%f0%80%80%ae', '%c1%9c', '%2e%2e/', '%00', '%'),
      {
        maxLength: 10
      }
    )
    .map(parts => `/${parts.join('')}`),
  fc.array(pathSegments, { maxLength: 20 }).map(parts => `/${parts.join('')}`),
  fc.integer({ min: 1000, max: 20_000 }).map(n => `/${'a'.repeat(n)}`),
  fc.stringMatching(/^[!-~]{0,80}$/).map(text => `/${text}`)
)

const methods = fc.oneof(
  fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND'),
  fc.stringMatching(/^[A-Z]{1,12}$/)
)

const headerValue = fc.stringMatching(/^[ -~]{0,60}$/).map(value => value.trim())

describe('the screen server under hostile HTTP', () => {
  it('answers each of the requests that stopped the old station, and keeps capturing', async () => {
    const station = await startHeadlessWithScreens(tempFolder('rufus-crashers-'), cleanups)
    const host = `127.0.0.1:${station.port}`
    const upgrade =
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
    const requests = [
      ...CRASHERS.map(path => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
      `GET //[ HTTP/1.1\r\nHost: ${host}\r\n${upgrade}\r\n`
    ]
    for (const request of requests) {
      const { head } = await exchange(station.port, Buffer.from(request), false)
      expect(head, request).toMatch(/^HTTP\/1\.1 (400|403|404) /)
    }
    expect(station.process.child.exitCode).toBeNull()
    await station.captures('90000')
    expect(station.unexpectedErrorLine()).toBeUndefined()
  })

  it(
    'answers or closes every request (a status for each well-framed one, security headers on all), and keeps capturing',
    { timeout: 240_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-fuzz-http-'), cleanups)
      const host = `127.0.0.1:${station.port}`
      const tokens = [
        tokenOf(station.urls.viewer),
        tokenOf(station.urls.entry),
        tokenOf(station.urls.station)
      ]
      const request = fc.record({
        method: methods,
        path: paths,
        token: fc.option(fc.oneof(fc.constantFrom(...tokens), fc.stringMatching(/^[0-9a-f%]{0,40}$/))),
        host: fc.option(
          fc.constantFrom(host, `localhost:${station.port}`, 'evil.example', '[', `${host}x`, '')
        ),
        origin: fc.option(fc.constantFrom(`http://${host}`, 'http://evil.example', 'null')),
        upgrade: fc.boolean(),
        headers: fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z-]{0,20}$/), headerValue), {
          maxLength: 6
        }),
        huge: fc.boolean()
      })
      const wellFramed = request.map(r => {
        const target =
          r.token === null ? r.path : `${r.path}${r.path.includes('?') ? '&' : '?'}token=${r.token}`
        const lines = [`${r.method} ${target} HTTP/1.1`]
        if (r.host !== null) lines.push(`Host: ${r.host}`)
        if (r.origin !== null) lines.push(`Origin: ${r.origin}`)
        if (r.upgrade) {
          lines.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13')
          lines.push('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
        }
        for (const [name, value] of r.headers) {
          if (!/^(host|origin|content-length|transfer-encoding|expect|connection|upgrade)$/i.test(name)) {
            lines.push(`${name}: ${value}`)
          }
        }
        if (r.huge) lines.push(`X-Filler: ${'x'.repeat(20_000)}`)
        return { framed: true, bytes: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1') }
      })
      const rawBytes = fc
        .uint8Array({ minLength: 1, maxLength: 2000 })
        .map(b => ({ framed: false, bytes: Buffer.from(b) }))
      const crashers = fc.constantFrom(
        ...CRASHERS.map(path => ({
          framed: true,
          bytes: Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
        })),
        {
          framed: true,
          bytes: Buffer.from(
            `GET //[ HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`
          )
        }
      )
      let answered = 0
      await fc.assert(
        fc.asyncProperty(
          fc.oneof({ weight: 6, arbitrary: wellFramed }, rawBytes, crashers),
          async ({ framed, bytes }) => {
            const { head } = await exchange(station.port, bytes, !framed)
            expect(station.process.child.exitCode).toBeNull()
            if (framed)
              expect(head, bytes.toString('latin1').slice(0, 200)).toMatch(
                /^HTTP\/1\.1 (101|200|304|40[03-5]|408|41[34]|421|429|431) /
              )
            if (head !== null) {
              answered += 1
              const status = Number(head.split(' ')[1])
              if (status !== 101) {
                expect(head).toMatch(/^x-content-type-options: nosniff$/im)
                expect(head).toMatch(/^content-security-policy: .*connect-src ('none'|'self' ws:\/\/\S+);/im)
              }
            }
          }
        ),
        { numRuns: 500, seed: fuzzSeed('HTTP fuzz') }
      )
      expect(answered).toBeGreaterThan(400)
      // The old server died on the first of today's crashers; this one still captures.
      await station.captures('90001')
      expect(station.unexpectedErrorLine()).toBeUndefined()
      // Hundreds of refusals, a handful of log lines (summarised, not one line each).
      expect(station.process.stderr().split('\n').length).toBeLessThan(20)
    }
  )
})

type Sent =
  { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array } | { kind: 'flood'; count: number }

const commandNames = Object.keys(COMMANDS)

/** What a hostile or broken screen sends: non-objects, unknown names, prototype keys, wrong types, oversized, binary, floods. */
const messages: fc.Arbitrary<Sent> = fc.oneof(
  fc.jsonValue().map(value => ({ kind: 'text' as const, data: JSON.stringify(value) ?? 'null' })),
  fc.constantFrom('null', '1', '"x"', '[]', 'true', '{', '').map(data => ({ kind: 'text' as const, data })),
  fc.string({ maxLength: 200 }).map(data => ({ kind: 'text' as const, data })),
  fc.uint8Array({ maxLength: 500 }).map(data => ({ kind: 'binary' as const, data })),
  fc
    .constantFrom(
      '{"__proto__":{"role":"station"},"name":"session.open","args":{"alias":"X"}}',
      '{"constructor":{"prototype":{"polluted":1}},"name":"status.get","args":{}}',
      '{"name":"__proto__","args":{}}',
      '{"name":"toString","args":{}}',
      '{"name":"hasOwnProperty"}',
      '{"id":{"__proto__":{"x":1}},"name":"status.get","args":{"__proto__":{"limit":5}}}',
      '{"name":"passings.recent","args":{"constructor":{"prototype":{"limit":5}}}}'
    )
    .map(data => ({ kind: 'text' as const, data })),
  fc
    .record({
      id: fc.oneof(
        fc.integer(),
        fc.string({ maxLength: 100 }),
        fc.constant(null),
        fc.object({ maxDepth: 1 })
      ),
      name: fc.oneof(fc.constantFrom(...commandNames), fc.string({ maxLength: 30 })),
      args: fc.oneof(fc.jsonValue(), fc.object({ maxDepth: 2 }))
    })
    .map(message => ({ kind: 'text' as const, data: JSON.stringify(message) })),
  fc
    .integer({ min: 65 * 1024, max: 200 * 1024 })
    .map(n => ({ kind: 'text' as const, data: `{"name":"${'x'.repeat(n)}"}` })),
  fc.integer({ min: 50, max: 400 }).map(count => ({ kind: 'flood' as const, count }))
)

describe('the screen server under hostile WebSocket messages', () => {
  it(
    'answers every message of a paired viewer and entry screen or drops the screen, and keeps capturing',
    { timeout: 240_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-fuzz-ws-'), cleanups)
      const screens = { viewer: station.urls.viewer, entry: station.urls.entry }
      const open: Partial<
        Record<
          keyof typeof screens,
          { socket: WebSocket; answers: () => number; sent: number; closed: boolean }
        >
      > = {}
      const screen = async (role: keyof typeof screens) => {
        const known = open[role]
        if (known && known.socket.readyState === WebSocket.OPEN) return known
        const client = await connectScreen(screens[role])
        const answers = () => client.received.filter(text => /^\{"type":"(result|error)"/.test(text)).length
        const target = { socket: client.socket, answers, sent: 0, closed: false }
        client.socket.once('close', () => {
          target.closed = true
        })
        open[role] = target
        return target
      }
      let dropped = 0
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('viewer' as const, 'entry' as const),
          messages,
          async (role, message) => {
            const target = await screen(role)
            if (message.kind === 'flood') {
              for (let i = 0; i < message.count; i += 1) {
                target.socket.send(JSON.stringify({ id: i, name: 'status.get', args: {} }))
              }
              target.sent += message.count
            } else {
              target.socket.send(message.kind === 'binary' ? Buffer.from(message.data) : message.data, {
                binary: message.kind === 'binary'
              })
              target.sent += 1
            }
            const outcome = new Promise<'answered' | 'closed'>((resolve, reject) => {
              const started = Date.now()
              const check = () => {
                if (target.answers() >= target.sent) resolve('answered')
                else if (target.closed) resolve('closed')
                else if (Date.now() - started > 20_000)
                  reject(new Error(`${target.answers()} of ${target.sent} answered`))
                else setTimeout(check, 5)
              }
              check()
            })
            if ((await outcome) === 'closed') dropped += 1
            expect(station.process.child.exitCode).toBeNull()
          }
        ),
        { numRuns: 600, seed: fuzzSeed('WebSocket fuzz') }
      )
      console.log(`WebSocket fuzz: ${dropped} screens dropped (oversized messages)`)
      for (const target of Object.values(open)) target?.socket.close()
      await station.captures('90002')
      expect(station.unexpectedErrorLine()).toBeUndefined()
      expect(station.process.stderr().split('\n').length).toBeLessThan(20)
    }
  )
})
