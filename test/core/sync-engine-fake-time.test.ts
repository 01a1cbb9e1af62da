import { describe, expect, it } from 'vitest'
import { Journal } from '../../src/core/journal/journal'
import { RufusError, rufusErrorMessage } from '../../src/core/rufus/errors'
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
  wordsOf as noteOf
} from '../helpers/sync-rig'

describe('sync engine on fake time: normal upload', () => {
  it('binds, opens a cloud session, sends the backlog in one request, then pauses for the idle poll', async () => {
    const { time, cloud, journal, session } = rig({ passings: 3 })
    const { engine } = startEngine(journal, cloud, time)

    expect(await time.untilPaused()).toBe(IDLE_MS)
    expect(cloud.calls.map(call => call.method)).toEqual([
      'bindDevice',
      'deviceInfo',
      'insertSession',
      'insertPassings'
    ])
    expect(cloud.passingsOf(tokenOf(journal, session)).map(p => [p.num_passing, p.bib])).toEqual([
      [1, '101'],
      [2, '102'],
      [3, '103']
    ])
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3 })
    expect(engine.status()).toMatchObject({
      online: true,
      lastError: null,
      lastSyncAtMs: time.nowMs(),
      inFlight: 0,
      blocked: null,
      canRead: true
    })

    // An idle hour asks the cloud nothing; a new capture wakes the engine at once, without the clock moving.
    await time.advance(3600_000)
    expect(cloud.calls).toHaveLength(4)
    capture(journal, session, time, '104')
    engine.wake()
    await time.untilPaused()
    expect(cloud.calls.at(-1)).toEqual({ method: 'insertPassings', atMs: time.nowMs() })
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 4 })
  })

  it('closes the cloud session once the local one is closed and sent, and retries a close whose answer was lost', async () => {
    const { time, cloud, journal, session, engine, token } = await uploadedRig()

    cloud.failNext('closeSession', { kind: 'answer-lost' })
    journal.closeSession(session.id, time.nowUs())
    engine.wake()
    expect(await time.untilPaused()).toBe(BACKOFF_MS[0])
    expect(cloud.isActive(token)).toBe(false)
    expect(journal.session(session.id)?.cloudState).toBe('attached')

    await time.advance(BACKOFF_MS[0] as number)
    expect(cloud.callsOf('closeSession')).toHaveLength(2)
    expect(journal.session(session.id)?.cloudState).toBe('closed')
    expect(time.pending).toBe(IDLE_MS)
  })

  it('finds a cloud session whose create answer was lost by its alias, instead of creating a second one', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1 })
    cloud.failNext('insertSession', { kind: 'answer-lost' })
    startEngine(journal, cloud, time)
    expect(await time.untilPaused()).toBe(BACKOFF_MS[0])
    expect(journal.session(session.id)?.cloudState).toBe('creating')

    await time.advance(BACKOFF_MS[0] as number)
    expect(cloud.callsOf('insertSession')).toHaveLength(1)
    expect(cloud.callsOf('activeSession')).toHaveLength(1)
    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(1)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 1 })
  })

  it('waits out the upload grace period of a typed passing on the injected clock, to the millisecond', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1 })
    const { engine } = startEngine(journal, cloud, time, {
      uploadGrace: () => ({ graceMs: 5000, allPassings: false }),
      idlePollMs: 60_000
    })
    expect(await time.untilPaused()).toBe(5000)
    expect(engine.status().graceEndsUs).toBe(time.nowUs() + 5_000_000)

    await time.advance(4999)
    expect(cloud.callsOf('insertPassings')).toHaveLength(0)
    await time.advance(1)
    expect(cloud.callsOf('insertPassings')).toEqual([{ method: 'insertPassings', atMs: time.nowMs() }])
    expect(journal.counts(session.id)).toMatchObject({ pending: 0, synced: 1 })
    expect(engine.status().graceEndsUs).toBeNull()
  })
})

