import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Journal } from '../../src/core/journal/journal'
import { NotPossible } from '../../src/core/not-possible'
import { RufusError } from '../../src/core/rufus/errors'
import { CeilingCloud } from '../../src/core/rufus/limited-cloud'
import { RequestCeiling, type CeilingLane } from '../../src/core/rufus/request-ceiling'
import { SyncEngine } from '../../src/core/sync/sync-engine'
import { FakeCloud } from '../helpers/fake-cloud'
import { FakeTime } from '../helpers/fake-time'
import { tempFolder } from '../helpers/station'

// The station's request ceiling on fake time: the clock moves only when the test moves it, in small steps, and
// every start of a request is stamped with it, so "at most 10 in any second" is counted exactly.

const stops: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
})

/** Lets promises settle: the ceiling grants a token in a timer, the call starts a few turns later. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise(resolve => setImmediate(resolve))
}

/**
 * Moves fake time forward in steps of `stepMs`, letting everything run between steps. A far-off wait keeps
 * `FakeTime` from looking for an engine that pauses when a test drives the ceiling alone.
 */
async function run(time: FakeTime, ms: number, stepMs = 10): Promise<void> {
  const cancel = time.timer(10 * 365 * 86_400_000, () => undefined)
  for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
    await time.advance(stepMs)
    await settle()
  }
  cancel()
}

/** The most request starts (ms) that fall in any one-second window. */
function peakPerSecond(startsMs: readonly number[]): number {
  const sorted = [...startsMs].sort((a, b) => a - b)
  let peak = 0
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while ((sorted[i] as number) - (sorted[j] as number) >= 1000) j += 1
    peak = Math.max(peak, i - j + 1)
  }
  return peak
}

/** A ceiling on fake time, and a way to make calls through it that record when they started. */
function rig(options: { answerMs?: number; maxWaiting?: { sync: number; screen: number } } = {}) {
  const time = new FakeTime()
  const ceiling = new RequestCeiling({ timer: time.timer, maxWaiting: options.maxWaiting })
  const starts: Array<{ lane: CeilingLane; atMs: number; label: string }> = []
  const outcomes = new Map<string, 'answered' | Error>()
  const call = (lane: CeilingLane, label: string): void => {
    ceiling
      .run(lane, () => {
        starts.push({ lane, atMs: time.nowMs(), label })
        return new Promise<void>(resolve => {
          if (options.answerMs) time.timer(options.answerMs, resolve)
          else resolve()
        })
      })
      .then(
        () => outcomes.set(label, 'answered'),
        (error: unknown) => outcomes.set(label, error as Error)
      )
  }
  return { time, ceiling, starts, outcomes, call }
}

