/* eslint max-lines: ["error", { "max": 440, "skipBlankLines": true, "skipComments": true }] -- jobs: issue 14's
   readings, one describe each: 2xx bodies that surprise, unseen duplicates and read-back by number, closing,
   late fixes, the key, refusals and WRITE-only keys, a captive portal. */
import { describe, expect, it } from 'vitest'
import { Journal } from '../../src/core/journal/journal'
import type { FakeReading } from '../helpers/fake-cloud'
import { wiredClient, type WireReading } from '../helpers/fake-fetch'
import {
  BACKOFF_MS,
  BLOCKED_POLL_MS,
  capture,
  IDLE_MS,
  rig,
  startEngine,
  stopEngine,
  tokenOf,
  turn,
  uploadedRig,
  wordsOf
} from '../helpers/sync-rig'

// Issue 14: the sync engine against every reading of the RUFUS Cloud docs, on fake time. Each case drives the
// same engine the station runs; where a reading lives in the bytes (a body's shape, a header, an HTML page) the
// real client runs too, over the in-memory cloud (`wiredClient`).

const LEGACY: FakeReading = { dedupeOn: 'none', counts: 'inserted' }

describe('case 1: an upload answered 2xx with a body that surprises', () => {
  it('counts left out on a cloud without de-duplication: settled by reading back, never resent', async () => {
    const { time, cloud, journal, session } = rig({
      passings: 3,
      reading: { dedupeOn: 'none', counts: 'none' }
    })
    const { engine } = startEngine(journal, wiredClient(cloud), time)
    await time.untilPaused()
    await time.advance(60_000)

    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(3)
    expect(cloud.countOf('insertPassings')).toBe(1)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3, conflict: 0 })
    expect(engine.status()).toMatchObject({ lastError: null, blocked: null })

    // Every later batch goes the same way: sent once, read back once.
    capture(journal, session, time, '104')
    capture(journal, session, time, '105')
    engine.wake()
    await time.untilPaused()
    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(5)
    expect(cloud.countOf('insertPassings')).toBe(2)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 5 })
  })

  it('a body holding the JSON as a string is read as the answer itself', async () => {
    const { time, cloud, journal, session } = rig({ passings: 3 })
    const wire: WireReading = { body: answer => JSON.stringify({ body: JSON.stringify(answer) }) }
    startEngine(journal, wiredClient(cloud, wire), time)
    expect(await time.untilPaused()).toBe(IDLE_MS)

    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(3)
    expect(cloud.countOf('insertPassings')).toBe(1)
    expect(cloud.countOf('sessionPassings')).toBe(0)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3 })
  })

  it('an empty 2xx body on the upload is ambiguous: read back after a pause, never resent blind', async () => {
    const { time, cloud, journal, session } = rig({ passings: 3, reading: LEGACY })
    const wire: WireReading = {
      body: (answer, path) => (path === '/v0/passings' ? '' : JSON.stringify(answer))
    }
    startEngine(journal, wiredClient(cloud, wire), time)
    expect(await time.untilPaused()).toBe(BACKOFF_MS[0])
    expect(journal.inflight(session.id)).toMatchObject({ firstNum: 1, lastNum: 3 })
    await time.advance(60_000)

    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(3)
    expect(cloud.countOf('insertPassings')).toBe(1)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3 })
  })
})

