import { describe, expect, it } from 'vitest'
import { StationService } from '../../src/core/app/station-service'
import { NotPossible } from '../../src/core/not-possible'
import type { Station } from '../../src/core/station/station'
import type { AdminRequests } from '../../src/emulator/server'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { lines, openStation } from '../helpers/station'

/** The service behind a headless station's screens, with the key given on its command line. */
function screenService(station: Station, apiUrl: string): StationService {
  return new StationService({
    station,
    runtime: 'headless',
    apiUrl,
    keySet: true,
    keyStorage: 'command-line'
  })
}

describe('cloud reads asked for by a screen', () => {
  it("read this station's own cloud sessions, and never another session of the company with the station's key", async () => {
    const cloud = await emulator()
    // Another device of the same company, with a session of its own in the cloud.
    const other = clientFor(cloud, KEYS.readWrite)
    const otherDevice = await other.bindDevice({ serial_number: 'OTHER-1', model: 'x' })
    const otherToken = await other.insertSession(otherDevice.deviceid, 'THEIRS')

    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(11, 12))
    await log.untilSynced(2)
    const service = screenService(station, cloud.apiUrl)
    const own = station.currentSession().token ?? ''
    expect((await service.cloudSessionPassings(own)).map(p => p.bib)).toEqual(['11', '12'])
    await expect(service.cloudSessionPassings(otherToken)).rejects.toThrow(/not one of this station/)
  })
})

describe('the request ceiling, with a screen flooding cloud reads while the station uploads', () => {
  it('the cloud never sees more than 10 requests in a second; every passing goes up; reads past the ceiling are refused with cloud.station-busy', async () => {
    const cloud = await emulator()
    // Small batches, so the upload takes many requests and the flood meets it.
    const { station, log } = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      batchSize: 5
    })
    const service = screenService(station, cloud.apiUrl)
    station.ingest('p', lines(...Array.from({ length: 100 }, (_, i) => 1000 + i)))
    await log.until(() => station.currentSession().token !== null, 'the cloud session')
    const token = station.currentSession().token ?? ''
    const outcomes: string[] = []
    // A screen (or several) asks again and again: 30 reads every 50 ms until the upload is done.
    const flood = (async () => {
      while (log.lastSync()?.synced !== 100) {
        for (let i = 0; i < 30; i += 1) {
          service.cloudSessionPassings(token).then(
            () => outcomes.push('answered'),
            (error: unknown) =>
              outcomes.push(error instanceof NotPossible ? error.reason.code : `other: ${String(error)}`)
          )
        }
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    })()
    await log.untilSynced(100, 60_000)
    await flood
    // Every read ends: answered, or refused out loud; none hangs past the few seconds a screen may wait.
    await expect.poll(() => outcomes.length, { timeout: 10_000 }).toBeGreaterThan(0)
    const asked = outcomes.length
    const requests = (await (await fetch(`${cloud.rootUrl}/admin/requests`)).json()) as AdminRequests
    const peak = Math.max(...requests.perSecond.map(([, count]) => count))
    expect(peak, JSON.stringify(requests.perSecond)).toBeLessThanOrEqual(10)
    expect(outcomes.filter(o => o !== 'answered' && o !== 'cloud.station-busy')).toEqual([])
    expect(outcomes.filter(o => o === 'cloud.station-busy').length).toBeGreaterThan(asked / 2)
    expect(station.ceiling.counts().refused.sync).toBe(0)
  })
})

describe("the setup screen's key check, pressed again and again", () => {
  it('goes through the same ceiling: the cloud never sees more than 10 requests in a second', async () => {
    const cloud = await emulator()
    const { station } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    const service = screenService(station, cloud.apiUrl)
    // Each check is three requests; twenty at once would be sixty in the same second.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        service.checkKey(cloud.apiUrl, KEYS.readWrite.apiKey).then(
          permissions => (permissions.reachable ? 'answered' : 'unreachable'),
          (error: unknown) => (error instanceof NotPossible ? error.reason.code : `other: ${String(error)}`)
        )
      )
    )
    const requests = (await (await fetch(`${cloud.rootUrl}/admin/requests`)).json()) as AdminRequests
    const peak = Math.max(...requests.perSecond.map(([, count]) => count))
    expect(peak, JSON.stringify(requests.perSecond)).toBeLessThanOrEqual(10)
    expect(outcomes.filter(o => o !== 'answered' && o !== 'cloud.station-busy')).toEqual([])
    expect(outcomes).toContain('answered')
  })
})
