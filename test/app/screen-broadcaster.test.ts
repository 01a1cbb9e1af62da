import { afterEach, describe, expect, it, vi } from 'vitest'
import { ScreenBroadcaster, UPDATE_PASSING_CAP } from '../../src/core/app/screen-broadcaster'
import type { Role, StationSnapshot, StationUpdate } from '../../src/shared/contract'
import { passingView } from '../helpers/passing-view'
import { serviceOf } from '../helpers/screen-server'
import { lines, openOfflineStation } from '../helpers/station'

const view = (id: number) => passingView(id)

/** A broadcaster whose snapshots are only their role (and are counted). */
function broadcaster() {
  const asked: Role[] = []
  const screens = new ScreenBroadcaster({
    snapshot: role => {
      asked.push(role)
      return { role } as StationSnapshot
    },
    intervalMs: 60_000
  })
  broadcasters.push(screens)
  return { screens, asked }
}

const broadcasters: ScreenBroadcaster[] = []
afterEach(() => {
  for (const screens of broadcasters.splice(0)) screens.stop()
  vi.restoreAllMocks()
})

describe('the screens broadcaster', () => {
  it('one subscription per screen: the same function subscribed twice is two screens, each with its role', () => {
    const { screens } = broadcaster()
    const got: StationUpdate[] = []
    const listener = (update: StationUpdate) => got.push(update)
    const first = screens.subscribe(listener, 'viewer')
    screens.subscribe(listener, 'station')
    expect(screens.screens).toBe(2)
    got.length = 0
    screens.passing(view(1))
    screens.flush()
    expect(got.map(u => u.snapshot.role).sort()).toEqual(['station', 'viewer'])
    // Unsubscribing one screen leaves the other.
    first()
    got.length = 0
    screens.passing(view(2))
    screens.flush()
    expect(got.map(u => u.snapshot.role)).toEqual(['station'])
  })

  it('each new screen starts with a snapshot of its own role and no passings', () => {
    const { screens } = broadcaster()
    const got: StationUpdate[] = []
    screens.subscribe(update => got.push(update), 'entry')
    expect(got).toEqual([{ snapshot: { role: 'entry' }, passings: [], dropped: 0 }])
  })

  it('one snapshot per role and round, shared by the screens of that role', () => {
    const { screens, asked } = broadcaster()
    for (const role of ['viewer', 'viewer', 'entry'] as const) screens.subscribe(() => undefined, role)
    asked.length = 0
    screens.changed()
    screens.flush()
    expect(asked.sort()).toEqual(['entry', 'viewer'])
  })

  it('nothing new, nothing sent; passings beyond the cap are counted as dropped, newest kept', () => {
    const { screens } = broadcaster()
    const got: StationUpdate[] = []
    screens.subscribe(update => got.push(update), 'viewer')
    screens.flush()
    got.length = 0
    screens.flush()
    expect(got).toEqual([])
    for (let id = 1; id <= UPDATE_PASSING_CAP + 5; id += 1) screens.passing(view(id))
    screens.flush()
    expect(got).toHaveLength(1)
    expect(got[0]?.dropped).toBe(5)
    expect(got[0]?.passings.map(p => p.id)).toEqual(
      Array.from({ length: UPDATE_PASSING_CAP }, (_, i) => i + 6)
    )
  })

  it('a screen whose listener throws does not keep the update from the others', () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true)
    const { screens } = broadcaster()
    const got: StationUpdate[] = []
    screens.subscribe(update => {
      if (update.passings.length > 0) throw new Error('window gone')
    }, 'station')
    screens.subscribe(update => got.push(update), 'station')
    screens.passing(view(1))
    expect(() => screens.flush()).not.toThrow()
    expect(got.at(-1)?.passings.map(p => p.id)).toEqual([1])
  })
})

describe('the service, screen by screen', () => {
  it('two screens sharing a listener function each keep their subscription', async () => {
    const { station, log } = openOfflineStation()
    const service = serviceOf(station, { updateIntervalMs: 10 })
    const roles: Role[] = []
    const listener = (update: StationUpdate) => {
      if (update.passings.length > 0) roles.push(update.snapshot.role)
    }
    const viewer = service.subscribe(listener, 'viewer')
    service.subscribe(listener, 'station')
    viewer()
    station.ingest('p', lines(5))
    await log.until(() => log.of('passing').length === 1, 'the passing')
    for (const event of log.of('passing')) service.onStationEvent(event)
    await expect.poll(() => roles, { timeout: 10_000 }).toEqual(['station'])
    service.stop()
  })
})