describe('case 2: a duplicate the read-back does not show, and read-backs by number', () => {
  it('de-duplication on the bib: retried once after a pause, then a conflict with the cloud’s answer; the rest flows on', async () => {
    const { time, cloud, journal, session } = rig({ reading: { dedupeOn: 'bib' } })
    for (const bib of ['7', '8', '7']) capture(journal, session, time, bib)
    const { engine, notices } = startEngine(journal, cloud, time)

    // The cloud stored 7 and 8 and called the second 7 a duplicate; the read-back does not show number 3.
    expect(await time.untilPaused()).toBe(BACKOFF_MS[0])
    expect(cloud.countOf('insertPassings')).toBe(1)
    expect(journal.counts()).toMatchObject({ synced: 2, pending: 1 })

    await time.advance(BACKOFF_MS[0])
    expect(cloud.countOf('insertPassings')).toBe(2)
    const third = journal.passingsOfSession(session.id)[2]
    expect(third).toMatchObject({
      state: 'conflict',
      note: { code: 'sync.note.duplicate-unseen', params: { num: 3, inserted: 0, duplicates: 1, sent: 1 } }
    })
    expect(wordsOf(third?.note)).toMatch(/duplicate.*number 3/)
    expect(notices.filter(n => n.level === 'error').map(n => n.message.code)).toEqual(['sync.conflict'])

    capture(journal, session, time, '9')
    engine.wake()
    await time.untilPaused()
    expect(journal.counts()).toMatchObject({ synced: 3, pending: 0, conflict: 1 })
    await time.advance(3600_000)
    expect(cloud.countOf('insertPassings')).toBe(3)
  })

  it('the attempt is kept in the journal: after a restart the second refusal makes the conflict', async () => {
    const { time, cloud, journal, path, session } = rig({ reading: { dedupeOn: 'bib' } })
    for (const bib of ['7', '7']) capture(journal, session, time, bib)
    const first = startEngine(journal, cloud, time)
    await time.untilPaused()
    expect(journal.counts()).toMatchObject({ synced: 1, pending: 1 })
    await stopEngine(first.engine)
    journal.close()

    const reopened = new Journal(path)
    startEngine(reopened, cloud, time)
    await time.untilPaused()
    expect(cloud.countOf('insertPassings')).toBe(2)
    expect(reopened.counts()).toMatchObject({ synced: 1, pending: 0, conflict: 1 })
  })

  it.each<[string, FakeReading]>([
    ['exclusive bounds', { exclusiveBounds: true }],
    ['0-based pages', { firstPage: 0 }],
    ['pages of 2', { pageSize: 2 }],
    ['page ignored, pages of 2', { ignoresPage: true, pageSize: 2 }],
    ['pages of 1', { pageSize: 1 }]
  ])('%s: a lost answer is settled by reading back by number, nothing resent', async (_name, reading) => {
    const { time, cloud, journal, session } = rig({ passings: 5, reading: { ...LEGACY, ...reading } })
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    startEngine(journal, cloud, time)
    await time.untilPaused()
    await time.advance(BACKOFF_MS[0])

    expect(cloud.passingsOf(tokenOf(journal, session)).map(p => p.num_passing)).toEqual([1, 2, 3, 4, 5])
    expect(cloud.countOf('insertPassings')).toBe(1)
    expect(cloud.countOf('sessionPassings')).toBeLessThanOrEqual(12)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 5 })
  })

  it('a read-back that reaches its request cap settles what it walked and keeps the rest in flight, never resent', async () => {
    const { time, cloud, journal, session } = rig({ passings: 30, reading: { ...LEGACY, pageSize: 1 } })
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    startEngine(journal, cloud, time)
    await time.untilPaused()
    expect(journal.counts()).toMatchObject({ pending: 30 })
    await time.advance(BACKOFF_MS[0])

    expect(cloud.countOf('insertPassings')).toBe(1)
    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(30)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 30 })
    // Each read-back asked at most 12 times: three of them for thirty numbers one a page.
    expect(cloud.countOf('sessionPassings')).toBeGreaterThan(24)
    expect(cloud.countOf('sessionPassings')).toBeLessThanOrEqual(36)
  })
})

describe('case 3: closing that is not idempotent', () => {
  it.each([404, 400] as const)(
    'a repeated close answered %i counts as closed once the session info says so; the next session uploads',
    async status => {
      const { time, cloud, journal, session, engine, token } = await uploadedRig(
        {},
        { reading: { closeClosedStatus: status } }
      )
      cloud.failNext('closeSession', { kind: 'answer-lost' })
      const second = journal.openSession('WAVE 2', time.nowUs())
      capture(journal, second, time, '201')
      engine.wake()
      await time.untilPaused()
      await time.advance(60_000)

      expect(cloud.countOf('closeSession')).toBe(2)
      expect(cloud.isActive(token)).toBe(false)
      expect(journal.session(session.id)?.cloudState).toBe('closed')
      expect(cloud.passingsOf(tokenOf(journal, second)).map(p => p.bib)).toEqual(['201'])
      expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
      expect(engine.status()).toMatchObject({ blocked: null, lastError: null })
    }
  )

  it('a close refused while the session stays active does not hold back the next session', async () => {
    const { time, cloud, journal, session, engine, token } = await uploadedRig()
    cloud.failNext(
      'closeSession',
      { kind: 'status', status: 400, description: 'Missing required parameters' },
      50
    )
    const second = journal.openSession('WAVE 2', time.nowUs())
    capture(journal, second, time, '201')
    engine.wake()
    await time.untilPaused()
    await time.advance(10 * 60_000)

    expect(cloud.passingsOf(tokenOf(journal, second)).map(p => p.bib)).toEqual(['201'])
    // Opening the next cloud session closed the first one (the documented rule); the close then counts as done.
    expect(cloud.isActive(token)).toBe(false)
    expect(journal.session(session.id)?.cloudState).toBe('closed')
    expect(cloud.countOf('closeSession')).toBeLessThanOrEqual(3)
  })
})

