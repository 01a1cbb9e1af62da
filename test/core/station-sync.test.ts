import { describe, expect, it } from 'vitest'
import { collectPages, sessionPassingPages } from '../../src/core/rufus/paging'
import { startEmulator } from '../../src/emulator/server'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { closeStation, lines, openStation, tempFolder } from '../helpers/station'

async function cloudPassings(cloud: { apiUrl: string }, token: string) {
  return collectPages(sessionPassingPages(clientFor(cloud, KEYS.read), token))
}

describe('station sync', () => {
  it('captures from the first second while offline, and uploads the backlog when the cloud appears', async () => {
    const probe = await startEmulator({ port: 0, keys: [] })
    const port = probe.port
    await probe.close()
    const { station, log } = openStation({
      apiUrl: `http://127.0.0.1:${port}/v0`,
      apiKey: KEYS.readWrite.apiKey
    })
    station.ingest('COM3', lines(11, 12, 13))
    await log.until(() => log.of('passing').length === 3, '3 captured passings')
    await log.until(() => log.lastSync()?.online === false, 'offline')
    expect(log.lastSync()?.lastError).toMatch(/refused the connection/)
    expect(log.lastSync()?.pending).toBe(3)

    const data = tempFolder('rufus-cloud-')
    const cloud = await startEmulator({ port, keys: Object.values(KEYS), dataDir: data })
    try {
      await log.untilSynced(3)
      const session = station.currentSession()
      expect(session.cloudState).toBe('attached')
      const cloudSide = await cloudPassings(cloud, session.token ?? '')
      expect(cloudSide.map(p => [p.num_passing, p.bib])).toEqual([
        [1, '11'],
        [2, '12'],
        [3, '13']
      ])
      expect(log.lastSync()?.online).toBe(true)
    } finally {
      await closeStation(station)
      await cloud.close()
    }
  })

  it('a duplicate number hiding a different passing is a loud conflict, never marked synced', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1, 2, 3))
    await log.untilSynced(3)
    await station.stopSync()
    const token = station.currentSession().token ?? ''
    await clientFor(cloud).insertPassings(token, [
      { bib: '999', num_passing: 4, timestamp: '2026-01-01T00:00:00.000Z' }
    ])
    station.ingest('p', lines(4, 5))
    await log.until(() => log.of('passing').length === 5, '5 captured')
    station.startSync()
    await log.until(
      () => log.lastSync()?.conflict === 1 && log.lastSync()?.synced === 4,
      'one conflict, four synced'
    )
    const conflict = station.records.passingsOfSession(station.currentSession().id).find(p => p.num === 4)
    expect(conflict).toMatchObject({ state: 'conflict', bib: '4' })
    expect(conflict?.note).toMatchObject({
      code: 'sync.note.conflict',
      params: { num: 4, bib: '999', chip: null, timestamp: '2026-01-01T00:00:00.000Z' }
    })
    expect(log.of('error').some(e => /Conflict/.test(e.message))).toBe(true)
  })

  it('isolates a refused passing by bisection, quarantines it with the reason, and sends the rest', async () => {
    const cloud = await emulator({ faults: { rejectBibPattern: '^BAD$' } })
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey, sync: false })
    station.ingest('p', lines(...Array.from({ length: 40 }, (_, i) => (i === 26 ? 'BAD' : String(i + 1)))))
    await log.until(() => log.of('passing').length === 40, '40 captured')
    station.startSync()
    await log.until(
      () => log.lastSync()?.quarantined === 1 && log.lastSync()?.synced === 39,
      '39 synced, 1 quarantined'
    )
    const bad = station.records.passingsOfSession(station.currentSession().id).find(p => p.bib === 'BAD')
    expect(bad).toMatchObject({
      num: 27,
      state: 'quarantined',
      note: { code: 'sync.note.refused', params: { reason: 'Invalid parameter: passings_list[0].bib' } }
    })
    expect((await cloudPassings(cloud, station.currentSession().token ?? '')).length).toBe(39)
  })

  it('halves the batch on 413 and still sends everything', async () => {
    const cloud = await emulator({ maxBodyBytes: 4000 })
    const { station, log } = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      batchSize: 500,
      sync: false
    })
    station.ingest('p', lines(...Array.from({ length: 200 }, (_, i) => i + 1)))
    await log.until(() => log.of('passing').length === 200, '200 captured')
    station.startSync()
    await log.untilSynced(200)
    expect(station.uploadBatchSize).toBeLessThan(500)
    expect((await cloudPassings(cloud, station.currentSession().token ?? '')).length).toBe(200)
  })

  it('stops on a revoked key with a plain message, keeps every passing, and resumes with a valid key', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    cloud.store.revokeKey(KEYS.readWrite.apiKey)
    station.ingest('p', lines(2, 3))
    await log.until(() => log.lastSync()?.blocked?.kind === 'key-refused', 'blocked on the key')
    expect(log.lastSync()).toMatchObject({ pending: 2, synced: 1 })
    expect(log.lastSync()?.blocked?.action).toMatch(/valid API key/)
    cloud.store.upsertKey(KEYS.readWrite)
    station.resumeSync()
    await log.untilSynced(3)
  })

  it('with a WRITE-only key says exactness rests on the cloud and still uploads', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.write.apiKey })
    station.ingest('p', lines(1, 2))
    await log.untilSynced(2)
    expect(log.lastSync()?.canRead).toBe(false)
    expect(log.of('warning').some(w => /exactness rests on the cloud/.test(w.message))).toBe(true)
  })

  it('session closed elsewhere: blocks with an action, then continues in a new cloud session keeping numbers', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1, 2))
    await log.untilSynced(2)
    const first = station.currentSession().token ?? ''
    await clientFor(cloud, KEYS.admin).closeSession(first)
    station.ingest('p', lines(3, 4))
    await log.until(() => log.lastSync()?.blocked?.kind === 'closed-elsewhere', 'closed-elsewhere block')
    expect(log.lastSync()?.blocked?.message).toMatch(/closed from elsewhere while 2 passings wait/)
    station.continueInNewCloudSession(station.currentSession().id)
    await log.untilSynced(4)
    const second = station.currentSession().token ?? ''
    expect(second).not.toBe(first)
    expect((await cloudPassings(cloud, second)).map(p => p.num_passing)).toEqual([3, 4])
    expect((await cloudPassings(cloud, first)).map(p => p.num_passing)).toEqual([1, 2])
  })

  it('with --on-closed-elsewhere new-session it continues by itself', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      onClosedElsewhere: 'new-session'
    })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    await clientFor(cloud).closeSession(station.currentSession().token ?? '')
    station.ingest('p', lines(2))
    await log.untilSynced(2)
    expect(
      (await cloudPassings(cloud, station.currentSession().token ?? '')).map(p => p.num_passing)
    ).toEqual([2])
  })

  it('device unbound elsewhere: blocks, then binds again and uploads everything again', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1, 2, 3))
    await log.untilSynced(3)
    const oldDevice = station.records.device()?.deviceid ?? ''
    await clientFor(cloud, KEYS.admin).unbindDevice(oldDevice)
    station.ingest('p', lines(4))
    await log.until(() => log.lastSync()?.blocked?.kind === 'device-unbound', 'device-unbound block')
    expect(log.lastSync()?.blocked?.action).toMatch(/bind the device again/)
    station.rebindAndReupload()
    await log.untilSynced(4)
    const newDevice = station.records.device()?.deviceid ?? ''
    expect(newDevice).not.toBe(oldDevice)
    expect(
      (await cloudPassings(cloud, station.currentSession().token ?? '')).map(p => p.num_passing)
    ).toEqual([1, 2, 3, 4])
  })

  it('refuses to unbind from this station while passings are unsynced', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.admin.apiKey, sync: false })
    station.ingest('p', lines(1))
    await log.until(() => log.of('passing').length === 1, 'captured')
    await expect(station.unbindDevice()).rejects.toThrow(/1 passings are not in the cloud yet/)
  })

  it('a reinstall adopting the cloud session continues numbering after the cloud’s highest', async () => {
    const cloud = await emulator()
    const first = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      deviceSerial: 'FINISH-LAPTOP'
    })
    first.station.ingest('p', lines(1, 2, 3))
    await first.log.untilSynced(3)
    const token = first.station.currentSession().token ?? ''
    await closeStation(first.station)
    // A new installation (lost journal) with the same device serial.
    const second = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      deviceSerial: 'FINISH-LAPTOP',
      adoptActiveSession: true,
      sync: false
    })
    second.station.ingest('p', lines(7, 8))
    await second.log.until(() => second.log.of('passing').length === 2, 'captured after reinstall')
    second.station.startSync()
    await second.log.untilSynced(2)
    expect(second.station.currentSession()).toMatchObject({ token, cloudOffset: 3 })
    expect((await cloudPassings(cloud, token)).map(p => [p.num_passing, p.bib])).toEqual([
      [1, '1'],
      [2, '2'],
      [3, '3'],
      [4, '7'],
      [5, '8']
    ])
  })

  it('opens sessions offline and creates them in the cloud strictly in order, draining each first', async () => {
    const probe = await startEmulator({ port: 0, keys: [] })
    const port = probe.port
    await probe.close()
    const { station, log } = openStation({
      apiUrl: `http://127.0.0.1:${port}/v0`,
      apiKey: KEYS.readWrite.apiKey,
      sessionAlias: 'LAP1'
    })
    station.ingest('p', lines(1, 2))
    await log.until(() => log.of('passing').length === 2, 'lap 1 captured')
    station.openSession('LAP2')
    station.ingest('p', lines(3))
    await log.until(() => log.of('passing').length === 3, 'lap 2 captured')
    const cloud = await startEmulator({ port, keys: Object.values(KEYS) })
    try {
      await log.untilSynced(3)
      const sessions = station.records.sessions()
      expect(sessions.map(s => s.cloudState)).toEqual(['closed', 'attached'])
      const listed = await clientFor(cloud).sessionsOfDevice(station.records.device()?.deviceid ?? '')
      expect(listed.map(s => [s.alias?.replace(/ \[.*\]$/, ''), s.active, s.passings])).toEqual([
        ['LAP1', false, 2],
        ['LAP2', true, 1]
      ])
    } finally {
      await closeStation(station)
      await cloud.close()
    }
  })

  it('reports the laptop clock offset against the cloud and warns when it is large', async () => {
    const cloud = await emulator({ now: () => Date.now() + 60_000 })
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    const clock = log.of('clock').at(-1)
    expect(Math.abs((clock?.offsetMs ?? 0) - 60_000)).toBeLessThanOrEqual(1000)
    expect(log.of('warning').some(w => /about 60 s behind RUFUS Cloud/.test(w.message))).toBe(true)
  })
})
