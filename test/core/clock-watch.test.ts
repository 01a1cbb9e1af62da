import { describe, expect, it } from 'vitest'
import type { StationEvent } from '../../src/shared/events'
import { ClockWatch } from '../../src/core/station/clock-watch'
import type { ClockJump } from '../../src/core/time/anchored-clock'

function watch(jumps: Array<ClockJump | null> = [], warningMs?: number) {
  const events: StationEvent[] = []
  const logged: Array<[string, number]> = []
  const clock = { checkJump: () => jumps.shift() ?? null }
  const watcher = new ClockWatch({
    clock,
    emit: event => events.push(event),
    log: (message, atUs) => logged.push([message, atUs]),
    warningMs
  })
  return { watcher, events, logged }
}

/** An answer whose `Date` header says `serverMs`, sent and received around `localMs`. */
const answer = (serverMs: number, localMs: number, roundTripMs = 20) => ({
  serverMs,
  sentAtMs: localMs - roundTripMs / 2,
  receivedAtMs: localMs + roundTripMs / 2
})

describe('the clock against the cloud', () => {
  it('reports the first estimate, and again only once it moved 250 ms or more', () => {
    const { watcher, events } = watch()
    watcher.serverDate(answer(10_000, 10_000))
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ type: 'clock', jumpMs: null })
    const first = watcher.estimate()?.offsetMs ?? 0
    // A second header a little later narrows the interval without moving the middle 250 ms: nothing new.
    watcher.serverDate(answer(11_000, 11_200))
    const second = watcher.estimate()?.offsetMs ?? 0
    expect(Math.abs(second - first)).toBeLessThan(250)
    expect(events).toHaveLength(1)
  })

  it('warns when the laptop is seconds off and the estimate is sure of it (behind: cloud ahead)', () => {
    const { watcher, events } = watch()
    watcher.serverDate(answer(59_500, 50_000))
    expect(events.find(e => e.type === 'warning')).toEqual({
      type: 'warning',
      code: 'clock.laptop-off',
      params: { seconds: 10, laptop: 'behind' }
    })
    const ahead = watch()
    ahead.watcher.serverDate(answer(40_000, 50_000))
    expect(ahead.events.find(e => e.type === 'warning')).toMatchObject({ params: { laptop: 'ahead' } })
  })

  it('does not warn within the limit, nor when the uncertainty is as large as the offset', () => {
    const near = watch()
    near.watcher.serverDate(answer(51_000, 50_000))
    expect(near.events.map(e => e.type)).toEqual(['clock'])
    const unsure = watch()
    // A slow answer (20 s round trip) cannot say the laptop is 3 s off.
    unsure.watcher.serverDate(answer(53_000, 50_000, 20_000))
    expect(unsure.events.map(e => e.type)).toEqual(['clock'])
  })
})

describe('wall-clock jumps', () => {
  it('nothing when the wall clock has not jumped', () => {
    const { watcher, events, logged } = watch([null])
    watcher.checkJump()
    expect(events).toEqual([])
    expect(logged).toEqual([])
  })

  it('a jump is logged in English, reported with the cloud offset as it stands, and warned about', () => {
    const { watcher, events, logged } = watch([{ jumpMs: 3600_000, atUs: 42 }])
    watcher.checkJump()
    expect(logged).toHaveLength(1)
    expect(logged[0]?.[1]).toBe(42)
    expect(logged[0]?.[0]).toMatch(/jump/i)
    expect(events).toEqual([
      { type: 'clock', offsetMs: null, uncertaintyMs: null, jumpMs: 3600_000 },
      { type: 'warning', code: 'clock.wall-jump', params: { jumpMs: 3600_000 } }
    ])
  })
})