/** Session FINISH uploaded and closed with a passing held without a bib; WAVE 2 live with one passing up. */
async function lateFixRig() {
  const { time, cloud, journal, session: first } = rig()
  capture(journal, first, time, '101')
  const late = capture(journal, first, time, null)
  const started = startEngine(journal, cloud, time)
  await time.untilPaused()
  const firstToken = tokenOf(journal, first)
  const second = journal.openSession('WAVE 2', time.nowUs())
  capture(journal, second, time, '201')
  started.engine.wake()
  await time.untilPaused()
  const liveToken = tokenOf(journal, second)
  expect(journal.session(first.id)?.cloudState).toBe('closed')
  expect(cloud.isActive(liveToken)).toBe(true)

  journal.fixBib(late.id, '102', time.nowUs())
  started.engine.wake()
  await time.untilPaused()
  return { time, cloud, journal, first, second, late, firstToken, liveToken, ...started }
}

describe('case 4: a late fix to a passing of a closed session', () => {
  it('waits, visibly, while the live session runs, and goes up in its own cloud session once the live one closes', async () => {
    const { time, cloud, journal, second, late, firstToken, liveToken, engine, notices } = await lateFixRig()
    await time.advance(10 * 60_000)

    expect(cloud.isActive(liveToken)).toBe(true)
    expect(cloud.countOf('insertSession')).toBe(2)
    expect(journal.passing(late.id)?.state).toBe('pending')
    expect(engine.status().waiting).toEqual({
      code: 'sync.waiting-for-live-session',
      params: { session: 'FINISH', pending: 1, live: 'WAVE 2' }
    })
    expect(engine.status().blocked).toBeNull()
    expect(notices.filter(n => n.message.code === 'sync.waiting-for-live-session')).toHaveLength(1)

    // The live session keeps flowing meanwhile.
    capture(journal, second, time, '202')
    engine.wake()
    await time.untilPaused()
    expect(cloud.passingsOf(liveToken).map(p => p.bib)).toEqual(['201', '202'])

    journal.closeSession(second.id, time.nowUs())
    engine.wake()
    await time.untilPaused()
    expect(cloud.isActive(liveToken)).toBe(false)
    const lateToken = journal.passing(late.id)?.cloudToken ?? ''
    expect([firstToken, liveToken]).not.toContain(lateToken)
    expect(cloud.passingsOf(lateToken).map(p => [p.num_passing, p.bib])).toEqual([[2, '102']])
    expect(cloud.isActive(lateToken)).toBe(false)
    expect(engine.status().waiting).toBeNull()
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 4, conflict: 0 })
  })

  it('when the timer says so, it goes up at once and the live session continues in a new cloud session', async () => {
    const { time, cloud, journal, second, late, firstToken, liveToken, engine } = await lateFixRig()

    engine.sendWaitingNow()
    await time.untilPaused()
    const lateToken = journal.passing(late.id)?.cloudToken ?? ''
    expect([firstToken, liveToken]).not.toContain(lateToken)
    expect(cloud.passingsOf(lateToken).map(p => p.bib)).toEqual(['102'])
    expect(engine.status().waiting).toBeNull()

    capture(journal, second, time, '202')
    engine.wake()
    await time.untilPaused()
    const newLive = tokenOf(journal, second)
    expect([liveToken, lateToken]).not.toContain(newLive)
    expect(cloud.passingsOf(newLive).map(p => p.bib)).toEqual(['202'])
    expect(cloud.isActive(newLive)).toBe(true)
    expect(engine.status().blocked).toBeNull()
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 4, conflict: 0 })
  })
})

