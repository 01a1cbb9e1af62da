import { describe, expect, it } from 'vitest'
import type { AdminRequests, RunningEmulator } from '../../src/emulator/server'
import { emulator, KEYS } from '../helpers/emulator'
import { JavaClientStandIn, javaLocalTimestamp, naiveField } from '../helpers/java-client'

// What the public Java client really sends (API reference §6), over real HTTP to the emulator: refused by the
// default reading (its timestamps carry no zone), accepted with `zoneless-timestamps` and read as UTC, so its
// passings land off by the laptop's UTC offset.

const T0 = Date.parse('2026-11-29T10:00:00.123Z')
/** A laptop in Central European Summer Time. */
const UTC_PLUS_2 = 120
const KEY = KEYS.readWrite.apiKey

/** A laptop clock that moves one second per reading. */
function laptopClock() {
  let now = T0
  return { utcOffsetMinutes: UTC_PLUS_2, now: () => new Date((now += 1000) - 1000) }
}

async function storedPassings(cloud: RunningEmulator, token: string) {
  const response = await fetch(`${cloud.apiUrl}/passings/session/${token}`, { headers: { 'x-api-key': KEY } })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('the public Java client (TasTimer) against the emulator', () => {
  it('formats LocalDateTime.now() as the client does: local wall time, a space, milliseconds, no zone', () => {
    expect(javaLocalTimestamp(new Date(T0), UTC_PLUS_2)).toBe('2026-11-29 12:00:00.123')
    expect(javaLocalTimestamp(new Date('2026-12-31T23:30:00.005Z'), 60)).toBe('2027-01-01 00:30:00.005')
    expect(naiveField('{"a":"x","token_session":"T1"}', 'token_session')).toBe('T1')
    expect(naiveField('{"token_session": "T1"}', 'token_session')).toBeNull()
  })

  it('by default: binds and opens a session, then every passing is refused with the documented 400 and nothing is stored', async () => {
    const cloud = await emulator()
    const client = new JavaClientStandIn(cloud.apiUrl, KEY, laptopClock())
    expect((await client.bind('TT-0001', 'Finish')).status).toBe(201)
    expect(client.deviceid).toMatch(/^[0-9A-F]{64}$/)

    const answer = await client.sendPassing('E2000017221101441890ABCD')
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.text)).toEqual({ description: 'Invalid parameter: passings_list[0].timestamp' })
    expect(client.logged).toEqual([answer])
    // The session was made lazily, just before the passing.
    expect(client.token).toMatch(/^[0-9A-F]{64}$/)
    const stored = await storedPassings(cloud, client.token ?? '')
    expect(stored.status).toBe(404)
    expect(stored.body['description']).toBe('Passings not found')
  })

  it('with zoneless-timestamps (and x-api-key only): one passing per request, each found by string search, stored as UTC', async () => {
    const cloud = await emulator({ quirks: ['zoneless-timestamps', 'x-api-key-only'] })
    const client = new JavaClientStandIn(cloud.apiUrl, KEY, laptopClock())
    await client.bind('TT-0002', 'Finish')
    // Bound again (a reinstall): the 409 is success to the client, and the id is found in its body.
    const again = new JavaClientStandIn(cloud.apiUrl, KEY, laptopClock())
    expect((await again.bind('TT-0002', 'Finish')).status).toBe(409)
    expect(again.deviceid).toBe(client.deviceid)

    const epcs = ['E200001', 'E200002', 'E200003']
    for (const epc of epcs) {
      const answer = await client.sendPassing(epc)
      expect(answer.status).toBe(201)
      expect(answer.text).toContain('"inserted_count":1')
      expect(naiveField(answer.text, 'token_session')).toBe(client.token)
    }
    const first = client.token ?? ''
    const rows = (await storedPassings(cloud, first)).body['result'] as Array<Record<string, unknown>>
    // Read as UTC: each passing is two hours later than the instant it was read.
    expect(rows.map(row => [row['num_passing'], row['bib'], row['chip'], row['timestamp']])).toEqual([
      [1, 'E200001', null, '2026-11-29T12:00:00.123Z'],
      [2, 'E200002', null, '2026-11-29T12:00:01.123Z'],
      [3, 'E200003', null, '2026-11-29T12:00:02.123Z']
    ])

    // The counter is the process's, not the session's: a new session goes on from 4.
    expect((await client.newSession()).status).toBe(201)
    expect(client.token).not.toBe(first)
    expect((await client.sendPassing('E200004')).status).toBe(201)
    const later = (await storedPassings(cloud, client.token ?? '')).body['result'] as Array<
      Record<string, unknown>
    >
    expect(later.map(row => row['num_passing'])).toEqual([4])
    expect(client.logged).toEqual([])

    const requests = (await (await fetch(`${cloud.rootUrl}/admin/requests`)).json()) as AdminRequests
    expect(requests.byRoute).toMatchObject({ 'POST /devices': 2, 'POST /sessions': 2, 'POST /passings': 4 })
  })

  it('finds nothing in a pretty-printed answer: the bind succeeds but the client never learns its device id', async () => {
    const cloud = await emulator({ quirks: ['zoneless-timestamps', 'pretty-json'] })
    const client = new JavaClientStandIn(cloud.apiUrl, KEY, laptopClock())
    const answer = await client.bind('TT-0003', 'Finish')
    expect(answer.status).toBe(201)
    expect(answer.text).toMatch(/"deviceid": "[0-9A-F]{64}"/)
    expect(client.deviceid).toBeNull()
  })
})