describe('the request ceiling', () => {
  it('lets at most 10 requests start in any second, however many are asked for at once', async () => {
    const { time, starts, outcomes, call } = rig({ maxWaiting: { sync: 100, screen: 0 } })
    for (let i = 0; i < 60; i += 1) call('sync', `s${i}`)
    await settle()
    expect(starts).toHaveLength(10)
    await run(time, 7000)
    expect(starts).toHaveLength(60)
    expect([...outcomes.values()].every(outcome => outcome === 'answered')).toBe(true)
    expect(peakPerSecond(starts.map(s => s.atMs))).toBe(10)
  })

  it('gives a token back a second after the answer, not after the start, so a slow cloud is not hit harder', async () => {
    const { time, starts, call } = rig({ answerMs: 600 })
    for (let i = 0; i < 11; i += 1) call('sync', `s${i}`)
    await run(time, 3000)
    const eleventh = starts.find(s => s.label === 's10')
    // Answered at 600 ms, so the token comes back at 1600 ms: not at 1000 ms.
    expect(eleventh?.atMs).toBe((starts[0]?.atMs ?? 0) + 1600)
  })

  it('serves waiting uploads before waiting screen reads, whichever came first', async () => {
    const { time, starts, call } = rig()
    for (let i = 0; i < 10; i += 1) call('sync', `busy${i}`)
    call('screen', 'screen-a')
    call('screen', 'screen-b')
    call('sync', 'upload-a')
    call('sync', 'upload-b')
    await run(time, 2500)
    expect(starts.slice(10).map(s => s.label)).toEqual(['upload-a', 'upload-b', 'screen-a', 'screen-b'])
  })

  it('refuses a screen read that waited 3 s with cloud.station-busy, and never starts it later', async () => {
    const { time, starts, outcomes, call } = rig({ answerMs: 10_000 })
    for (let i = 0; i < 10; i += 1) call('sync', `slow${i}`)
    call('screen', 'screen')
    await run(time, 3000)
    const refusal = outcomes.get('screen')
    expect(refusal).toBeInstanceOf(NotPossible)
    expect((refusal as NotPossible).reason).toEqual({ code: 'cloud.station-busy', params: { seconds: 3 } })
    await run(time, 12_000)
    expect(starts.map(s => s.label)).not.toContain('screen')
  })

  it('bounds both queues: past them a screen read is refused at once and an upload told to back off', async () => {
    const { ceiling, outcomes, call } = rig({ answerMs: 10_000, maxWaiting: { sync: 2, screen: 3 } })
    for (let i = 0; i < 10; i += 1) call('sync', `slow${i}`)
    for (let i = 0; i < 5; i += 1) call('screen', `screen${i}`)
    for (let i = 0; i < 4; i += 1) call('sync', `upload${i}`)
    await settle()
    expect(ceiling.counts().waiting).toEqual({ sync: 2, screen: 3 })
    expect(outcomes.get('screen3')).toBeInstanceOf(NotPossible)
    expect(outcomes.get('screen4')).toBeInstanceOf(NotPossible)
    const backOff = outcomes.get('upload2')
    expect(backOff).toBeInstanceOf(RufusError)
    expect({
      kind: (backOff as RufusError).kind,
      retryAfterMs: (backOff as RufusError).retryAfterMs
    }).toEqual({
      kind: 'rate-limited',
      retryAfterMs: 1000
    })
    expect(ceiling.counts().refused).toEqual({ sync: 2, screen: 2 })
  })

  it('a screen flooding cloud reads while sync uploads: uploads all go up, no second holds more than 10 requests, the flood is refused out loud', async () => {
    const time = new FakeTime()
    const cloud = new FakeCloud(time)
    const ceiling = new RequestCeiling({ timer: time.timer })
    const journal = new Journal(join(tempFolder(), 'journal.sqlite'))
    journal.setDeviceIdentity({ serialNumber: 'RS-CEILING', model: 'RUFUS Station', alias: null })
    const session = journal.openSession('FINISH', time.nowUs())
    for (let i = 1; i <= 300; i += 1) journal.insertManual(session.id, String(i), time.nowUs(), time.nowUs())
    const startedMs = time.nowMs()
    const engine = new SyncEngine({
      journal,
      client: new CeilingCloud(cloud, ceiling),
      stationTag: 'rs-test',
      clock: time,
      timer: time.timer,
      random: () => 0.5,
      batchSize: 10,
      idlePollMs: 5000,
      onChange: () => undefined,
      onNotice: () => undefined
    })
    stops.push(async () => {
      const stopping = engine.stop()
      await run(time, 2000)
      await stopping
      journal.close()
    })
    engine.start()
    const screenOutcomes: Array<'answered' | 'busy' | 'other'> = []
    const token = () => journal.session(session.id)?.token ?? ''
    // Every 100 ms of the upload, a screen asks for 20 reads at once (a browser reloading the passings browser).
    for (let tick = 0; tick < 60; tick += 1) {
      for (let i = 0; i < 20; i += 1) {
        ceiling
          // Before the cloud session exists the screen has nothing to read (the fake cloud would say not found).
          .run('screen', async () => (token() ? cloud.sessionPassings(token(), { page: 1 }) : []))
          .then(
            () => screenOutcomes.push('answered'),
            (error: unknown) =>
              screenOutcomes.push(
                error instanceof NotPossible && error.reason.code === 'cloud.station-busy' ? 'busy' : 'other'
              )
          )
      }
      await run(time, 100)
    }
    await run(time, 5000)
    expect(journal.counts().synced).toBe(300)
    expect(peakPerSecond(cloud.calls.map(c => c.atMs))).toBeLessThanOrEqual(10)
    // Uploads came first: the 30 batches were not held up behind the screens.
    const uploads = cloud.calls.filter(c => c.method === 'insertPassings').map(c => c.atMs)
    expect(uploads).toHaveLength(30)
    // At 10 a second, the binding, the cloud session and 30 batches take about 4 s when nothing gets in the way (screens took half of that before they waited).
    expect(Math.max(...uploads) - startedMs).toBeLessThan(5000)
    // Every screen read got an answer: the data, or the station saying it is busy. None hangs, none fails otherwise.
    expect(screenOutcomes).toHaveLength(1200)
    expect(screenOutcomes.filter(o => o === 'other')).toEqual([])
    expect(screenOutcomes.filter(o => o === 'busy').length).toBeGreaterThan(1000)
    expect(screenOutcomes.filter(o => o === 'answered').length).toBeGreaterThan(0)
  })
})