describe('sync engine on fake time: backoff and Retry-After', () => {
  it('backs off 375, 750, 1500 ms while the network is down, and a new capture does not cut a pause short', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1 })
    cloud.failNext('bindDevice', { kind: 'network', code: 'ECONNREFUSED' }, 3)
    const { engine } = startEngine(journal, cloud, time)

    expect(await time.untilPaused()).toBe(BACKOFF_MS[0])
    expect(engine.status()).toMatchObject({
      online: false,
      lastError: rufusErrorMessage(new RufusError('network', '', { code: 'ECONNREFUSED' }))
    })
    capture(journal, session, time, '102')
    engine.wake()
    await turn()
    expect(cloud.calls).toHaveLength(1)
    expect(time.pending).toBe(BACKOFF_MS[0])

    await time.advance((BACKOFF_MS[0] as number) - 1)
    expect(cloud.calls).toHaveLength(1)
    await time.advance(1)
    expect(cloud.calls).toHaveLength(2)
    expect(time.pending).toBe(BACKOFF_MS[1])
    await time.advance(BACKOFF_MS[1] as number)
    expect(cloud.calls).toHaveLength(3)
    expect(time.pending).toBe(BACKOFF_MS[2])

    await time.advance(BACKOFF_MS[2] as number)
    expect(time.pauses).toEqual([...BACKOFF_MS.slice(0, 3), IDLE_MS])
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
    expect(engine.status()).toMatchObject({ online: true, lastError: null })
  })

  it('after a 503 on a batch, reads the range back when the pause ends, before sending it again', async () => {
    const { time, cloud, journal, session } = rig({ passings: 2, dedupe: false })
    cloud.failNext('insertPassings', { kind: 'status', status: 503 })
    startEngine(journal, cloud, time)

    expect(await time.untilPaused()).toBe(BACKOFF_MS[0])
    // A 503 on a write may have been applied: the batch stays recorded as in flight.
    expect(journal.inflight(session.id)).toMatchObject({ firstNum: 1, lastNum: 2 })
    const before = cloud.calls.length
    await time.advance((BACKOFF_MS[0] as number) - 1)
    expect(cloud.calls).toHaveLength(before)

    await time.advance(1)
    expect(cloud.calls.slice(before).map(call => call.method)).toEqual(['sessionPassings', 'insertPassings'])
    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(2)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
    expect(journal.inflight(session.id)).toBeNull()
  })

  it('waits exactly the Retry-After of a 429 before sending again', async () => {
    const { time, cloud, journal } = rig({ passings: 1 })
    cloud.failNext('insertPassings', { kind: 'status', status: 429, retryAfterMs: 30_000 })
    const { engine } = startEngine(journal, cloud, time)

    expect(await time.untilPaused()).toBe(30_000)
    expect(engine.status().lastError).toEqual(
      rufusErrorMessage(new RufusError('rate-limited', '', { retryAfterMs: 30_000 }))
    )
    await time.advance(29_999)
    expect(cloud.callsOf('insertPassings')).toHaveLength(1)
    await time.advance(1)
    expect(cloud.callsOf('insertPassings')).toHaveLength(2)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 1 })
  })
})

describe('sync engine on fake time: recovery by read-back', () => {
  it('settles a batch whose answer was lost by reading it back, and never sends it twice', async () => {
    // Without de-duplication in the cloud, a resend would show as a second copy.
    const { time, cloud, journal, session } = rig({ passings: 3, dedupe: false })
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    const { engine } = startEngine(journal, cloud, time)

    expect(await time.untilPaused()).toBe(BACKOFF_MS[0])
    const token = tokenOf(journal, session)
    expect(cloud.passingsOf(token)).toHaveLength(3)
    expect(journal.counts()).toMatchObject({ pending: 3, synced: 0 })
    expect(engine.status().online).toBe(false)

    await time.advance(BACKOFF_MS[0] as number)
    expect(cloud.callsOf('insertPassings')).toHaveLength(1)
    expect(cloud.callsOf('sessionPassings')).toHaveLength(1)
    expect(cloud.passingsOf(token).map(p => p.num_passing)).toEqual([1, 2, 3])
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3 })
    expect(engine.status()).toMatchObject({ online: true, lastError: null, lastSyncAtMs: time.nowMs() })
  })

  it('after a stop mid-request, the next engine on the same journal file reads back before sending anything', async () => {
    const { time, cloud, journal, path, session } = rig({ passings: 2, dedupe: false })
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    const first = startEngine(journal, cloud, time)
    await time.untilPaused()
    await stopEngine(first.engine)
    journal.close()

    const reopened = new Journal(path)
    const callsBefore = cloud.calls.length
    startEngine(reopened, cloud, time)
    await time.untilPaused()
    expect(cloud.calls.slice(callsBefore).map(call => call.method)).toEqual(['deviceInfo', 'sessionPassings'])
    expect(cloud.passingsOf(tokenOf(reopened, session))).toHaveLength(2)
    expect(reopened.counts()).toMatchObject({ pending: 0, synced: 2 })
  })

  it('calls a different passing under the same number a conflict, never synced, and says so', async () => {
    const { time, cloud, journal, session, notices, token } = await uploadedRig()
    cloud.store(token, { bib: '999', num_passing: 2, timestamp: '2026-11-29T08:00:00.000Z' })

    const local = capture(journal, session, time, '102')
    await time.advance(IDLE_MS)
    expect(journal.passing(local.id)).toMatchObject({ state: 'conflict' })
    expect(noteOf(journal.passing(local.id)?.note)).toContain('bib 999')
    expect(notices.filter(n => n.level === 'error').map(n => noteOf(n.message))).toEqual([
      expect.stringContaining('Conflict')
    ])
    expect(cloud.callsOf('insertPassings')).toHaveLength(2)
    expect(journal.inflight(session.id)).toBeNull()
  })

  it('with a WRITE-only key, resends once after a lost answer, relying on de-duplication, and says so on the passing', async () => {
    const { time, cloud, journal, session } = rig({ passings: 1 })
    cloud.writeOnly = true
    cloud.failNext('insertPassings', { kind: 'answer-lost' })
    const { engine, notices } = startEngine(journal, cloud, time)
    await time.untilPaused()
    await time.advance(BACKOFF_MS[0] as number)

    expect(cloud.callsOf('insertPassings')).toHaveLength(2)
    expect(cloud.passingsOf(tokenOf(journal, session))).toHaveLength(1)
    const [passing] = journal.passingsOfSession(session.id)
    expect(passing?.state).toBe('synced')
    expect(passing?.note).toEqual({ code: 'sync.note.resent-accepted', params: {} })
    expect(noteOf(passing?.note)).toContain('the key cannot read')
    expect(engine.status().canRead).toBe(false)
    expect(notices.filter(n => n.level === 'warning')).toHaveLength(1)
  })
})

