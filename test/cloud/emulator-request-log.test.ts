import { describe, expect, it } from 'vitest'
import { RequestLog, UNKNOWN_ROUTE } from '../../src/emulator/request-log'
import type { AdminRequests } from '../../src/emulator/server'
import { emulator, KEYS } from '../helpers/emulator'

const T0 = Date.parse('2026-11-29T10:00:00.000Z')

describe('the emulator request log (GET /admin/requests)', () => {
  it('counts every API request per route and per second of its clock, refused ones too', async () => {
    let now = T0
    const cloud = await emulator({ now: () => now })
    const call = (method: string, path: string, key: string = KEYS.admin.apiKey, body?: unknown) =>
      fetch(`${cloud.apiUrl}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', api_key: key },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
    const requests = async (): Promise<AdminRequests> =>
      (await (await fetch(`${cloud.rootUrl}/admin/requests`)).json()) as AdminRequests

    const bound = (await (
      await call('POST', '/devices', undefined, { model: 'M', serial_number: 'S1' })
    ).json()) as {
      deviceid: string
    }
    now += 1500
    expect((await call('GET', `/devices/${bound.deviceid}`)).status).toBe(200)
    expect((await call('GET', `/devices/${bound.deviceid}`, 'ror-unknown')).status).toBe(403)
    expect((await call('GET', '/nowhere')).status).toBe(404)
    expect((await call('PUT', '/passings')).status).toBe(405)

    const counts = await requests()
    expect(counts.total).toBe(5)
    expect(counts.byRoute).toEqual({
      'POST /devices': 1,
      'GET /devices/{deviceid}': 2,
      [UNKNOWN_ROUTE]: 2
    })
    expect(counts.perSecond).toEqual([
      [T0 / 1000, 1],
      [T0 / 1000 + 1, 4]
    ])
    // Reading the log is not an API request.
    expect((await requests()).total).toBe(5)

    expect(counts.faults).toEqual({ 'server-error': 0, 'rate-limit': 0, 'drop-after-apply': 0 })
  })

  it('counts the faults it injected next to the requests', async () => {
    const cloud = await emulator({ faults: { serverErrorShare: 1 } })
    const answer = await fetch(`${cloud.apiUrl}/devices`, { headers: { api_key: KEYS.admin.apiKey } })
    expect(answer.status).toBe(500)
    const counts = (await (await fetch(`${cloud.rootUrl}/admin/requests`)).json()) as AdminRequests
    expect(counts.total).toBe(1)
    expect(counts.faults).toEqual({ 'server-error': 1, 'rate-limit': 0, 'drop-after-apply': 0 })
  })

  it('keeps the newest hour of seconds and still counts every request in the total', () => {
    const log = new RequestLog()
    const seconds = RequestLog.MAX_SECONDS + 10
    for (let second = 0; second < seconds; second += 1) log.record(second * 1000 + 999, 'GET /devices')
    log.record((seconds - 1) * 1000, 'GET /devices')
    const counts = log.counts()
    expect(counts.total).toBe(seconds + 1)
    expect(counts.perSecond).toHaveLength(RequestLog.MAX_SECONDS)
    expect(counts.perSecond[0]).toEqual([10, 1])
    expect(counts.perSecond.at(-1)).toEqual([seconds - 1, 2])
    expect(counts.byRoute).toEqual({ 'GET /devices': seconds + 1 })
  })
})
