import { afterEach, describe, expect, it } from 'vitest'
import { QUIRKS } from '../../src/emulator/quirks'
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server'
import { spawnTs, type Spawned } from '../helpers/process'

// Plain fetch, never the station's client: a quirk must show on the wire, not through a reading of it.

const KEY = 'ror-quirk000000000000001'
const T0 = Date.parse('2026-11-29T10:00:00.000Z')

const running: RunningEmulator[] = []
const spawned: Spawned[] = []
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close()
  for (const child of spawned.splice(0)) if (child.child.exitCode === null) child.child.kill('SIGKILL')
})

interface Answer {
  readonly status: number
  readonly text: string
  readonly body: Record<string, unknown>
}

interface Passing {
  readonly num_passing: number
  readonly bib: string
  readonly timestamp: string
  readonly [field: string]: unknown
}

function passing(num: number, extra: Partial<Passing> = {}): Passing {
  return { num_passing: num, bib: String(num), timestamp: new Date(T0 + num * 1000).toISOString(), ...extra }
}

class Cloud {
  deviceid = ''

  constructor(readonly emulator: RunningEmulator) {}

  async call(
    method: string,
    path: string,
    payload?: unknown,
    headers: Record<string, string> = { api_key: KEY }
  ): Promise<Answer> {
    const response = await fetch(`${this.emulator.apiUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) })
    })
    const text = await response.text()
    const parsed = JSON.parse(text) as Record<string, unknown>
    // `text` keeps the envelope for the tests that look at it; `body` is what it wraps.
    const body = !('body' in parsed) ? parsed : (parsed['body'] as Record<string, unknown>)
    return { status: response.status, text, body }
  }

  /** Binds a device and opens a session on it; returns the session's token. */
  async openSession(): Promise<string> {
    if (!this.deviceid) {
      const bound = await this.call('POST', '/devices', { model: 'M', serial_number: 'Q-1' })
      this.deviceid = String(bound.body['deviceid'])
    }
    const session = await this.call('POST', '/sessions', { deviceid: this.deviceid })
    return String(session.body['token_session'])
  }

  insert(token: string, list: readonly unknown[]): Promise<Answer> {
    return this.call('POST', '/passings', { token_session: token, passings_list: list })
  }

  /** The `num_passing`s a session read answers (empty on a 404). */
  async numbers(path: string): Promise<number[]> {
    const answer = await this.call('GET', path)
    const rows = (answer.body['result'] ?? []) as { num_passing: number }[]
    return rows.map(row => row.num_passing)
  }
}

async function start(quirks: readonly string[], options: Partial<EmulatorOptions> = {}): Promise<Cloud> {
  const emulator = await startEmulator({
    port: 0,
    keys: [{ apiKey: KEY, company: 'acme', access: 'READ_WRITE', canUnbind: true }],
    quirks,
    admin: true,
    ...options
  })
  running.push(emulator)
  return new Cloud(emulator)
}

/** The same scenario against the default reading and against one quirk, side by side. */
async function compare<T>(quirk: string, scenario: (cloud: Cloud) => Promise<T>): Promise<[T, T]> {
  const [plain, quirky] = await Promise.all([start([]), start([quirk])])
  return Promise.all([scenario(plain), scenario(quirky)])
}

describe('emulator --quirk: each reading changes the wire as documented, the default stays', () => {
  it('no-insert-counts: a passings answer without inserted_count and duplicate_count', async () => {
    const [plain, quirky] = await compare('no-insert-counts', async cloud => {
      const token = await cloud.openSession()
      const answer = await cloud.insert(token, [passing(1), passing(1)])
      return { ...answer.body, token_session: answer.body['token_session'] === token }
    })
    expect(plain).toEqual({
      description: 'Passings inserted succesfully',
      token_session: true,
      inserted_count: 1,
      duplicate_count: 1
    })
    expect(quirky).toEqual({ description: 'Passings inserted succesfully', token_session: true })
  })

  it('dedupe-bib: a known bib is the duplicate, a known number with a new bib is stored', async () => {
    const [plain, quirky] = await compare('dedupe-bib', async cloud => {
      const token = await cloud.openSession()
      const answer = await cloud.insert(token, [passing(1, { bib: '7' }), passing(2, { bib: '7' })])
      const again = await cloud.insert(token, [passing(2, { bib: '8' })])
      const read = await cloud.call('GET', `/passings/session/${token}`)
      const bibs = (read.body['result'] as { bib: string }[]).map(row => row.bib)
      return { first: answer.body['duplicate_count'], second: again.body['duplicate_count'], bibs }
    })
    expect(plain).toEqual({ first: 0, second: 1, bibs: ['7', '7'] })
    expect(quirky).toEqual({ first: 1, second: 0, bibs: ['7', '8'] })
  })

  it('dedupe-chip-time: same chip and instant is one passing (two without chip too), whatever the numbers', async () => {
    const [plain, quirky] = await compare('dedupe-chip-time', async cloud => {
      const token = await cloud.openSession()
      const instant = new Date(T0).toISOString()
      const later = new Date(T0 + 5000).toISOString()
      const answer = await cloud.insert(token, [
        passing(1, { chip: 'A', timestamp: instant }),
        passing(2, { chip: 'A', timestamp: instant }),
        passing(3, { chip: 'B', timestamp: instant }),
        passing(4, { timestamp: later }),
        passing(5, { timestamp: later })
      ])
      return {
        counts: [answer.body['inserted_count'], answer.body['duplicate_count']],
        stored: await cloud.numbers(`/passings/session/${token}`)
      }
    })
    expect(plain).toEqual({ counts: [5, 0], stored: [1, 2, 3, 4, 5] })
    expect(quirky).toEqual({ counts: [3, 2], stored: [1, 3, 4] })
  })

  it.each([
    ['close-closed-404', 404, 'Session not found'],
    ['close-closed-400', 400, 'Session not found or closed']
  ])('%s: closing a closed session answers %i', async (quirk, status, description) => {
    const [plain, quirky] = await compare(quirk, async cloud => {
      const token = await cloud.openSession()
      const first = await cloud.call('PATCH', `/sessions/close/${token}`)
      const second = await cloud.call('PATCH', `/sessions/close/${token}`)
      expect(first.status).toBe(200)
      return [second.status, second.body['description'], second.body['token_session'] === token]
    })
    expect(plain).toEqual([200, 'Session closed succesfully', true])
    expect(quirky).toEqual([status, description, true])
  })

  it('pages-from-0: page 0 is the first page, page 1 the second', async () => {
    const [plain, quirky] = await compare('pages-from-0', async cloud => {
      const token = await cloud.openSession()
      await cloud.insert(token, [passing(1), passing(2)])
      const read = (page: string) => cloud.call('GET', `/passings/session/${token}${page}`)
      const devices = await cloud.call('GET', '/devices?page=0')
      return {
        omitted: (await read('')).status,
        zero: (await read('?page=0')).status,
        one: (await read('?page=1')).status,
        devicesPage:
          devices.status === 200 ? (devices.body['pagination'] as { page: number }).page : devices.status
      }
    })
    expect(plain).toEqual({ omitted: 200, zero: 400, one: 200, devicesPage: 400 })
    expect(quirky).toEqual({ omitted: 200, zero: 200, one: 404, devicesPage: 0 })
  })

  it('exclusive-bounds: first/last and from/to leave out the bounds', async () => {
    const [plain, quirky] = await compare('exclusive-bounds', async cloud => {
      const token = await cloud.openSession()
      await cloud.insert(
        token,
        [1, 2, 3, 4, 5].map(n => passing(n))
      )
      const from = encodeURIComponent(passing(2).timestamp)
      const to = encodeURIComponent(passing(4).timestamp)
      return {
        session: await cloud.numbers(`/passings/session/${token}?first=2&last=4`),
        device: await cloud.numbers(`/passings/device/${cloud.deviceid}?from=${from}&to=${to}`)
      }
    })
    expect(plain).toEqual({ session: [2, 3, 4], device: [2, 3, 4] })
    expect(quirky).toEqual({ session: [3], device: [3] })
  })

  it('pages-of-1000: a page holds 1000 passings, not 5000', async () => {
    const [plain, quirky] = await compare('pages-of-1000', async cloud => {
      const token = await cloud.openSession()
      await cloud.insert(
        token,
        Array.from({ length: 1001 }, (_, i) => passing(i + 1))
      )
      const first = await cloud.numbers(`/passings/session/${token}?page=1`)
      const second = await cloud.numbers(`/passings/session/${token}?page=2`)
      return [first.length, second]
    })
    expect(plain).toEqual([1001, []])
    expect(quirky).toEqual([1000, [1001]])
  })

  it('x-api-key-only: the key in api_key alone is refused, in x-api-key accepted', async () => {
    const [plain, quirky] = await compare('x-api-key-only', async cloud => [
      (await cloud.call('GET', '/devices', undefined, { api_key: KEY })).status,
      (await cloud.call('GET', '/devices', undefined, { 'x-api-key': KEY })).status
    ])
    expect(plain).toEqual([200, 200])
    expect(quirky).toEqual([403, 200])
  })

  it('created-200: bind, session and passings inserts answer 200', async () => {
    const [plain, quirky] = await compare('created-200', async cloud => {
      const bound = await cloud.call('POST', '/devices', { model: 'M', serial_number: 'S' })
      const session = await cloud.call('POST', '/sessions', { deviceid: bound.body['deviceid'] })
      const inserted = await cloud.insert(String(session.body['token_session']), [passing(1)])
      return [bound.status, session.status, inserted.status]
    })
    expect(plain).toEqual([201, 201, 201])
    expect(quirky).toEqual([200, 200, 200])
  })

  it('pretty-json: bodies indented, so a naive `"deviceid":"` search finds nothing', async () => {
    const [plain, quirky] = await compare('pretty-json', async cloud => {
      const answer = await cloud.call('POST', '/devices', { model: 'M', serial_number: 'S' })
      return {
        compact: answer.text === JSON.stringify(answer.body),
        pretty: answer.text === JSON.stringify(answer.body, null, 2),
        naive: answer.text.includes('"deviceid":"')
      }
    })
    expect(plain).toEqual({ compact: true, pretty: false, naive: true })
    expect(quirky).toEqual({ compact: false, pretty: true, naive: false })
  })