describe('case 5: the key', () => {
  it('behind a proxy that drops `api_key`, the key still arrives in `x-api-key`', async () => {
    const { time, cloud, journal } = rig({ passings: 2 })
    const { engine } = startEngine(journal, wiredClient(cloud, { keyHeaders: ['x-api-key'] }), time)
    await time.untilPaused()
    expect(engine.status().blocked).toBeNull()
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
  })

  it.each([401, 403] as const)(
    'a %i blocks at once, is re-checked by itself after 1, 2 and 4 minutes, then every 5, and sync resumes',
    async status => {
      const { time, cloud, journal, session } = rig({ passings: 2 })
      cloud.keyRefused = true
      cloud.refusedStatus = status
      const { engine, notices } = startEngine(journal, cloud, time)
      expect(await time.untilPaused()).toBe(60_000)
      expect(engine.status().blocked).toMatchObject({ kind: 'key-refused', sessionId: null })
      const asked = cloud.calls.length

      for (const ms of [60_000, 120_000, 240_000, 300_000, 300_000]) {
        expect(time.pending).toBe(ms)
        await time.advance(ms)
      }
      expect(cloud.calls).toHaveLength(asked + 5)
      // A new capture does not cut a re-check short: the cloud is not asked once per passing.
      capture(journal, session, time, '103')
      engine.wake()
      await turn()
      expect(cloud.calls).toHaveLength(asked + 5)
      expect(notices.filter(n => n.level === 'error')).toHaveLength(1)

      cloud.keyRefused = false
      await time.advance(300_000)
      expect(engine.status().blocked).toBeNull()
      expect(journal.counts()).toMatchObject({ pending: 0, synced: 3 })
      expect(notices.map(n => n.message.code)).toContain('sync.key-works-again')
    }
  )

  it('asks again whether the key may read once a key block lifts', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1 })
    cloud.writeOnly = true
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    expect(engine.status().canRead).toBe(false)

    cloud.keyRefused = true
    capture(journal, session, time, '102')
    engine.wake()
    await time.untilPaused()
    expect(engine.status().blocked).toMatchObject({ kind: 'key-refused' })
    cloud.keyRefused = false
    cloud.writeOnly = false
    await time.advance(60_000)
    expect(engine.status()).toMatchObject({ blocked: null, canRead: true })
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
  })
})

