import { isDeepStrictEqual } from 'node:util'
import type { DeviceEvent, PassingEvent, SessionEvent, StationEvent, SyncEvent } from '../../shared/events'
import { inEnglish } from '../../shared/messages'
import type {
  Counts,
  DeviceRecord,
  Journal,
  JournalChange,
  PassingRecord,
  SessionRecord
} from '../journal/journal'
import { logIgnored } from '../platform/log-ignored'
import { outgoingTimestamp } from '../sync/reconcile'
import type { SyncStatus } from '../sync/sync-engine'
import { realTimer, type WaitTimer } from '../sync/sync-time'

export type StationListener = (event: StationEvent) => void

// ---- the projection: records and status as the events screens and scripts read (pure) ----

export function passingEvent(passing: PassingRecord): PassingEvent {
  return {
    type: 'passing',
    id: passing.id,
    session: passing.sessionId,
    num_passing: passing.num,
    bib: passing.bib,
    chip: passing.chip,
    timestamp: outgoingTimestamp(passing.timeUs),
    source: passing.source,
    port: passing.port,
    state: passing.state
  }
}

export function sessionEvent(session: SessionRecord): SessionEvent {
  return {
    type: 'session',
    id: session.id,
    alias: session.alias,
    token: session.token,
    cloudState: session.cloudState,
    closed: session.closedAtUs !== null
  }
}

export function deviceEvent(device: Pick<DeviceRecord, 'serialNumber' | 'deviceid'>): DeviceEvent {
  return { type: 'device', serialNumber: device.serialNumber, deviceid: device.deviceid }
}

/** Where sync stands, for the whole data folder: counts, connection, last error, what blocks it. */
export function syncEvent(counts: Counts, status: SyncStatus): SyncEvent {
  return {
    type: 'sync',
    pending: counts.pending,
    held: counts.held,
    synced: counts.synced,
    quarantined: counts.quarantined,
    conflict: counts.conflict,
    inFlight: status.inFlight,
    online: status.online,
    lastError: status.lastError === null ? null : inEnglish(status.lastError),
    lastSyncAt: status.lastSyncAtMs === null ? null : new Date(status.lastSyncAtMs).toISOString(),
    blocked: status.blocked
      ? {
          kind: status.blocked.kind,
          message: inEnglish(status.blocked.message),
          action: inEnglish(status.blocked.action)
        }
      : null,
    canRead: status.canRead,
    // Only when something waits: a line that scripts (and the golden run) read is otherwise as before.
    ...(status.waiting === null ? {} : { waiting: inEnglish(status.waiting) })
  }
}

/** Two summaries say the same, whatever the time of the last upload (which alone is not news). */
export function sameSyncState(a: SyncEvent, b: SyncEvent): boolean {
  const { lastSyncAt: _a, ...left } = a
  const { lastSyncAt: _b, ...right } = b
  return isDeepStrictEqual(left, right)
}

// ---- the emitter: each event to the station's listener, as it happens ----

const SYNC_EVENT_INTERVAL_MS = 100

export interface StationEventsOptions {
  readonly listener: StationListener
  /** The journal's device and sessions, read when the journal says they changed. */
  readonly records: Pick<Journal, 'device' | 'session'>
  /** Where sync stands now. */
  readonly syncSummary: () => SyncEvent
  readonly timer?: WaitTimer
}

/**
 * Hands every event to the station's listener, whose failure never reaches capture. Sync summaries are
 * coalesced (the engine says "changed" after each step, whether or not anything did): one at most every 100 ms,
 * and only when it says something new. The device and sessions are reported when the journal writes a change.
 */
export class StationEvents {
  readonly #o: StationEventsOptions
  readonly #timer: WaitTimer
  #cancelSync: (() => void) | null = null
  #lastSync: SyncEvent | null = null
  #closing = false
  #closed = false

  constructor(options: StationEventsOptions) {
    this.#o = options
    this.#timer = options.timer ?? realTimer
  }

  readonly emit = (event: StationEvent): void => {
    try {
      this.#o.listener(event)
    } catch (error) {
      // A listener's failure must never stop capture.
      logIgnored(`a listener failed on a ${event.type} event`, error)
    }
  }

  /** A change the journal wrote, as it happened: the device's binding or a session's link to the cloud. */
  readonly journalChanged = (change: JournalChange): void => {
    if (this.#closed) return
    if (change.kind === 'device') {
      const device = this.#o.records.device()
      if (device) this.emit(deviceEvent(device))
      return
    }
    const session = this.#o.records.session(change.id)
    if (session) this.emit(sessionEvent(session))
  }

  /** Sync may stand elsewhere: a summary within 100 ms, if it says something new. */
  syncChanged(): void {
    if (this.#cancelSync || this.#closing) return
    this.#cancelSync = this.#timer(SYNC_EVENT_INTERVAL_MS, () => {
      this.#cancelSync = null
      this.syncNow()
    })
  }

  /** The summary now, if it says something new. */
  syncNow(): void {
    if (this.#closed) return
    const event = this.#o.syncSummary()
    if (this.#lastSync && sameSyncState(this.#lastSync, event)) return
    this.#lastSync = event
    this.emit(event)
  }

  /** The station is closing: no more coalesced summaries (its last one comes with `close`). */
  beginClose(): void {
    this.#closing = true
  }

  /** The last summary, before the journal closes; nothing after. */
  close(): void {
    this.#cancelSync?.()
    this.#cancelSync = null
    this.syncNow()
    this.#closed = true
  }
}