  it('closed-insert-400: passings into a closed session answer 400 with the same words', async () => {
    const [plain, quirky] = await compare('closed-insert-400', async cloud => {
      const token = await cloud.openSession()
      await cloud.call('PATCH', `/sessions/close/${token}`)
      const answer = await cloud.insert(token, [passing(1)])
      return [answer.status, answer.body['description']]
    })
    expect(plain).toEqual([404, 'Session not found or closed'])
    expect(quirky).toEqual([400, 'Session not found or closed'])
  })

  it('empty-list-wording: an empty list is worded otherwise, an unknown id is not', async () => {
    const [plain, quirky] = await compare('empty-list-wording', async cloud => {
      const description = async (path: string) => {
        const answer = await cloud.call('GET', path)
        return `${answer.status} ${String(answer.body['description'])}`
      }
      const bound = await cloud.call('POST', '/devices', { model: 'M', serial_number: 'Q-1' })
      cloud.deviceid = String(bound.body['deviceid'])
      const noSessions = await description(`/sessions/device/${cloud.deviceid}`)
      const token = await cloud.openSession()
      return [
        noSessions,
        await description(`/passings/session/${token}`),
        await description(`/passings/device/${cloud.deviceid}`),
        await description(`/sessions/device/${'F'.repeat(64)}`)
      ]
    })
    expect(plain).toEqual([
      '404 Sessions not found',
      '404 Passings not found',
      '404 Passings not found',
      '404 Sessions not found'
    ])
    expect(quirky).toEqual([
      '404 No sessions',
      '404 No passings',
      '404 No passings',
      '404 Sessions not found'
    ])
  })

