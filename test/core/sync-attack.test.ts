import { describe, expect, it } from 'vitest'
import type { SyncEngine, SyncEngineOptions } from '../../src/core/sync/sync-engine'
import type { FakeReading } from '../helpers/fake-cloud'
import { capture, rig, startEngine, stopEngine, tokenOf, uploadedRig } from '../helpers/sync-rig'

// An outsider's attacks on issue 14, on fake time through the engine the station runs.

const LEGACY: FakeReading = { dedupeOn: 'none', counts: 'inserted' }

/**
 * A first session with 101 and a time without a bib (closed, its cloud session closed) and a live WAVE 2 with 201,
 * both uploaded; the time's bib is not filled in yet.
 */
async function twoWaves(parts: ReturnType<typeof rig>, options: Partial<SyncEngineOptions> = {}) {
  const { time, cloud, journal, session: first } = parts
  capture(journal, first, time, '101')
  const late = capture(journal, first, time, null)
  const started = startEngine(journal, cloud, time, options)
  await time.untilPaused()
  const second = journal.openSession('WAVE 2', time.nowUs())
  capture(journal, second, time, '201')
  started.engine.wake()
  await time.untilPaused()
  return { ...parts, ...started, first, late, second }
}

describe('a refused key is not a WRITE-only key', () => {
  it('a restart while the key is refused, with a batch in flight, neither resends blind nor calls the key write-only', async () => {
    const { time, cloud, journal, session } = rig({ passings: 3, reading: LEGACY })
    // The first batch is applied, its answer lost; the key stops working right then (a revoked key, a firewall).
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    const insert = cloud.insertPassings.bind(cloud)
    cloud.insertPassings = async (token, passings) => {
      try {
        return await insert(token, passings)
      } finally {
        cloud.keyRefused = true
      }
    }
    const first = startEngine(journal, cloud, time)
    // Paused in the backoff after the lost answer, the batch recorded in flight.
    await time.untilPaused()
    expect(journal.inflight(session.id)).not.toBeNull()
    // Killed and started again at once, the key still refused.
    await stopEngine(first.engine)
    const { engine, notices } = startEngine(journal, cloud, time)
    await time.untilPaused()
    expect(engine.status().blocked).toMatchObject({ kind: 'key-refused' })
    expect(notices.map(n => n.message.code)).not.toContain('sync.key-write-only')

    cloud.keyRefused = false
    await time.advance(60_000)
    await time.untilPaused()
    const numbers = cloud.passingsOf(tokenOf(journal, session)).map(p => p.num_passing)
    expect(numbers.sort()).toEqual([1, 2, 3])
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3 })
    expect(engine.status()).toMatchObject({ blocked: null, canRead: true })
  })
})

describe('three bad passings in a row are not "every passing refused"', () => {
  it('three neighbours refused for one reason are set aside; the passings around them upload', async () => {
    const { time, cloud, journal, session } = rig()
    for (const bib of ['1', '2', 'BAD1', 'BAD2', 'BAD3', '6', '7', '8']) capture(journal, session, time, bib)
    // A strict cloud names the field, not the value: the three refusals read alike.
    cloud.refuseBib = /BAD/
    cloud.refuseBibReason = 'Invalid parameter: bib'
    const { engine, notices } = startEngine(journal, cloud, time)
    await time.untilPaused()
    // Rechecks included: the good passings never reach the cloud while the stop lasts.
    await time.advance(15 * 60_000)

    expect(cloud.passingsOf(tokenOf(journal, session)).map(p => p.bib)).toEqual(['1', '2', '6', '7', '8'])
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 5, quarantined: 3 })
    expect(engine.status().blocked).toBeNull()
    expect(notices.map(n => n.message.code)).not.toContain('sync.blocked')
  })

  it('a cloud refusing every passing alike still stops once, nothing set aside', async () => {
    const { time, cloud, journal } = rig({ passings: 8 })
    cloud.refuseEvery = 'Invalid parameter: timezone'
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    expect(engine.status().blocked).toMatchObject({ kind: 'all-refused' })
    expect(journal.counts()).toMatchObject({ pending: 8, quarantined: 0 })
  })
})

describe('a late fix while the live session is held (WRITE-only key)', () => {
  it('waits for the live session: a hold keeps the live cloud session open, so it is not closed for the fix', async () => {
    const parts = rig({ reading: LEGACY })
    parts.cloud.writeOnly = true
    const { time, cloud, journal, engine, late, second } = await twoWaves(parts)
    const liveToken = tokenOf(journal, second)

    // A batch of the live session whose answer is lost, on a cloud known not to report duplicates: held.
    capture(journal, second, time, '202')
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    engine.wake()
    await time.untilPaused()
    await time.advance(1000)
    expect(journal.session(second.id)?.blockKind).toBe('write-only-hold')

    journal.fixBib(late.id, '102', time.nowUs())
    engine.wake()
    await time.untilPaused()
    await time.advance(10 * 60_000)
    expect(cloud.isActive(liveToken)).toBe(true)
    expect(journal.passing(late.id)?.state).toBe('pending')
    expect(engine.status().waiting).toMatchObject({ code: 'sync.waiting-for-live-session' })
  })
})

describe("a late fix behind the live session's stuck close", () => {
  it('goes up: a live session closed here, everything sent, whose close keeps failing, holds nothing back', async () => {
    const { time, cloud, journal, engine, late, second } = await twoWaves(rig())

    journal.fixBib(late.id, '102', time.nowUs())
    // The live session ends here, but the cloud keeps failing its close.
    cloud.failNext('closeSession', { kind: 'status', status: 500 }, 1000)
    journal.closeSession(second.id, time.nowUs())
    engine.wake()
    await time.untilPaused()
    await time.advance(10 * 60_000)

    expect(journal.passing(late.id)?.state).toBe('synced')
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3 })
  })
})