describe('sync engine on fake time: what the cloud refuses', () => {
  it.each([401, 403])(
    'a %i blocks at once with the key-refused block; a person’s resume ends the pause before the re-check',
    async status => {
      const { time, cloud, journal } = rig({ passings: 2 })
      cloud.failNext('bindDevice', { kind: 'status', status })
      const { engine, notices } = startEngine(journal, cloud, time)

      expect(await time.untilPaused()).toBe(BLOCKED_POLL_MS)
      expect(engine.status().blocked).toMatchObject({ kind: 'key-refused', sessionId: null })
      await time.advance(BLOCKED_POLL_MS - 1)
      expect(cloud.calls).toHaveLength(1)
      expect(notices.filter(n => n.level === 'error').map(n => n.message)).toEqual([
        {
          code: 'sync.blocked',
          params: {
            problem: { code: 'sync.key-refused', params: {} },
            action: { code: 'sync.action.key-refused', params: {} }
          }
        }
      ])
      expect(journal.counts()).toMatchObject({ pending: 2 })

      engine.resume()
      expect(await time.untilPaused()).toBe(IDLE_MS)
      expect(engine.status().blocked).toBeNull()
      expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
    }
  )

  it('a session closed elsewhere blocks with its action; continuing keeps each number in a new cloud session', async () => {
    const { time, cloud, journal, session, engine, token: first } = await uploadedRig()
    cloud.closeElsewhere(first)

    capture(journal, session, time, '102')
    engine.wake()
    expect(await time.untilPaused()).toBe(BLOCKED_POLL_MS)
    expect(engine.status().blocked).toMatchObject({ kind: 'closed-elsewhere', sessionId: session.id })
    expect(journal.counts()).toMatchObject({ pending: 1, synced: 1 })

    engine.continueInNewCloudSession(session.id)
    expect(await time.untilPaused()).toBe(IDLE_MS)
    const second = tokenOf(journal, session)
    expect(second).not.toBe(first)
    expect(cloud.passingsOf(second).map(p => [p.num_passing, p.bib])).toEqual([[2, '102']])
    expect(engine.status().blocked).toBeNull()
  })

  it('with the new-session policy, a session closed elsewhere continues by itself', async () => {
    const { time, cloud, journal, session, engine, notices, token } = await uploadedRig({
      onClosedElsewhere: 'new-session'
    })
    cloud.closeElsewhere(token)

    capture(journal, session, time, '102')
    engine.wake()
    expect(await time.untilPaused()).toBe(IDLE_MS)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 2 })
    expect(notices.some(n => n.level === 'warning')).toBe(true)
    expect(engine.status().blocked).toBeNull()
  })

  it('a device unbound elsewhere blocks with the device-unbound block, every passing kept', async () => {
    const { time, cloud, journal, session, engine } = await uploadedRig()
    cloud.unbindElsewhere(journal.device()?.deviceid ?? '')

    capture(journal, session, time, '102')
    engine.wake()
    expect(await time.untilPaused()).toBe(BLOCKED_POLL_MS)
    expect(engine.status().blocked).toMatchObject({ kind: 'device-unbound', sessionId: session.id })
    expect(journal.counts()).toMatchObject({ pending: 1, synced: 1 })
  })

  it('splits a batch refused with a 400 until the bad passing is alone, quarantines it, and sends the rest', async () => {
    const { time, cloud, journal, session } = rig()
    for (const bib of ['1', '2', 'BAD', '4']) capture(journal, session, time, bib)
    cloud.refuseBib = /BAD/
    const { notices } = startEngine(journal, cloud, time)
    await time.untilPaused()

    expect(cloud.passingsOf(tokenOf(journal, session)).map(p => p.bib)).toEqual(['1', '2', '4'])
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 3, quarantined: 1 })
    expect(journal.passingsOfSession(session.id)[2]).toMatchObject({
      state: 'quarantined',
      note: { code: 'sync.note.refused', params: { reason: 'Invalid bib BAD' } }
    })
    expect(notices.filter(n => n.level === 'warning')).toHaveLength(1)
  })

  it('halves the batch size after a 413 and sends everything', async () => {
    const { time, cloud, journal } = rig({ passings: 4 })
    cloud.failNext('insertPassings', { kind: 'status', status: 413 })
    const { engine } = startEngine(journal, cloud, time, { batchSize: 4 })
    await time.untilPaused()

    expect(engine.batchSize).toBe(2)
    expect(cloud.callsOf('insertPassings')).toHaveLength(3)
    expect(journal.counts()).toMatchObject({ pending: 0, synced: 4 })
  })
})
