/**
 * Everything the station reports, as plain data: printed as JSON lines by the headless station and sent to
 * the UI. No Node or DOM types here.
 */
export interface PassingEvent {
  readonly type: 'passing'
  readonly id: number
  readonly session: number
  readonly num_passing: number
  readonly bib: string | null
  readonly chip: string | null
  /** UTC, millisecond precision (what is sent to the cloud). */
  readonly timestamp: string
  readonly source: 'reader' | 'manual'
  readonly port: string | null
  readonly state: string
}

export interface SyncEvent {
  readonly type: 'sync'
  readonly pending: number
  readonly held: number
  /** Passings confirmed in the cloud, for the whole data folder. */
  readonly synced: number
  readonly quarantined: number
  readonly conflict: number
  readonly inFlight: number
  readonly online: boolean | null
  readonly lastError: string | null
  readonly lastSyncAt: string | null
  readonly blocked: { readonly kind: string; readonly message: string; readonly action: string } | null
  readonly canRead: boolean | null
}

export interface ClockEvent {
  readonly type: 'clock'
  /** Cloud time minus laptop time. */
  readonly offsetMs: number | null
  readonly uncertaintyMs: number | null
  /** A wall-clock jump detected on this laptop (not written into passings). */
  readonly jumpMs: number | null
}

export interface ReaderEvent {
  readonly type: 'reader'
  readonly port: string
  readonly state: 'opening' | 'open' | 'closed' | 'error' | 'silent'
  readonly message: string | null
}

export interface SessionEvent {
  readonly type: 'session'
  readonly id: number
  readonly alias: string
  readonly token: string | null
  readonly cloudState: string
  readonly closed: boolean
}

export interface DeviceEvent {
  readonly type: 'device'
  readonly serialNumber: string
  readonly deviceid: string | null
}

export interface NoticeEvent {
  readonly type: 'warning' | 'error' | 'info'
  readonly message: string
}

/** Sampled: at most a few a second per port; `total` counts every bad frame since start. */
export interface BadFrameEvent {
  readonly type: 'bad-frame'
  readonly port: string
  readonly reason: string
  readonly total: number
  /** Bad frames counted but not reported since the previous event for this port. */
  readonly unreported: number
}

export type StationEvent =
  | PassingEvent
  | SyncEvent
  | ClockEvent
  | ReaderEvent
  | SessionEvent
  | DeviceEvent
  | NoticeEvent
  | BadFrameEvent
