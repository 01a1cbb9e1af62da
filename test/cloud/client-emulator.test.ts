/* eslint max-lines: ["error", { "max": 420, "skipBlankLines": true, "skipComments": true }] -- jobs: the real client
   against the emulator, endpoint by endpoint: devices, permissions, sessions, passings, bad input, and wire
   compatibility (the envelope, a client like the public Java one). */
import { describe, expect, it } from 'vitest'
import { RufusError } from '../../src/core/rufus/errors'
import { collectPages, devicePassingPages, sessionPassingPages } from '../../src/core/rufus/paging'
import { clientFor, emulator, insertAll, KEYS, numberedPassings } from '../helpers/emulator'

const HEX64 = /^[0-9A-F]{64}$/

async function rejection(promise: Promise<unknown>): Promise<RufusError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof RufusError) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

async function boundDeviceWithSession(client = clientFor(undefined as never)) {
  const { deviceid } = await client.bindDevice({ model: 'Station', serial_number: `SN-${Math.random()}` })
  const token = await client.insertSession(deviceid, 'FINISH')
  return { deviceid, token }
}

describe('devices', () => {
  it('binds a device with a 64-hex uppercase id and answers 409 with the same id on a re-bind', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const first = await client.bindDevice({ model: 'Station', serial_number: 'SN-1', alias: 'Finish' })
    expect(first.deviceid).toMatch(HEX64)
    expect(first.alreadyBound).toBe(false)
    const again = await client.bindDevice({ model: 'Station', serial_number: 'SN-1' })
    expect(again).toEqual({ deviceid: first.deviceid, alreadyBound: true })
    const other = await clientFor(cloud, KEYS.otherCompany).bindDevice({
      model: 'Station',
      serial_number: 'SN-1'
    })
    expect(other.alreadyBound).toBe(false)
    expect(other.deviceid).not.toBe(first.deviceid)
  })

  it('reports device information and lists the company devices page by page', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const ids = []
    for (let i = 0; i < 3; i += 1) {
      ids.push((await client.bindDevice({ model: 'M', serial_number: `S${i}`, firmware: '1.2' })).deviceid)
    }
    const info = await client.deviceInfo(ids[0] ?? '')
    expect(info).toMatchObject({
      deviceid: ids[0],
      model: 'M',
      serial_number: 'S0',
      firmware: '1.2',
      sessions: 0
    })
    const page1 = await client.listDevices({ page: 1, limit: 2 })
    const page2 = await client.listDevices({ page: 2, limit: 2 })
    expect(page1.devices.map(d => d.deviceid)).toEqual(ids.slice(0, 2))
    expect(page1.hasMore).toBe(true)
    expect(page2.devices.map(d => d.deviceid)).toEqual(ids.slice(2))
    expect(page2.hasMore).toBe(false)
    expect(page2.total).toBe(3)
  })

  it('keeps companies apart: another company’s device is simply not found', async () => {
    const cloud = await emulator()
    const { deviceid } = await clientFor(cloud).bindDevice({ model: 'M', serial_number: 'S' })
    const error = await rejection(clientFor(cloud, KEYS.otherCompany).deviceInfo(deviceid))
    expect(error.kind).toBe('not-found')
    expect(error.description).toBe('Device not found')
    expect(error.status).toBe(404)
  })

  it('unbinding deletes the device with its sessions and passings', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { deviceid, token } = await boundDeviceWithSession(client)
    await client.insertPassings(token, numberedPassings(1, 3))
    await client.unbindDevice(deviceid)
    expect((await rejection(client.deviceInfo(deviceid))).description).toBe('Device not found')
    expect((await rejection(client.sessionInfo(token))).description).toBe('Session not found')
    expect(await client.devicePassings(deviceid).catch((e: RufusError) => e.description)).toBe(
      'Device not found'
    )
    expect(cloud.store.dump().passings).toBe(0)
  })
})

describe('permissions', () => {
  it('enforces READ, WRITE, READ_WRITE and the unbind flag', async () => {
    const cloud = await emulator()
    const { deviceid } = await clientFor(cloud).bindDevice({ model: 'M', serial_number: 'S' })
    expect(
      (await rejection(clientFor(cloud, KEYS.read).bindDevice({ model: 'M', serial_number: 'X' }))).kind
    ).toBe('forbidden')
    expect((await rejection(clientFor(cloud, KEYS.write).deviceInfo(deviceid))).kind).toBe('forbidden')
    expect(await clientFor(cloud, KEYS.read).deviceInfo(deviceid)).toMatchObject({ deviceid })
    expect((await rejection(clientFor(cloud, KEYS.readWrite).unbindDevice(deviceid))).kind).toBe('forbidden')
    await clientFor(cloud, KEYS.writeUnbind).unbindDevice(deviceid)
  })

  it('answers 403 with a description for a missing or unknown key', async () => {
    const cloud = await emulator()
    const missing = await fetch(`${cloud.apiUrl}/devices`)
    expect(missing.status).toBe(403)
    expect(await missing.text()).toBe('{"description":"Forbidden"}')
    const unknown = await rejection(clientFor(cloud, { ...KEYS.admin, apiKey: 'ror-nope' }).listDevices())
    expect(unknown.kind).toBe('forbidden')
    expect(unknown.status).toBe(403)
  })
})

