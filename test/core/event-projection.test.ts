import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StationEvent, SyncEvent } from '../../src/shared/events'
import type { Counts, DeviceRecord, PassingRecord, SessionRecord } from '../../src/core/journal/journal'
import {
  deviceEvent,
  passingEvent,
  sameSyncState,
  sessionEvent,
  StationEvents,
  syncEvent
} from '../../src/core/station/event-projection'
import { keyRefusedBlock } from '../../src/core/sync/blocks'
import type { SyncStatus } from '../../src/core/sync/sync-engine'
import { inEnglish, type StationMessage } from '../../src/shared/messages'
import type { WaitTimer } from '../../src/core/sync/sync-time'

const SESSION: SessionRecord = {
  id: 3,
  alias: 'FINISH',
  openedAtUs: 1_764_320_000_000_000,
  closedAtUs: null,
  nextNum: 5,
  token: 'T0K3N',
  cloudOffset: 0,
  cloudState: 'attached',
  blockKind: null,
  blockMessage: null
}

const DEVICE: DeviceRecord = {
  serialNumber: 'RS-1',
  model: 'RUFUS Station',
  alias: null,
  deviceid: 'D1',
  boundAtMs: 1
}

const COUNTS: Counts = { pending: 4, held: 1, synced: 7, quarantined: 0, conflict: 2, void: 3 }

const STATUS: SyncStatus = {
  online: true,
  lastError: null,
  lastSyncAtMs: Date.UTC(2026, 10, 28, 10, 0, 0),
  inFlight: 2,
  blocked: null,
  canRead: true,
  graceEndsUs: null,
  waiting: null
}

const base = syncEvent(COUNTS, STATUS)

describe('the projection: records and status as events', () => {
  it('a passing: its number, and its time as sent to the cloud (milliseconds, rounded down)', () => {
    const passing: PassingRecord = {
      id: 9,
      sessionId: 3,
      num: 4,
      bib: '101',
      chip: 'E2',
      timeUs: Date.UTC(2026, 10, 28, 10, 0, 1) * 1000 + 234_999,
      source: 'reader',
      port: 'COM3',
      capturedAtUs: 0,
      state: 'pending',
      cloudToken: null,
      note: null,
      syncAttempts: 0
    }
    expect(passingEvent(passing)).toEqual({
      type: 'passing',
      id: 9,
      session: 3,
      num_passing: 4,
      bib: '101',
      chip: 'E2',
      timestamp: '2026-11-28T10:00:01.234Z',
      source: 'reader',
      port: 'COM3',
      state: 'pending'
    })
  })

  it('a session: open or closed, with its cloud link', () => {
    expect(sessionEvent(SESSION)).toEqual({
      type: 'session',
      id: 3,
      alias: 'FINISH',
      token: 'T0K3N',
      cloudState: 'attached',
      closed: false
    })
    expect(sessionEvent({ ...SESSION, closedAtUs: 1 }).closed).toBe(true)
  })

  it('the device: its serial number and binding', () => {
    expect(deviceEvent(DEVICE)).toEqual({ type: 'device', serialNumber: 'RS-1', deviceid: 'D1' })
  })

  it('a sync summary: the counts of the whole folder and where the engine stands, its words in English', () => {
    const blocked = syncEvent(COUNTS, {
      ...STATUS,
      lastError: { code: 'sync.key-refused', params: {} },
      blocked: keyRefusedBlock()
    })
    expect(blocked).toEqual({
      type: 'sync',
      pending: 4,
      held: 1,
      synced: 7,
      quarantined: 0,
      conflict: 2,
      inFlight: 2,
      online: true,
      lastError: inEnglish({ code: 'sync.key-refused', params: {} }),
      lastSyncAt: '2026-11-28T10:00:00.000Z',
      blocked: {
        kind: 'key-refused',
        message: inEnglish(keyRefusedBlock().message),
        action: inEnglish(keyRefusedBlock().action)
      },
      canRead: true
    })
    expect(syncEvent(COUNTS, { ...STATUS, lastSyncAtMs: null }).lastSyncAt).toBeNull()
    // `waiting` is there only when something waits, so the line scripts read is otherwise as before.
    expect('waiting' in syncEvent(COUNTS, STATUS)).toBe(false)
    const waiting: StationMessage = {
      code: 'sync.waiting-for-live-session',
      params: { session: 'FINISH', pending: 2, live: 'FINISH 2' }
    }
    expect(syncEvent(COUNTS, { ...STATUS, waiting }).waiting).toBe(inEnglish(waiting))
  })

  const rows: Array<[what: string, other: SyncEvent, same: boolean]> = [
    ['the same summary', { ...base }, true],
    ['only a later upload time', { ...base, lastSyncAt: '2026-11-28T10:05:00.000Z' }, true],
    ['one more pending', { ...base, pending: 5 }, false],
    ['offline', { ...base, online: false }, false],
    ['an error now', { ...base, lastError: 'x' }, false],
    ['blocked now', { ...base, blocked: { kind: 'k', message: 'm', action: 'a' } }, false],
    ['may no longer read', { ...base, canRead: null }, false]
  ]
  it.each(rows)('two summaries, %s: the same news is %s', (_what, other, same) => {
    expect(sameSyncState(base, other)).toBe(same)
  })

  it('two blocks are the same news only when kind, words and action are', () => {
    const blocked = { ...base, blocked: { kind: 'k', message: 'm', action: 'a' } }
    expect(sameSyncState(blocked, { ...base, blocked: { kind: 'k', message: 'm', action: 'a' } })).toBe(true)
    expect(sameSyncState(blocked, { ...base, blocked: { kind: 'k', message: 'n', action: 'a' } })).toBe(false)
  })
})

