import { describe, expect, it } from 'vitest'
import { readWholeSession } from '../../src/core/sync/range-read'
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/server'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { loopbackServer } from '../helpers/loopback'
import { lines, openStation } from '../helpers/station'

// Issue 14 against real parts: the station (real journal file, real sync engine, real client) uploading to the real
// emulator over loopback HTTP, the emulator reading the docs another way (a quirk). One case of each reading the
// emulator can play; the fake-time tests (`sync-readings.test.ts`) hold the exact pauses and counts.

async function cloudRows(cloud: RunningEmulator, token: string) {
  return (await readWholeSession(clientFor(cloud, KEYS.read), token)).passings
}

function bibsOf(rows: ReadonlyArray<{ bib: string }>): string[] {
  return rows.map(row => row.bib).sort((a, b) => Number(a) - Number(b))
}

/**
 * Venue Wi-Fi in front of the cloud: a loopback server that passes requests on, or (`after`) passes them on and
 * answers its own HTML login page instead of the cloud's answer. It counts what it answered with HTML.
 */
async function portalBefore(cloud: RunningEmulator) {
  const portal = { mode: 'pass' as 'pass' | 'after', htmlAnswers: 0, url: '' }
  const { apiUrl } = await loopbackServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name]) => !['host', 'connection', 'content-length'].includes(name)
        )
      ) as Record<string, string>
      const body = chunks.length > 0 ? Buffer.concat(chunks).toString() : undefined
      void fetch(`${cloud.rootUrl}${request.url ?? ''}`, { method: request.method, headers, body }).then(
        async answer => {
          const text = await answer.text()
          if (portal.mode === 'after') {
            portal.htmlAnswers += 1
            response.writeHead(200, { 'Content-Type': 'text/html' })
            response.end('<!DOCTYPE html><html><body>Welcome to Venue Wi-Fi. Log in.</body></html>')
            return
          }
          response.writeHead(answer.status, { 'Content-Type': 'application/json' })
          response.end(text)
        },
        () => response.destroy()
      )
    })
  })
  portal.url = apiUrl
  return portal
}