describe('sessions', () => {
  it('a new session closes the previous active one; closing is idempotent; closed sessions refuse passings', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { deviceid } = await client.bindDevice({ model: 'M', serial_number: 'S' })
    const first = await client.insertSession(deviceid, 'START-5K')
    const second = await client.insertSession(deviceid, 'FINISH-5K')
    expect(first).toMatch(HEX64)
    expect((await client.activeSession(deviceid))?.token_session).toBe(second)
    const list = await client.sessionsOfDevice(deviceid)
    expect(list.map(s => [s.token_session, s.alias, s.active])).toEqual([
      [first, 'START-5K', false],
      [second, 'FINISH-5K', true]
    ])
    const refused = await rejection(client.insertPassings(first, numberedPassings(1, 1)))
    expect(refused.kind).toBe('not-found')
    expect(refused.description).toBe('Session not found or closed')
    await client.closeSession(second)
    await client.closeSession(second)
    expect(await client.activeSession(deviceid)).toBeNull()
    expect((await client.sessionInfo(second)).active).toBe(false)
    expect((await rejection(client.closeSession('F'.repeat(64)))).description).toBe('Session not found')
  })

  it('reports counts, first and last passing times of a session', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { token } = await boundDeviceWithSession(client)
    const passings = numberedPassings(1, 5)
    await client.insertPassings(token, passings)
    const info = await client.sessionInfo(token)
    expect(info).toMatchObject({
      passings: 5,
      first: passings[0]?.timestamp,
      last: passings[4]?.timestamp,
      active: true,
      alias: 'FINISH'
    })
  })

  it('an empty device answers "Sessions not found", which the client returns as no sessions', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { deviceid } = await client.bindDevice({ model: 'M', serial_number: 'S' })
    expect(await client.sessionsOfDevice(deviceid)).toEqual([])
    expect(await client.activeSession(deviceid)).toBeNull()
  })
})

