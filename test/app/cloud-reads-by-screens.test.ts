import { describe, expect, it } from 'vitest'
import { StationService } from '../../src/core/app/station-service'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { lines, openStation } from '../helpers/station'

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
    const service = new StationService({
      station,
      runtime: 'headless',
      apiUrl: cloud.apiUrl,
      keySet: true,
      keyStorage: 'command-line'
    })
    const own = station.currentSession().token ?? ''
    expect((await service.cloudSessionPassings(own)).map(p => p.bib)).toEqual(['11', '12'])
    await expect(service.cloudSessionPassings(otherToken)).rejects.toThrow(/not one of this station/)
  })
})