describe('the station against each reading the emulator plays', () => {
  it('`--quirk no-insert-counts` with `--legacy`: every passing once, settled by reading back, never resent', async () => {
    const cloud = await emulator({ legacy: true, quirks: ['no-insert-counts'] })
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(...Array.from({ length: 20 }, (_, i) => 101 + i)))
    await log.untilSynced(20)
    station.ingest('p', lines(121, 122, 123))
    await log.untilSynced(23)

    const rows = await cloudRows(cloud, station.currentSession().token ?? '')
    expect(bibsOf(rows)).toEqual(Array.from({ length: 23 }, (_, i) => String(101 + i)))
    expect(log.lastSync()).toMatchObject({ conflict: 0, quarantined: 0, blocked: null })
  })

  it.each<[string, Partial<EmulatorOptions>]>([
    ['`--envelope`', { envelope: true }],
    ['`--quirk created-200`', { quirks: ['created-200'] }],
    ['`--quirk pretty-json`', { quirks: ['pretty-json'] }],
    ['`--quirk zoneless-timestamps`', { quirks: ['zoneless-timestamps'] }],
    ['`--quirk strict-fields` (the station sends only documented fields)', { quirks: ['strict-fields'] }]
  ])('%s: every passing once, nothing refused', async (_name, reading) => {
    const cloud = await emulator(reading)
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1, 2, 3))
    await log.untilSynced(3)
    expect(bibsOf(await cloudRows(cloud, station.currentSession().token ?? ''))).toEqual(['1', '2', '3'])
    expect(log.lastSync()).toMatchObject({ quarantined: 0, conflict: 0, blocked: null })
  })

  it('every batch read back (no counts, `--legacy`) over 0-based pages of 1000 with exclusive bounds: once each', async () => {
    const quirks = ['no-insert-counts', 'pages-from-0', 'pages-of-1000', 'exclusive-bounds']
    const cloud = await emulator({ legacy: true, quirks })
    const { station, log } = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      batchSize: 2500,
      sync: false
    })
    const bibs = Array.from({ length: 2400 }, (_, i) => 1001 + i)
    station.ingest('p', lines(...bibs))
    await log.until(() => log.of('passing').length === 2400, '2400 captured')
    station.startSync()
    await log.untilSynced(2400)
    const rows = await cloudRows(cloud, station.currentSession().token ?? '')
    expect(rows).toHaveLength(2400)
    expect(new Set(rows.map(row => row.num_passing)).size).toBe(2400)
    expect(cloud.stats.insertPassingsRequests).toBe(1)
  })

  it('`--quirk session-expires`: the cloud closing the session by itself is closed elsewhere, and the policy goes on', async () => {
    let nowMs = Date.now()
    const cloud = await emulator({ quirks: ['session-expires=600'], now: () => nowMs })
    const { station, log } = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      onClosedElsewhere: 'new-session'
    })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    const first = station.currentSession().token ?? ''
    nowMs += 601_000
    station.ingest('p', lines(2))
    await log.untilSynced(2)
    const second = station.currentSession().token ?? ''
    expect(second).not.toBe(first)
    expect(bibsOf(await cloudRows(cloud, first))).toEqual(['1'])
    expect(bibsOf(await cloudRows(cloud, second))).toEqual(['2'])
    expect(log.of('warning').map(e => e.code)).toContain('sync.closed-elsewhere-continuing')
  })

  it('`--quirk dedupe-bib`: the second passing of a bib is tried once more, then a conflict with the evidence', async () => {
    const cloud = await emulator({ quirks: ['dedupe-bib'] })
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(7, 8, 7))
    await log.until(
      () => log.lastSync()?.synced === 2 && log.lastSync()?.conflict === 1,
      '2 synced, 1 conflict'
    )
    station.ingest('p', lines(9))
    await log.untilSynced(3)

    const third = station.records.passingsOfSession(station.currentSession().id).find(p => p.num === 3)
    expect(third).toMatchObject({ state: 'conflict', note: { code: 'sync.note.duplicate-unseen' } })
    expect(log.of('error').map(e => e.message)).toEqual([
      expect.stringMatching(/^Conflict: RUFUS Cloud answered/)
    ])
    expect(bibsOf(await cloudRows(cloud, station.currentSession().token ?? ''))).toEqual(['7', '8', '9'])
    expect(cloud.stats.insertPassingsRequests).toBeLessThanOrEqual(5)
  })

  it('`--quirk dedupe-chip-time`: two typed passings in the same millisecond, the second taken for a duplicate', async () => {
    const cloud = await emulator({ quirks: ['dedupe-chip-time'] })
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    const atUs = station.clock.nowUs()
    await station.recordManual('41', atUs)
    await station.recordManual('42', atUs)
    await log.until(
      () => log.lastSync()?.synced === 1 && log.lastSync()?.conflict === 1,
      '1 synced, 1 conflict'
    )
    const second = station.records.passingsOfSession(station.currentSession().id).find(p => p.bib === '42')
    expect(second).toMatchObject({ state: 'conflict', note: { code: 'sync.note.duplicate-unseen' } })
    expect(bibsOf(await cloudRows(cloud, station.currentSession().token ?? ''))).toEqual(['41'])
  })

  it.each(['close-closed-404', 'close-closed-400'])(
    '`--quirk %s`: a close refused for a closed session counts as closed, and the next session uploads',
    async quirk => {
      const cloud = await emulator({ quirks: [quirk] })
      const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
      station.ingest('p', lines(1, 2))
      await log.untilSynced(2)
      const first = station.currentSession()
      // Closed before the station's own close: as a close applied whose answer was lost.
      await station.stopSync()
      await clientFor(cloud).closeSession(first.token ?? '')
      station.openSession('WAVE 2')
      station.ingest('p', lines(3, 4))
      await log.until(() => log.of('passing').length === 4, '4 captured')
      station.startSync()
      await log.untilSynced(4)

      expect(station.records.session(first.id)?.cloudState).toBe('closed')
      expect(bibsOf(await cloudRows(cloud, station.currentSession().token ?? ''))).toEqual(['3', '4'])
      expect(log.lastSync()?.blocked).toBeNull()
    }
  )

  it('a late bib for a closed session waits while the live session runs, visibly, then goes up once it closes', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    const held = await station.recordManual(null)
    station.ingest('p', lines(101))
    await log.untilSynced(1)
    const first = station.currentSession()
    station.openSession('WAVE 2')
    station.ingest('p', lines(201))
    await log.untilSynced(2)
    const live = station.currentSession().token ?? ''

    station.fixBib(held.id, '102')
    await log.until(() => log.lastSync()?.waiting !== undefined, 'waiting for the live session')
    expect(log.lastSync()?.waiting).toMatch(/waits for the live session "WAVE 2" to end/)
    expect(log.of('info').filter(e => e.code === 'sync.waiting-for-live-session')).toHaveLength(1)
    station.ingest('p', lines(202))
    await log.until(() => log.lastSync()?.synced === 3, '202 up while the late one waits')
    expect((await clientFor(cloud).sessionInfo(live)).active).toBe(true)
    expect(log.lastSync()?.pending).toBe(1)

    station.closeSession()
    await log.untilSynced(4)
    const late = station.records.passing(held.id)
    expect(late?.cloudToken).not.toBe(first.token)
    expect(late?.cloudToken).not.toBe(live)
    expect(bibsOf(await cloudRows(cloud, late?.cloudToken ?? ''))).toEqual(['102'])
    expect(bibsOf(await cloudRows(cloud, live))).toEqual(['201', '202'])
    expect(log.lastSync()).toMatchObject({ blocked: null, conflict: 0 })
    expect(log.lastSync()?.waiting).toBeUndefined()
  })

  it('`--quirk x-api-key-only` (a proxy dropping `api_key`): the key arrives in `x-api-key`', async () => {
    const cloud = await emulator({ quirks: ['x-api-key-only'] })
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1, 2, 3))
    await log.untilSynced(3)
    expect(log.lastSync()).toMatchObject({ blocked: null, canRead: true })
  })

  it('`--quirk closed-insert-400`: a session closed elsewhere takes the session-gone path; nothing quarantined', async () => {
    const cloud = await emulator({ quirks: ['closed-insert-400'] })
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    await clientFor(cloud).closeSession(station.currentSession().token ?? '')
    station.ingest('p', lines(...Array.from({ length: 12 }, (_, i) => 2 + i)))
    await log.until(() => log.lastSync()?.blocked?.kind === 'closed-elsewhere', 'closed-elsewhere block')
    expect(log.lastSync()).toMatchObject({ quarantined: 0, pending: 12, synced: 1 })
  })

  it('`--quirk empty-list-wording`: after a create that failed with a 5xx, "No sessions" is read as none', async () => {
    const cloud = await emulator({ quirks: ['empty-list-wording'] })
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    const first = station.currentSession()
    station.closeSession()
    await log.until(() => station.records.session(first.id)?.cloudState === 'closed', 'the first closed')
    // The device has no active session now; the next create fails with a 5xx, which may have been applied.
    cloud.setFaults({ serverErrorShare: 1 })
    const second = station.openSession('WAVE 2')
    station.ingest('p', lines(2))
    // The fault is in the emulator, not in an event: look every few ms until the create has met it.
    while (cloud.stats.faults['server-error'] === 0) await new Promise(resolve => setTimeout(resolve, 5))
    cloud.setFaults({ serverErrorShare: 0 })
    expect(station.records.session(second.id)?.cloudState).toBe('creating')
    await log.untilSynced(2)
    expect(log.lastSync()?.blocked).toBeNull()
    expect(bibsOf(await cloudRows(cloud, station.currentSession().token ?? ''))).toEqual(['2'])
  })

  it('venue Wi-Fi answering HTML after passing the upload on: says so, never resends blind, settles once it goes', async () => {
    const cloud = await emulator({ legacy: true })
    const portal = await portalBefore(cloud)
    const { station, log } = openStation({
      apiUrl: portal.url,
      apiKey: KEYS.readWrite.apiKey,
      backoff: { baseMs: 20, maxMs: 200, factor: 2 }
    })
    station.ingest('p', lines(1))
    await log.untilSynced(1)

    portal.mode = 'after'
    station.ingest('p', lines(2, 3))
    await log.until(() => /not as RUFUS Cloud/.test(log.lastSync()?.lastError ?? ''), 'the portal named')
    // Nothing changes in the station's state while it tries again, so no event marks it: look every few ms.
    while (portal.htmlAnswers < 4) await new Promise(resolve => setTimeout(resolve, 5))
    expect(log.lastSync()).toMatchObject({ online: false, synced: 1, pending: 2 })

    portal.mode = 'pass'
    await log.untilSynced(3)
    expect(bibsOf(await cloudRows(cloud, station.currentSession().token ?? ''))).toEqual(['1', '2', '3'])
  })
})