  it('session-expires=<s>: the cloud closes a session by itself once that time has passed', async () => {
    let now = T0
    const scenario = async (cloud: Cloud) => {
      now = T0
      const token = await cloud.openSession()
      now = T0 + 59_000
      const before = (await cloud.insert(token, [passing(1)])).status
      now = T0 + 61_000
      const after = await cloud.insert(token, [passing(2)])
      const info = await cloud.call('GET', `/sessions/${token}`)
      return [
        before,
        after.status,
        after.body['description'],
        (info.body['result'] as { active: boolean }[])[0]?.active
      ]
    }
    const plain = await scenario(await start([], { now: () => now }))
    const quirky = await scenario(await start(['session-expires=60'], { now: () => now }))
    expect(plain).toEqual([201, 201, 'Passings inserted succesfully', true])
    expect(quirky).toEqual([201, 404, 'Session not found or closed', false])
  })

  it('zoneless-timestamps: what the Java client sends is accepted and read as UTC', async () => {
    const [plain, quirky] = await compare('zoneless-timestamps', async cloud => {
      const token = await cloud.openSession()
      // As the public Java client posts: x-api-key only, one passing, `yyyy-MM-dd HH:mm:ss.SSS`, no zone.
      const answer = await cloud.call(
        'POST',
        '/passings',
        {
          token_session: token,
          passings_list: [{ timestamp: '2026-11-29 10:00:00.123', num_passing: 1, bib: 'E200' }]
        },
        { 'x-api-key': KEY }
      )
      const read = await cloud.call('GET', `/passings/session/${token}`)
      const stored = (read.body['result'] ?? []) as { timestamp: string }[]
      return [answer.status, answer.body['description'], stored.map(row => row.timestamp)]
    })
    expect(plain).toEqual([400, 'Invalid parameter: passings_list[0].timestamp', []])
    expect(quirky).toEqual([201, 'Passings inserted succesfully', ['2026-11-29T10:00:00.123Z']])
  })