describe('case 6: refusals, empty lists and WRITE-only keys', () => {
  it('a 400 "Session not found or closed" takes the session-gone path: nothing is quarantined', async () => {
    const { time, cloud, journal, session, engine, token } = await uploadedRig(
      {},
      { reading: { closedInsertStatus: 400 } }
    )
    cloud.closeElsewhere(token)
    for (let i = 0; i < 8; i += 1) capture(journal, session, time, String(200 + i))
    engine.wake()

    expect(await time.untilPaused()).toBe(BLOCKED_POLL_MS)
    expect(engine.status().blocked).toMatchObject({ kind: 'closed-elsewhere', sessionId: session.id })
    expect(journal.counts()).toMatchObject({ pending: 8, quarantined: 0, synced: 1 })
    expect(cloud.countOf('insertPassings')).toBe(2)
  })

  it('every passing tried alone refused for the same reason: it stops and says so once, nothing quarantined', async () => {
    const reason = 'Invalid parameter: passings_list[0].timezone'
    const { time, cloud, journal } = rig({ passings: 20 })
    cloud.refuseEvery = reason
    const { engine, notices } = startEngine(journal, cloud, time)
    expect(await time.untilPaused()).toBe(60_000)

    expect(engine.status().blocked).toMatchObject({
      kind: 'all-refused',
      message: { code: 'sync.all-refused', params: { reason, tried: 3 } }
    })
    expect(journal.counts()).toMatchObject({ pending: 20, quarantined: 0 })
    const inserts = cloud.countOf('insertPassings')
    expect(inserts).toBeLessThanOrEqual(10)
    expect(notices.filter(n => n.level !== 'info').map(n => n.message.code)).toEqual(['sync.blocked'])

    // Re-checked by itself with one passing, then one outside the streak (bad neighbours are not "every
    // passing"): still refused alike, still stopped, said once.
    await time.advance(60_000)
    expect(cloud.countOf('insertPassings')).toBe(inserts + 2)
    expect(journal.counts()).toMatchObject({ pending: 20, quarantined: 0 })
    expect(notices.filter(n => n.level !== 'info')).toHaveLength(1)

    cloud.refuseEvery = null
    await time.advance(120_000)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 20, quarantined: 0 })
    expect(engine.status().blocked).toBeNull()
  })

  it('one bad passing among good ones is still set aside alone', async () => {
    const { time, cloud, journal, session } = rig()
    for (const bib of ['1', '2', 'BAD', '4', '5', '6']) capture(journal, session, time, bib)
    cloud.refuseBib = /BAD/
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 5, quarantined: 1 })
    expect(engine.status().blocked).toBeNull()
  })

  it.each([
    ['the session list', 'insertSession' as const],
    ['the passing list', 'insertPassings' as const]
  ])('an empty 404 worded otherwise on %s is an empty list, not a lost session', async (_what, method) => {
    const { time, cloud, journal } = rig({ passings: 2 })
    cloud.failNext(method, { kind: 'status', status: 503 })
    const wire: WireReading = { emptyWording: { sessions: 'No sessions', passings: 'No passings' } }
    const { engine } = startEngine(journal, wiredClient(cloud, wire), time)
    await time.untilPaused()
    await time.advance(60_000)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
    expect(engine.status().blocked).toBeNull()
  })

  it('WRITE-only key, an answer without counts: held, not marked synced, and it says what and why', async () => {
    const { time, cloud, journal, session } = rig({ passings: 2, reading: { counts: 'none' } })
    cloud.writeOnly = true
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    await time.advance(10 * 60_000)

    expect(journal.counts(session.id)).toMatchObject({ synced: 0, pending: 2 })
    expect(cloud.countOf('insertPassings')).toBe(1)
    expect(engine.status().blocked).toMatchObject({
      kind: 'write-only-hold',
      sessionId: session.id,
      message: { code: 'sync.write-only-hold', params: { count: 2, why: 'no-counts' } }
    })

    // With a key that can read, the batch is settled by reading it back.
    cloud.writeOnly = false
    await time.advance(10 * 60_000)
    expect(journal.counts(session.id)).toMatchObject({ synced: 2, pending: 0 })
    expect(cloud.countOf('insertPassings')).toBe(1)
    expect(engine.status().blocked).toBeNull()
  })

  it('WRITE-only key, duplicates reported on a first send: held, not marked synced', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1 })
    cloud.writeOnly = true
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    const token = tokenOf(journal, session)
    cloud.store(token, { bib: '999', num_passing: 2, timestamp: '2026-11-29T08:00:00.000Z' })
    const local = capture(journal, session, time, '102')
    engine.wake()
    await time.untilPaused()

    expect(journal.passing(local.id)?.state).toBe('pending')
    expect(engine.status().blocked).toMatchObject({
      kind: 'write-only-hold',
      message: { code: 'sync.write-only-hold', params: { count: 1, why: 'duplicates' } }
    })
  })

  it('WRITE-only key on a cloud that does not report duplicates: a batch whose answer was lost is held, not resent', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1, reading: LEGACY })
    cloud.writeOnly = true
    const { engine } = startEngine(journal, cloud, time)
    await time.untilPaused()
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    capture(journal, session, time, '102')
    engine.wake()
    await time.untilPaused()
    await time.advance(10 * 60_000)

    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(2)
    expect(cloud.countOf('insertPassings')).toBe(2)
    expect(engine.status().blocked).toMatchObject({
      kind: 'write-only-hold',
      message: { code: 'sync.write-only-hold', params: { count: 1, why: 'no-duplicate-report' } }
    })
  })
})

describe('case 7: a captive portal', () => {
  it('venue Wi-Fi answering 200 HTML: backs off, says the network is not RUFUS Cloud, never resends blind', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1, reading: LEGACY })
    const wire: WireReading = { portal: null }
    const { engine } = startEngine(journal, wiredClient(cloud, wire), time)
    await time.untilPaused()
    const token = tokenOf(journal, session)

    // The worst case: the request reaches the cloud, and the portal replaces the answer.
    wire.portal = 'after'
    capture(journal, session, time, '102')
    engine.wake()
    const pauses: number[] = []
    for (let i = 0; i < 6; i += 1) {
      const ms = await time.untilPaused()
      pauses.push(ms)
      await time.advance(ms)
    }
    expect(pauses).toEqual([375, 750, 1500, 3000, 6000, 12_000])
    expect(cloud.passingsOf(token)).toHaveLength(2)
    expect(cloud.countOf('insertPassings')).toBe(2)
    expect(engine.status()).toMatchObject({
      online: false,
      lastError: { code: 'cloud.not-rufus', params: {} }
    })
    expect(journal.counts()).toMatchObject({ synced: 1, pending: 1 })

    wire.portal = null
    await time.advance(60_000)
    expect(journal.counts()).toMatchObject({ synced: 2, pending: 0 })
    expect(cloud.passingsOf(token)).toHaveLength(2)
  })
})
