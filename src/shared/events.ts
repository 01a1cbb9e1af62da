import type { StationMessage } from './messages'
import type { ReaderState } from './states'

/**
 * Everything the station reports, as plain data: printed as JSON lines by the headless station and sent to
 * the UI. No Node or DOM types here. What an event tells a person is a message code with its parameters
 * (`code`, `params`), never a sentence; see `PrintedEvent` for the English words `--json` adds beside them.
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
  /** In English: the engine's message (a code) said for scripts and the sync line (docs/architecture.md). */
  readonly lastError: string | null
  readonly lastSyncAt: string | null
  /** In English too, for the same reason. */
  readonly blocked: { readonly kind: string; readonly message: string; readonly action: string } | null
  readonly canRead: boolean | null
  /** Passings of a closed session waiting for the live session to end, said in English; absent when none wait. */
  readonly waiting?: string
}

export interface ClockEvent {
  readonly type: 'clock'
  /** Cloud time minus laptop time. */
  readonly offsetMs: number | null
  readonly uncertaintyMs: number | null
  /** A wall-clock jump detected on this laptop (not written into passings). */
  readonly jumpMs: number | null
}

/** No message: `code` and `params` are null. */
export interface NoMessage {
  readonly code: null
  readonly params: null
}

export type ReaderEvent = {
  readonly type: 'reader'
  readonly port: string
  readonly state: ReaderState
} & (StationMessage | NoMessage)

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

export type NoticeLevel = 'warning' | 'error' | 'info'

export type NoticeEvent = { readonly type: NoticeLevel } & StationMessage

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

/** The message an event carries (a notice always carries one; a reader event may not). */
export function messageOf(event: StationMessage): StationMessage
export function messageOf(event: StationMessage | NoMessage): StationMessage | null
export function messageOf(event: StationMessage | NoMessage): StationMessage | null {
  if (event.code === null) return null
  // Picked out of a wider event, so that only the message travels on; TypeScript cannot pair the two fields.
  return { code: event.code, params: event.params } as StationMessage
}

/**
 * An event as the headless station prints it with `--json`: a notice or reader event also carries its message in
 * English (`message`, null for a reader event without one), so scripts written before messages became codes keep
 * working.
 */
export type PrintedEvent =
  | Exclude<StationEvent, NoticeEvent | ReaderEvent>
  | (NoticeEvent & { readonly message: string })
  | (ReaderEvent & { readonly message: string | null })