  it('strict-fields: an unknown field in a session or passings body is refused and named', async () => {
    const [plain, quirky] = await compare('strict-fields', async cloud => {
      const token = await cloud.openSession()
      const extra = await cloud.insert(token, [passing(1, { note: 'x' })])
      const chips = await cloud.insert(token, [passing(2, { chips: 'A' })])
      // Last: a new session closes the one above.
      const session = await cloud.call('POST', '/sessions', { deviceid: cloud.deviceid, colour: 'red' })
      return [extra, chips, session].map(a => `${a.status} ${String(a.body['description'])}`)
    })
    expect(plain).toEqual([
      '201 Passings inserted succesfully',
      '201 Passings inserted succesfully',
      '201 Session inserted succesfully'
    ])
    expect(quirky).toEqual([
      '400 Invalid parameter: passings_list[0].note',
      '400 Invalid parameter: passings_list[0].chips',
      '400 Invalid parameter: colour'
    ])
  })
})

describe('emulator quirks together', () => {
  it('combine with --legacy, --envelope and the fault options', async () => {
    const cloud = await start(['created-200,pretty-json', 'no-insert-counts'], {
      legacy: true,
      envelope: true
    })
    const token = await cloud.openSession()
    const answer = await cloud.insert(token, [passing(1), passing(1)])
    expect(answer.status).toBe(200)
    expect(answer.text).toBe(
      JSON.stringify(
        { body: { description: 'Passings inserted succesfully', token_session: token } },
        null,
        2
      )
    )
    // --legacy stores the repeat: no de-duplication.
    expect(await cloud.numbers(`/passings/session/${token}`)).toEqual([1, 1])
    cloud.emulator.setFaults({ rateLimitShare: 1, retryAfterSeconds: 7 })
    const limited = await cloud.insert(token, [passing(2)])
    expect([limited.status, limited.text]).toEqual([
      429,
      JSON.stringify({ body: { description: 'Too many requests' } }, null, 2)
    ])
  })

  it('are switched at run time through POST /admin/quirks, and a contradiction there is a 400', async () => {
    const cloud = await start([])
    const admin = (quirks: unknown) =>
      fetch(`${cloud.emulator.rootUrl}/admin/quirks`, { method: 'POST', body: JSON.stringify({ quirks }) })
    expect((await cloud.call('POST', '/devices', { model: 'M', serial_number: 'A' })).status).toBe(201)
    expect((await admin(['created-200'])).status).toBe(200)
    expect((await cloud.call('POST', '/devices', { model: 'M', serial_number: 'B' })).status).toBe(200)
    const refused = await admin(['dedupe-bib', 'dedupe-chip-time'])
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { description: string }).description).toBe(
      '--quirk dedupe-bib and --quirk dedupe-chip-time cannot be combined: both decide what makes a passing a duplicate.'
    )
    // The refused set changed nothing.
    expect((await cloud.call('POST', '/devices', { model: 'M', serial_number: 'C' })).status).toBe(200)
  })

  it('refuses contradicting pairs and unknown names on the command line: exit 2 and one sentence', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--quirk', 'dedupe-bib,dedupe-chip-time'],
        /^emulator: --quirk dedupe-bib and --quirk dedupe-chip-time cannot be combined: both decide what makes a passing a duplicate\.$/
      ],
      [
        ['--quirk', 'close-closed-404', '--quirk', 'close-closed-400'],
        /^emulator: --quirk close-closed-404 and --quirk close-closed-400 cannot be combined: both decide the answer to closing a closed session\.$/
      ],
      [
        ['--legacy', '--quirk', 'dedupe-chip-time'],
        /^emulator: --legacy and --quirk dedupe-chip-time cannot be combined: both decide what makes a passing a duplicate\.$/
      ],
      [
        ['--quirk', 'session-expires'],
        /^emulator: --quirk session-expires needs a number of seconds above 0, as session-expires=<n>\.$/
      ],
      [['--quirk', 'lenient'], /^emulator: --quirk "lenient" is not one of: no-insert-counts, .*\.$/]
    ]
    const outcomes = await Promise.all(
      cases.map(async ([args]) => {
        const child = spawnTs('src/emulator/cli.ts', ['--port', '0', ...args])
        spawned.push(child)
        return { code: await child.exited(), first: child.stderr().split('\n')[0] ?? '', stdout: child.lines }
      })
    )
    outcomes.forEach((outcome, index) => {
      expect(outcome.code).toBe(2)
      expect(outcome.first).toMatch(cases[index]?.[1] ?? /never/)
      expect(outcome.stdout).toEqual([])
    })
  })

  it('--help lists every quirk with its open question', async () => {
    const child = spawnTs('src/emulator/cli.ts', ['--help'])
    spawned.push(child)
    expect(await child.exited()).toBe(0)
    const help = child.lines.join('\n')
    for (const quirk of QUIRKS) {
      const name = quirk.value ? `${quirk.name}=<${quirk.value}>` : quirk.name
      expect(help).toMatch(new RegExp(`^  ${name}\\s+${quirk.question}: `, 'm'))
    }
    expect(QUIRKS.length).toBeGreaterThanOrEqual(16)
  })
})