/** A timer the test runs by hand: each wait is held until `fire`. */
function handTimer() {
  const waits: Array<{ ms: number; done: () => void; cancelled: boolean }> = []
  const timer: WaitTimer = (ms, done) => {
    const wait = { ms, done, cancelled: false }
    waits.push(wait)
    return () => {
      wait.cancelled = true
    }
  }
  return {
    timer,
    pending: () => waits.filter(w => !w.cancelled).length,
    fire() {
      for (const wait of waits.splice(0)) if (!wait.cancelled) wait.done()
    }
  }
}

function emitter(summary: { current: SyncEvent }) {
  const events: StationEvent[] = []
  const time = handTimer()
  const records = { device: () => DEVICE, session: (id: number) => (id === SESSION.id ? SESSION : null) }
  const station = new StationEvents({
    listener: event => events.push(event),
    records,
    syncSummary: () => summary.current,
    timer: time.timer
  })
  return { events, time, station }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the emitter', () => {
  it('coalesces sync changes into one summary per 100 ms, and only when it says something new', () => {
    const summary = { current: base }
    const { events, time, station } = emitter(summary)
    station.syncChanged()
    station.syncChanged()
    expect(time.pending()).toBe(1)
    time.fire()
    expect(events).toEqual([base])
    // The engine says "changed" after a step that changed nothing: no event.
    station.syncChanged()
    time.fire()
    expect(events).toHaveLength(1)
    summary.current = { ...base, pending: 0, synced: 11 }
    station.syncChanged()
    time.fire()
    expect(events).toEqual([base, summary.current])
  })

  it('reports the device and a session when the journal writes them, not at the next summary', () => {
    const { events, time, station } = emitter({ current: base })
    station.journalChanged({ kind: 'device' })
    station.journalChanged({ kind: 'session', id: SESSION.id })
    expect(events).toEqual([deviceEvent(DEVICE), sessionEvent(SESSION)])
    expect(time.pending()).toBe(0)
    // A session the journal no longer has is not made up.
    station.journalChanged({ kind: 'session', id: 99 })
    expect(events).toHaveLength(2)
  })

  it('closing: no coalesced summary is scheduled, the last one is sent, then nothing', () => {
    const summary = { current: base }
    const { events, time, station } = emitter(summary)
    station.syncNow()
    station.beginClose()
    station.syncChanged()
    expect(time.pending()).toBe(0)
    summary.current = { ...base, pending: 0 }
    station.close()
    expect(events).toEqual([base, summary.current])
    summary.current = { ...base, pending: 9 }
    station.syncNow()
    station.journalChanged({ kind: 'device' })
    expect(events).toHaveLength(2)
  })

  it('a listener that throws is logged; the caller (capture, the sync engine) carries on', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true)
    const station = new StationEvents({
      listener: () => {
        throw new Error('screen gone')
      },
      records: { device: () => DEVICE, session: () => SESSION },
      syncSummary: () => base,
      timer: handTimer().timer
    })
    expect(() => station.emit(base)).not.toThrow()
    expect(() => station.journalChanged({ kind: 'device' })).not.toThrow()
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('a listener failed on a device event'))
  })
})
