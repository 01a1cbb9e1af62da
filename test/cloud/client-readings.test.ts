import type { IncomingHttpHeaders } from 'node:http'
import { describe, expect, it } from 'vitest'
import { RufusClient } from '../../src/core/rufus/client'
import { readRange, readWholeSession } from '../../src/core/sync/range-read'
import { clientFor, emulator, insertAll, KEYS, numberedPassings } from '../helpers/emulator'
import { failure, loopbackServer } from '../helpers/loopback'

// The client against the readings of the docs that live in the bytes: a real HTTP server on loopback answering as
// the test says, and the real emulator with a quirk. No mocking library: real sockets, real parsing.

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
}

/** A loopback server answering every request with `status` and `body`; it records what it was asked. */
async function answering(status: number, body: string, seen: Seen[] = []): Promise<string> {
  const { apiUrl } = await loopbackServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers })
    request.resume()
    request.on('end', () => {
      response.writeHead(status, { 'Content-Type': body.startsWith('<') ? 'text/html' : 'application/json' })
      response.end(body)
    })
  })
  return apiUrl
}

const client = (url: string) => new RufusClient({ baseUrl: url, apiKey: 'ror-key', timeoutMs: 2000 })
const ONE = numberedPassings(1, 1)

describe('the client and the bytes of each reading', () => {
  it('sends the key in both `api_key` and `x-api-key` (U3)', async () => {
    const seen: Seen[] = []
    const url = await answering(200, '{"description":"Success","result":[]}', seen)
    await client(url).listDevices()
    expect(seen[0]?.headers['api_key']).toBe('ror-key')
    expect(seen[0]?.headers['x-api-key']).toBe('ror-key')
  })

  it('reads `GET /devices` without `result` (the newer spec requires only description and pagination) as no devices', async () => {
    const url = await answering(
      200,
      '{"description":"Success","pagination":{"page":1,"limit":5000,"total":0,"has_more":false}}'
    )
    expect(await client(url).listDevices()).toMatchObject({ devices: [], hasMore: false, total: 0 })
  })

  it('reads an insert answered without counts (U11) as an answer whose counts are unknown', async () => {
    const url = await answering(201, '{"description":"Passings inserted succesfully","token_session":"T"}')
    const answer = await client(url).insertPassings('T', ONE)
    expect(answer).toEqual({ description: 'Passings inserted succesfully', token_session: 'T' })
  })

  it('reads a `body` holding the JSON as a string (U1) as the answer itself', async () => {
    const inner = JSON.stringify({
      description: 'Passings inserted succesfully',
      token_session: 'T',
      inserted_count: 1
    })
    const url = await answering(201, JSON.stringify({ body: inner }))
    expect(await client(url).insertPassings('T', ONE)).toMatchObject({ inserted_count: 1 })
  })

  it.each([
    ['an empty body', ''],
    ['a JSON object of something else', '{"ok":true}'],
    ['a JSON string', '"done"']
  ])('calls a 2xx to a write with %s ambiguous: it may have been applied', async (_what, body) => {
    const url = await answering(201, body)
    const error = await failure(client(url).insertPassings('T', ONE))
    expect(error).toMatchObject({ kind: 'invalid-response', ambiguous: true, status: 201 })
  })

  it.each([
    ['200 with an HTML page', 200, '<!DOCTYPE html><html><body>Log in to Venue Wi-Fi</body></html>'],
    ['511 Network Authentication Required', 511, '<html><body>Sign in</body></html>'],
    ['200 with text', 200, 'OK']
  ])('calls %s "not RUFUS Cloud", ambiguous for a write and not for a read', async (_what, status, body) => {
    const url = await answering(status, body)
    expect(await failure(client(url).insertPassings('T', ONE))).toMatchObject({
      kind: 'not-rufus',
      ambiguous: true
    })
    expect(await failure(client(url).sessionPassings('T'))).toMatchObject({
      kind: 'not-rufus',
      ambiguous: false
    })
  })

  it.each([
    [400, 'bad-request'],
    [403, 'forbidden']
  ])('reads a %i with an empty body (U5) by its status, with no reason', async (status, kind) => {
    const url = await answering(status, '')
    expect(await failure(client(url).insertPassings('T', ONE))).toMatchObject({
      kind,
      description: undefined
    })
  })

  it('keeps a proxy’s 502 page a server problem, retried later', async () => {
    const url = await answering(502, '<html><body>Bad Gateway</body></html>')
    expect(await failure(client(url).insertPassings('T', ONE))).toMatchObject({
      kind: 'server',
      ambiguous: true
    })
  })
})

describe('the client against the emulator’s readings', () => {
  it('an empty list worded otherwise (`--quirk empty-list-wording`) is empty; an unknown session stays unknown', async () => {
    const cloud = await emulator({ quirks: ['empty-list-wording'] })
    const rufus = clientFor(cloud)
    const { deviceid } = await rufus.bindDevice({ model: 'M', serial_number: 'SN-EMPTY' })
    expect(await rufus.activeSession(deviceid)).toBeNull()
    const token = await rufus.insertSession(deviceid, 'EMPTY')
    expect(await rufus.sessionPassings(token)).toEqual([])
    expect(await failure(rufus.sessionPassings('F'.repeat(64)))).toMatchObject({
      kind: 'not-found',
      description: 'Session not found'
    })
  })

  it.each([
    ['the default reading', []],
    ['`--quirk exclusive-bounds`', ['exclusive-bounds']],
    ['`--quirk pages-from-0`', ['pages-from-0']],
    ['`--quirk pages-of-1000`', ['pages-of-1000']],
    [
      '`--quirk pages-of-1000,exclusive-bounds,pages-from-0`',
      ['pages-of-1000', 'exclusive-bounds', 'pages-from-0']
    ]
  ])('reads a range back by number, exactly, under %s', async (_name, quirks) => {
    const cloud = await emulator({ quirks })
    const rufus = clientFor(cloud)
    const { deviceid } = await rufus.bindDevice({ model: 'M', serial_number: 'SN-RANGE' })
    const token = await rufus.insertSession(deviceid, 'RANGE')
    await insertAll(rufus, token, numberedPassings(1, 3200))

    const batch = await readRange(rufus, token, 1001, 3000)
    expect(batch.complete).toBe(true)
    expect(batch.passings.map(p => p.num_passing)).toEqual(
      numberedPassings(1001, 3000).map(p => p.num_passing)
    )
    expect(batch.requests).toBeLessThanOrEqual(12)
    const whole = await readWholeSession(rufus, token)
    expect(whole.passings).toHaveLength(3200)
  })

  it('under `--legacy`, every stored copy of a number is read back, across pages', async () => {
    const cloud = await emulator({ legacy: true, quirks: ['pages-of-1000'] })
    const rufus = clientFor(cloud, KEYS.readWrite)
    const { deviceid } = await rufus.bindDevice({ model: 'M', serial_number: 'SN-COPIES' })
    const token = await rufus.insertSession(deviceid, 'COPIES')
    await insertAll(rufus, token, numberedPassings(1, 1500))
    await insertAll(rufus, token, numberedPassings(700, 800))
    const read = await readRange(rufus, token, 1, 1500)
    expect(read.complete).toBe(true)
    expect(read.passings).toHaveLength(1601)
    expect(read.passings.filter(p => p.num_passing === 750)).toHaveLength(2)
  })
})