describe('the one resend of a WRITE-only key', () => {
  it('is still the resend after the network refused it once: synced, not held as a first send with duplicates', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1 })
    cloud.writeOnly = true
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    // The cloud reports duplicates (learned from the first answer); the next batch is applied, its answer lost,
    // and the resend meets a connection refused before the network comes back.
    capture(journal, session, time, '102')
    capture(journal, session, time, '103')
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    cloud.failNext('insertPassings', { kind: 'network', code: 'ECONNREFUSED' })
    engine.wake()
    await time.untilPaused()
    await time.advance(10 * 60_000)

    expect(journal.session(session.id)?.blockKind).toBeNull()
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3 })
    expect(cloud.passingsOf(tokenOf(journal, session)).map(p => p.num_passing)).toEqual([1, 2, 3])
  })

  it('is still the resend after a kill before it went', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1 })
    cloud.writeOnly = true
    const first = startEngine(journal, cloud, time)
    await time.untilPaused()
    capture(journal, session, time, '102')
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    // The resend is refused by the network; the station is killed in the pause after it.
    cloud.failNext('insertPassings', { kind: 'network', code: 'ECONNREFUSED' })
    first.engine.wake()
    await time.untilPaused()
    await time.advance(400)
    await time.untilPaused()
    await stopEngine(first.engine)
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    await time.advance(10 * 60_000)

    expect(journal.session(session.id)?.blockKind).toBeNull()
    expect(engine.status().blocked).toBeNull()
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
  })
})

/** Captures one more passing, wakes the engine and lets ten minutes pass. */
async function oneMoreAndWait(
  {
    time,
    journal,
    session,
    engine
  }: Pick<Awaited<ReturnType<typeof uploadedRig>>, 'time' | 'journal' | 'session' | 'engine'>,
  bib: string
): Promise<void> {
  capture(journal, session, time, bib)
  engine.wake()
  await time.untilPaused()
  await time.advance(10 * 60_000)
}

describe('a 404 from something in front of the cloud (a gateway mid-deploy)', () => {
  it('does not take a device that is still bound for unbound: nothing is uploaded a second time', async () => {
    const { time, cloud, journal, session, engine, token, notices } = await uploadedRig({
      onUnbound: 'rebind'
    })
    const notFound = { kind: 'status', status: 404, description: 'Not Found' } as const
    cloud.failNext('insertPassings', notFound)
    cloud.failNext('sessionInfo', notFound)
    cloud.failNext('deviceInfo', notFound)
    await oneMoreAndWait({ time, journal, session, engine }, '102')

    expect(notices.map(n => n.message.code)).not.toContain('sync.rebinding')
    expect(cloud.countOf('insertSession')).toBe(1)
    expect(cloud.passingsOf(token).map(p => p.bib)).toEqual(['101', '102'])
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
  })
})

describe('a 404 on an upload while the session is still active', () => {
  it('is backed off from: the session is not split into a new cloud session', async () => {
    const { time, cloud, journal, session, engine, token, notices } = await uploadedRig({
      onClosedElsewhere: 'new-session'
    })
    cloud.failNext('insertPassings', { kind: 'status', status: 404, description: 'Not Found' })
    await oneMoreAndWait({ time, journal, session, engine }, '102')

    expect(notices.map(n => n.message.code)).not.toContain('sync.closed-elsewhere-continuing')
    expect(cloud.countOf('insertSession')).toBe(1)
    expect(cloud.isActive(token)).toBe(true)
    expect(cloud.passingsOf(token).map(p => p.bib)).toEqual(['101', '102'])
  })
})

describe('the wait of a late fix, once it goes up', () => {
  it('is no longer shown from the step that sends it on', async () => {
    const parts = rig()
    const shown: Array<string | null> = []
    const holder: { engine: SyncEngine | null; lateId: number } = { engine: null, lateId: 0 }
    const { time, journal, engine, late, second } = await twoWaves(parts, {
      onChange: () => {
        if (parts.journal.passing(holder.lateId)?.state === 'synced') {
          shown.push(holder.engine?.status().waiting?.code ?? null)
        }
      }
    })
    holder.engine = engine
    holder.lateId = late.id
    journal.fixBib(late.id, '102', time.nowUs())
    engine.wake()
    await time.untilPaused()
    expect(engine.status().waiting).toMatchObject({ code: 'sync.waiting-for-live-session' })

    journal.closeSession(second.id, time.nowUs())
    engine.wake()
    await time.untilPaused()
    expect(shown.length).toBeGreaterThan(0)
    expect(shown).toEqual(shown.map(() => null))
  })
})

describe('three bad neighbours at the end of a session', () => {
  it('do not stop the later sessions: set aside, and the next session uploads', async () => {
    const { time, cloud, journal, session } = rig()
    for (const bib of ['1', '2']) capture(journal, session, time, bib)
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    for (const bib of ['BAD1', 'BAD2', 'BAD3']) capture(journal, session, time, bib)
    cloud.refuseBib = /BAD/
    cloud.refuseBibReason = 'Invalid parameter: bib'
    const second = journal.openSession('WAVE 2', time.nowUs())
    for (const bib of ['201', '202']) capture(journal, second, time, bib)
    engine.wake()
    await time.untilPaused()
    await time.advance(15 * 60_000)

    expect(journal.counts()).toMatchObject({ pending: 0, synced: 4, quarantined: 3 })
    expect(engine.status().blocked).toBeNull()
  })
})
