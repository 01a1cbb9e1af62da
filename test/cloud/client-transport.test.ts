import { describe, expect, it } from 'vitest'
import { RufusClient } from '../../src/core/rufus/client'
import { rufusErrorMessage } from '../../src/core/rufus/errors'
import { inEnglish } from '../../src/shared/messages'
import { clientFor, emulator, KEYS, numberedPassings } from '../helpers/emulator'
import { failure, loopbackServer } from '../helpers/loopback'

/** A real HTTP server on loopback that answers however the test says (or never). */
async function rawServer(handler: Parameters<typeof loopbackServer>[0]): Promise<string> {
  return (await loopbackServer(handler)).apiUrl
}

describe('client transport failures', () => {
  it('times out on a server that never answers, and flags a write as ambiguous', async () => {
    const url = await rawServer(() => undefined)
    const client = new RufusClient({ baseUrl: url, apiKey: 'k', timeoutMs: 200 })
    const error = await failure(client.insertPassings('T', numberedPassings(1, 1)))
    expect(error.kind).toBe('timeout')
    expect(error.ambiguous).toBe(true)
    expect(inEnglish(rufusErrorMessage(error))).toMatch(/did not answer in time/)
  })

  it('reports an HTML answer as an answer that is not RUFUS Cloud, not as data', async () => {
    const url = await rawServer((_, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' })
      response.end('<!doctype html><html><body>Captive portal</body></html>')
    })
    const error = await failure(new RufusClient({ baseUrl: url, apiKey: 'k' }).listDevices())
    expect(error.kind).toBe('not-rufus')
    expect(error.ambiguous).toBe(false)
    expect(error.message).toMatch(/HTML/)
  })

  it('reports a JSON answer of the wrong shape as an invalid response', async () => {
    const url = await rawServer((_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end('{"description":"Success","result":{"oops":true}}')
    })
    const error = await failure(new RufusClient({ baseUrl: url, apiKey: 'k' }).sessionPassings('T'))
    expect(error.kind).toBe('invalid-response')
    expect(error.message).toMatch(/result/)
  })

  it('reports a refused connection as a network failure that was certainly not applied', async () => {
    const { server, apiUrl: url } = await loopbackServer(() => undefined)
    await new Promise(done => server.close(done))
    const error = await failure(new RufusClient({ baseUrl: url, apiKey: 'k' }).insertSession('D'))
    expect(error.kind).toBe('network')
    expect(error.code).toBe('ECONNREFUSED')
    expect(error.ambiguous).toBe(false)
    expect(inEnglish(rufusErrorMessage(error))).toMatch(/refused the connection/)
  })

  it('reports an unresolvable host as a DNS failure', async () => {
    const client = new RufusClient({
      baseUrl: 'http://rufus-station-test.invalid/v0',
      apiKey: 'k',
      timeoutMs: 3000
    })
    const error = await failure(client.listDevices())
    expect(error.kind).toBe('network')
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(error.code)
  })

  it('passes on Retry-After from a 429', async () => {
    const cloud = await emulator({ faults: { rateLimitShare: 1, retryAfterSeconds: 7 } })
    const error = await failure(clientFor(cloud).listDevices())
    expect(error.kind).toBe('rate-limited')
    expect(error.retryAfterMs).toBe(7000)
    expect(error.description).toBe('Too many requests')
  })

  it('marks a 5xx on a write as ambiguous', async () => {
    const cloud = await emulator({ faults: { serverErrorShare: 1 } })
    const error = await failure(clientFor(cloud).bindDevice({ model: 'M', serial_number: 'S' }))
    expect(error.kind).toBe('server')
    expect(error.status).toBe(500)
    expect(error.ambiguous).toBe(true)
  })

  it('a connection dropped after the write was applied is ambiguous, and the write is in the cloud', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { deviceid } = await client.bindDevice({ model: 'M', serial_number: 'S' })
    const token = await client.insertSession(deviceid)
    cloud.setFaults({ dropAfterApplyShare: 1 })
    const error = await failure(client.insertPassings(token, numberedPassings(1, 3)))
    expect(error.kind).toBe('network')
    expect(error.ambiguous).toBe(true)
    cloud.setFaults({})
    expect((await client.sessionPassings(token)).length).toBe(3)
  })

  it('reports the server Date header with local send and receive times', async () => {
    const cloud = await emulator()
    const samples: Array<{ serverMs: number; sentAtMs: number; receivedAtMs: number }> = []
    const client = new RufusClient({
      baseUrl: cloud.apiUrl,
      apiKey: KEYS.read.apiKey,
      onServerDate: s => samples.push(s)
    })
    await client.listDevices()
    expect(samples).toHaveLength(1)
    const sample = samples[0]!
    expect(sample.receivedAtMs).toBeGreaterThanOrEqual(sample.sentAtMs)
    // The Date header has whole seconds; the same machine's clock is within a second of it.
    expect(Math.abs(sample.serverMs - sample.receivedAtMs)).toBeLessThan(1500)
  })
})
