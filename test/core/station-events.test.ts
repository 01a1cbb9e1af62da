import { describe, expect, it } from 'vitest'
import { emulator, KEYS } from '../helpers/emulator'
import { serviceOf } from '../helpers/screen-server'
import { lines, openOfflineStation, openStation } from '../helpers/station'

// The device and sessions are reported when they change, by whoever changes them (the station, a screen, the
// sync engine), instead of being looked for at each sync summary by comparing what was last seen.

describe('state changes reported as they happen', () => {
  it('a session opened is reported once, not again at the next sync summary', async () => {
    const { station, log } = openOfflineStation({ sessionAlias: 'WAVE 1' })
    const opened = station.openSession('WAVE 2')
    station.ingest('p', lines(7))
    await log.until(() => log.lastSync()?.pending === 1, 'the summary counting the passing')
    expect(log.of('session').filter(e => e.id === opened.id)).toEqual([
      { type: 'session', id: opened.id, alias: 'WAVE 2', token: null, cloudState: 'none', closed: false }
    ])
    // The device was reported at start, and has not changed since.
    expect(log.of('device')).toHaveLength(1)
  })

  it('a device chosen on a screen is reported at once, even with sync off', () => {
    const { station, log } = openOfflineStation({ deviceSerial: 'RS-CHOSEN' })
    const service = serviceOf(station)
    expect(service.useDevice('d-123')).toBeNull()
    expect(log.of('device').at(-1)).toEqual({ type: 'device', serialNumber: 'RS-CHOSEN', deviceid: 'D-123' })
    // Using the same device again changes nothing, and says nothing.
    const before = log.events.length
    service.useDevice('D-123')
    expect(log.events).toHaveLength(before)
  })

  it('sync linking a session to the cloud, and closing it there after a local close, is reported', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    const session = station.currentSession()
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    const token = station.records.session(session.id)?.token ?? ''
    expect(token).not.toBe('')
    expect(log.of('session')).toContainEqual(
      expect.objectContaining({ id: session.id, token, cloudState: 'attached', closed: false })
    )
    expect(log.of('device').at(-1)?.deviceid).toBe(station.records.device()?.deviceid)
    station.closeSession()
    // The session is no longer the open one: it is still reported when the cloud closes it.
    await log.until(
      () => log.of('session').some(e => e.id === session.id && e.cloudState === 'closed' && e.closed),
      'the cloud session closed'
    )
  })
})
