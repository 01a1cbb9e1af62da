import { connect } from 'node:net'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { spawnTs, type Spawned } from '../helpers/process'

const SEED = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31)
console.log(`emulator-hardening: fast-check seed ${SEED} (set FC_SEED to replay)`)

const KEY = 'ror-fuzz0000000000000001'
const started: Spawned[] = []
afterEach(() => {
  for (const p of started.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL')
})

/** The emulator as `npm run emulator` runs it: a process of its own, so a crash shows as an exit. */
async function startCli() {
  const spawned = spawnTs('src/emulator/cli.ts', [
    '--port',
    '0',
    '--admin',
    '--key',
    `${KEY}:READ_WRITE:unbind@acme`
  ])
  started.push(spawned)
  const line = await spawned.waitForLine(/^listening on /)
  const port = Number(new URL(line.replace('listening on ', '')).port)
  return { spawned, port }
}

interface RawAnswer {
  readonly status: number
  readonly body: string
}

/** One request written byte for byte (no HTTP client would send `//[` or a foreign Host on its own). */
function rawRequest(
  port: number,
  target: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body = ''
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text)
      if (!match)
        return reject(new Error(`no HTTP answer to ${JSON.stringify(target)}: ${JSON.stringify(text)}`))
      resolve({ status: Number(match[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) })
    })
    const lines = Object.entries({
      Host: `127.0.0.1:${port}`,
      api_key: KEY,
      Connection: 'close',
      ...(body
        ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }
        : {}),
      ...headers
    }).map(([name, value]) => `${name}: ${value}`)
    socket.write(`${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1')
  })
}

describe('the emulator, hardened in place', () => {
  it('answers a request target that is no URL, bad percent-encoding and a huge page with 400 and a description', async () => {
    const { spawned, port } = await startCli()
    for (const target of ['//[', '/v0/sessions/%ZZ', '/v0/passings/session/abc?page=99999999999999999999']) {
      const answer = await rawRequest(port, target)
      expect(answer.status, target).toBe(400)
      expect(JSON.parse(answer.body).description, target).toMatch(/\w/)
    }
    expect((await rawRequest(port, '/v0/passings/session/abc?page=1000000000')).body).toMatch(
      /Invalid parameter: page/
    )
    expect(spawned.child.exitCode).toBeNull()
    expect((await rawRequest(port, '/v0/devices')).status).toBe(200)
  })

  it('a fuzz of paths and query values never ends it, and never answers 500', async () => {
    const { spawned, port } = await startCli()
    const piece = fc.string({
      unit: fc.constantFrom(
        '%',
        'Z',
        '0',
        '9',
        'f',
        '[',
        ']',
        '/',
        '.',
        '-',
        '+',
        '@',
        ':',
        '?',
        '=',
        '&',
        '#',
        '\\',
        '~',
        'é'
      ),
      maxLength: 12
    })
    const routes = [
      (a: string, b: string) => `/v0/passings/session/${a}?page=${b}`,
      (a: string, b: string) => `/v0/passings/device/${a}?from=${b}&to=${b}&page=${b}`,
      (a: string, b: string) => `/v0/sessions/${a}?page=${b}`,
      (a: string, b: string) => `/v0/devices/${a}/${b}`,
      (a: string, b: string) => `/${a}${b}`,
      (a: string, b: string) => `/admin/keys/${a}?${b}`,
      (a: string, b: string) => `//${a}[${b}`
    ]
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: routes.length - 1 }), piece, piece, async (route, a, b) => {
        const target = encodeURI(routes[route]!(a, b)).replace(/%25/g, '%')
        const answer = await rawRequest(port, target)
        expect(answer.status, target).toBeLessThan(500)
        expect(spawned.child.exitCode, target).toBeNull()
      }),
      { seed: SEED, numRuns: 150 }
    )
    expect((await rawRequest(port, '/v0/devices')).status).toBe(200)
  })

  it('/admin refuses a foreign Host (DNS rebinding) and answers its own', async () => {
    const { port } = await startCli()
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const answer = await rawRequest(port, '/admin/state', { Host: host })
      expect(answer.status, host).toBe(421)
      expect(answer.body).not.toContain(KEY)
      // The request counts tell nothing secret, but the whole surface answers one rule.
      expect((await rawRequest(port, '/admin/requests', { Host: host })).status, host).toBe(421)
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const answer = await rawRequest(port, '/admin/state', { Host: host })
      expect(answer.status, host).toBe(200)
      expect(answer.body).toContain(KEY)
    }
  })

  it('/admin answers bad fault settings and bad keys with 400, and the API keeps answering', async () => {
    const { port } = await startCli()
    // Unchecked, `retryAfterSeconds: "a\nb"` was stored and made every injected 429 a 500; a key without a company
    // or with an object for it answered 500.
    const bad: [string, unknown][] = [
      ['/admin/faults', { rateLimitShare: 1, retryAfterSeconds: 'a\nb' }],
      ['/admin/faults', { serverErrorShare: 'x' }],
      ['/admin/faults', { latencyMs: 1e308 }],
      ['/admin/faults', { rejectBibPattern: 42 }],
      ['/admin/keys', {}],
      ['/admin/keys', { apiKey: 'k2', access: 'READ', company: { x: 1 } }],
      ['/admin/keys', { apiKey: 'k3', access: 'ALL', company: 'c' }]
    ]
    for (const [path, body] of bad) {
      const answer = await rawRequest(port, path, {}, 'POST', JSON.stringify(body))
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400)
      expect(answer.body).toMatch(/Invalid parameter/)
    }
    expect((await rawRequest(port, '/v0/devices')).status).toBe(200)
    const good = await rawRequest(
      port,
      '/admin/keys',
      {},
      'POST',
      JSON.stringify({ apiKey: 'k4', access: 'READ', company: 'c' })
    )
    expect(good.status).toBe(200)
  })
})