describe('passings', () => {
  it('counts duplicates on (token_session, num_passing), also inside one batch', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { token } = await boundDeviceWithSession(client)
    expect(await client.insertPassings(token, numberedPassings(1, 3))).toMatchObject({
      inserted_count: 3,
      duplicate_count: 0
    })
    const again = await client.insertPassings(token, [...numberedPassings(2, 4), ...numberedPassings(4, 4)])
    expect(again).toMatchObject({ inserted_count: 1, duplicate_count: 3 })
    expect((await client.sessionPassings(token)).map(p => p.num_passing)).toEqual([1, 2, 3, 4])
  })

  it('in legacy mode stores a resent passing twice and omits duplicate_count', async () => {
    const cloud = await emulator({ legacy: true })
    const client = clientFor(cloud)
    const { token } = await boundDeviceWithSession(client)
    await client.insertPassings(token, numberedPassings(1, 2))
    const again = await client.insertPassings(token, numberedPassings(2, 2))
    expect(again.inserted_count).toBe(1)
    expect(again.duplicate_count).toBeUndefined()
    expect((await client.sessionPassings(token)).map(p => p.num_passing)).toEqual([1, 2, 2])
  })

  it('returns every field in the documented order, with absent optionals as null and coordinates as sent', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { token, deviceid } = await boundDeviceWithSession(client)
    await client.insertPassings(token, [
      { bib: '7', num_passing: 1, timestamp: '2023-01-22T09:20:25.000Z' },
      {
        bib: '17',
        num_passing: 2,
        timestamp: '2023-01-22T09:21:33Z',
        timezone: 'UTC',
        latitude: '12.000',
        longitude: 13.5,
        status: 'Sent',
        participant_id: 'XB123AR8',
        chip: '000000000000017'
      }
    ])
    const raw = await fetch(`${cloud.apiUrl}/passings/session/${token}`, {
      headers: { api_key: KEYS.read.apiKey }
    })
    const text = await raw.text()
    expect(text).toBe(
      `{"description":"Success","result":[` +
        `{"token_session":"${token}","timestamp":"2023-01-22T09:20:25.000Z","num_passing":1,"latitude":null,"longitude":null,"status":null,"participant_id":null,"chip":null,"bib":"7","timezone":null,"gender":null,"deviceid":"${deviceid}"},` +
        `{"token_session":"${token}","timestamp":"2023-01-22T09:21:33.000Z","num_passing":2,"latitude":"12.000","longitude":13.5,"status":"Sent","participant_id":"XB123AR8","chip":"000000000000017","bib":"17","timezone":"UTC","gender":null,"deviceid":"${deviceid}"}]}`
    )
  })

  it.each([0, 1, 4999, 5000, 5001, 10001])(
    'walks a session of %i passings page by page, in order',
    async count => {
      const cloud = await emulator()
      const client = clientFor(cloud)
      const { token } = await boundDeviceWithSession(client)
      await insertAll(client, token, numberedPassings(1, count))
      const pages = []
      for await (const page of sessionPassingPages(client, token)) pages.push(page.length)
      expect(pages.reduce((a, b) => a + b, 0)).toBe(count)
      expect(pages).toEqual(
        Array.from({ length: Math.ceil(count / 5000) }, (_, i) => Math.min(5000, count - i * 5000))
      )
      const all = await collectPages(sessionPassingPages(client, token))
      expect(all.every((p, i) => p.num_passing === i + 1)).toBe(true)
    }
  )

  it('treats range bounds as inclusive, either one open, and first > last as empty', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { token } = await boundDeviceWithSession(client)
    await client.insertPassings(token, numberedPassings(1, 20))
    const nums = async (range: { first?: number; last?: number }) =>
      (await collectPages(sessionPassingPages(client, token, range))).map(p => p.num_passing)
    expect(await nums({ first: 5, last: 7 })).toEqual([5, 6, 7])
    expect(await nums({ first: 18 })).toEqual([18, 19, 20])
    expect(await nums({ last: 2 })).toEqual([1, 2])
    expect(await nums({ first: 9, last: 3 })).toEqual([])
    const beyond = await fetch(`${cloud.apiUrl}/passings/session/${token}?page=2`, {
      headers: { api_key: KEYS.read.apiKey }
    })
    expect(beyond.status).toBe(404)
    expect(await beyond.text()).toBe(`{"description":"Passings not found","token_session":"${token}"}`)
  })

  it('reads a device’s passings across sessions by timestamp, then num_passing, with inclusive dates', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { deviceid, token: first } = await boundDeviceWithSession(client)
    const base = Date.UTC(2026, 0, 1, 10)
    const at = (s: number) => new Date(base + s * 1000).toISOString()
    await client.insertPassings(first, [
      { bib: 'a', num_passing: 1, timestamp: at(30) },
      { bib: 'b', num_passing: 2, timestamp: at(10) }
    ])
    const second = await client.insertSession(deviceid, 'LAP')
    await client.insertPassings(second, [
      { bib: 'c', num_passing: 2, timestamp: at(20) },
      { bib: 'd', num_passing: 1, timestamp: at(10) }
    ])
    const all = await collectPages(devicePassingPages(client, deviceid))
    expect(all.map(p => p.bib)).toEqual(['d', 'b', 'c', 'a'])
    const window = await collectPages(devicePassingPages(client, deviceid, { from: at(10), to: at(20) }))
    expect(window.map(p => p.bib)).toEqual(['d', 'b', 'c'])
    expect(await client.devicePassings(deviceid, { from: at(40) })).toEqual([])
  })

  it('polls with device2: resumes after `last`, then moves to a newer session from its start', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { deviceid, token } = await boundDeviceWithSession(client)
    await client.insertPassings(token, numberedPassings(1, 5))
    const resumed = await client.pollDevicePassings(deviceid, { token_session: token, last: 3 })
    expect(resumed.session_used).toBe(token)
    expect(resumed.resumed_from).toBe(3)
    expect(resumed.passings.map(p => p.num_passing)).toEqual([4, 5])
    const next = await client.insertSession(deviceid, 'NEXT')
    await client.insertPassings(next, numberedPassings(1, 2))
    const moved = await client.pollDevicePassings(deviceid, { token_session: token, last: 5 })
    expect(moved.session_used).toBe(next)
    expect(moved.session_label).toBe('NEXT')
    expect(moved.passings.map(p => p.num_passing)).toEqual([1, 2])
  })
})

describe('bad input', () => {
  it('answers 400 with a description and never half-applies a batch', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { token } = await boundDeviceWithSession(client)
    const post = (body: string) =>
      fetch(`${cloud.apiUrl}/passings`, { method: 'POST', headers: { api_key: KEYS.admin.apiKey }, body })
    const cases: Array<[string, string]> = [
      ['{"token_session":', 'Malformed JSON body'],
      [JSON.stringify({ token_session: token }), 'Missing required parameters'],
      [JSON.stringify({ token_session: token, passings_list: [] }), 'Invalid parameter: passings_list'],
      [
        JSON.stringify({
          token_session: token,
          passings_list: [{ bib: '1', num_passing: 1, timestamp: 'yesterday' }]
        }),
        'Invalid parameter: passings_list[0].timestamp'
      ],
      [
        JSON.stringify({
          token_session: token,
          passings_list: [{ bib: 1, num_passing: 1, timestamp: '2026-01-01T00:00:00Z' }]
        }),
        'Invalid parameter: passings_list[0].bib'
      ],
      [
        JSON.stringify({
          token_session: token,
          passings_list: [
            ...numberedPassings(1, 3),
            { bib: '4', num_passing: 'four', timestamp: '2026-01-01T00:00:00Z' }
          ]
        }),
        'Invalid parameter: passings_list[3].num_passing'
      ]
    ]
    for (const [body, description] of cases) {
      const response = await post(body)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ description })
    }
    expect(cloud.store.dump().passings).toBe(0)
    const error = await rejection(client.insertPassings(token, [{ bib: '', num_passing: 1, timestamp: 'x' }]))
    expect(error.kind).toBe('bad-request')
    expect(error.description).toBe('Missing required parameters')
  })

  it('answers 413 above the body limit and keeps serving', async () => {
    const cloud = await emulator({ maxBodyBytes: 2000 })
    const client = clientFor(cloud)
    const { token } = await boundDeviceWithSession(client)
    const error = await rejection(client.insertPassings(token, numberedPassings(1, 100)))
    expect(error.kind).toBe('payload-too-large')
    expect(error.status).toBe(413)
    expect((await client.insertPassings(token, numberedPassings(1, 2))).inserted_count).toBe(2)
  })

  it('answers 400 for a bad query parameter', async () => {
    const cloud = await emulator()
    const client = clientFor(cloud)
    const { token } = await boundDeviceWithSession(client)
    const error = await rejection(client.sessionPassings(token, { page: 0 }))
    expect(error.kind).toBe('bad-request')
    expect(error.description).toBe('Invalid parameter: page')
  })
})

describe('wire compatibility', () => {
  it('serves the {"body": …} envelope when asked, and the client reads it unchanged', async () => {
    const cloud = await emulator({ envelope: true })
    const client = clientFor(cloud)
    const { deviceid, token } = await boundDeviceWithSession(client)
    await client.insertPassings(token, numberedPassings(1, 2))
    expect((await client.sessionPassings(token)).length).toBe(2)
    expect((await client.bindDevice({ model: 'M', serial_number: 'again' })).alreadyBound).toBe(false)
    expect((await client.deviceInfo(deviceid)).deviceid).toBe(deviceid)
    const raw = await fetch(`${cloud.apiUrl}/sessions/${token}`, { headers: { api_key: KEYS.read.apiKey } })
    expect(await raw.text()).toMatch(/^\{"body":\{"description":"Success","result":\[/)
    expect((await rejection(client.sessionInfo('0'.repeat(64)))).description).toBe('Session not found')
  })

  it('works with a client like the public Java one: x-api-key, one passing per request, naive string search', async () => {
    const cloud = await emulator()
    const headers = { 'Content-Type': 'application/json', 'x-api-key': KEYS.write.apiKey }
    const field = (text: string, name: string) => {
      const marker = `"${name}":"`
      const start = text.indexOf(marker) + marker.length
      return text.slice(start, text.indexOf('"', start))
    }
    const bind = await fetch(`${cloud.apiUrl}/devices`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        type: 'CUSTOM_CHRONO',
        model: 'TimingSoft',
        serial_number: 'TS-1',
        alias: 'Line'
      })
    })
    expect(bind.status).toBe(201)
    const deviceid = field(await bind.text(), 'deviceid')
    expect(deviceid).toMatch(HEX64)
    const rebind = await fetch(`${cloud.apiUrl}/devices`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        type: 'CUSTOM_CHRONO',
        model: 'TimingSoft',
        serial_number: 'TS-1',
        alias: 'Line'
      })
    })
    expect(rebind.status).toBe(409)
    expect(field(await rebind.text(), 'deviceid')).toBe(deviceid)
    const session = await fetch(`${cloud.apiUrl}/sessions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ deviceid, alias: 'TimingSoft' })
    })
    const token = field(await session.text(), 'token_session')
    for (const n of [7, 8, 9]) {
      const response = await fetch(`${cloud.apiUrl}/passings`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          token_session: token,
          passings_list: [{ timestamp: '2026-11-28T10:00:00.000Z', num_passing: n, bib: 'E2801160600002' }]
        })
      })
      expect(response.status).toBe(201)
      expect(await response.text()).toBe(
        `{"description":"Passings inserted succesfully","token_session":"${token}","inserted_count":1,"duplicate_count":0}`
      )
    }
    const read = await clientFor(cloud, KEYS.read).sessionPassings(token)
    expect(read.map(p => p.num_passing)).toEqual([7, 8, 9])
  })
})
