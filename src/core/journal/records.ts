/**
 * The journal's public records: what its callers get back and hand in. `journal.ts` re-exports every one, so
 * callers import them from there as before.
 */
import type { BadFrame, Read, ReaderStatus } from '../reader/decoder'
import type { BibPolicy } from '../reader/bib-policy'
import type { DedupSettings } from '../reader/dedup'
import type { CloudSessionState, PassingState } from '../../shared/states'
import type { StationMessage } from '../../shared/messages'

export type { CloudSessionState, PassingState } from '../../shared/states'
export type PassingSource = 'reader' | 'manual'

export interface PassingRecord {
  readonly id: number
  readonly sessionId: number
  readonly num: number
  readonly bib: string | null
  readonly chip: string | null
  readonly timeUs: number
  readonly source: PassingSource
  readonly port: string | null
  readonly capturedAtUs: number
  readonly state: PassingState
  readonly cloudToken: string | null
  /** Why the passing stands as it does (a note written before notes were messages reads as `untranslated`). */
  readonly note: StationMessage | null
  /** Times the cloud answered for this passing and a read-back then did not show it. */
  readonly syncAttempts: number
}

/** Passings touched by a person after `cutoffUs` wait (see `Journal.pendingBatch`). */
export interface UploadGrace {
  readonly cutoffUs: number
  /** Every passing waits, not only manual ones and corrections. */
  readonly allSources: boolean
}

export interface SessionRecord {
  readonly id: number
  readonly alias: string
  readonly openedAtUs: number
  readonly closedAtUs: number | null
  readonly nextNum: number
  readonly token: string | null
  /** Added to the local number to give the cloud number (non-zero only for an adopted cloud session). */
  readonly cloudOffset: number
  readonly cloudState: CloudSessionState
  readonly blockKind: string | null
  readonly blockMessage: StationMessage | null
}

export interface DeviceRecord {
  readonly serialNumber: string
  readonly model: string
  readonly alias: string | null
  readonly deviceid: string | null
  readonly boundAtMs: number | null
}

export interface IncomingChunk {
  readonly port: string
  readonly connection: number
  readonly bytes: Uint8Array
  readonly receivedAtUs: number
}

export interface InflightBatch {
  readonly sessionId: number
  readonly token: string
  readonly firstNum: number
  readonly lastNum: number
  /** The batch was already sent once more after a lost answer (a WRITE-only key, which cannot read back). */
  readonly resent?: boolean
}

export interface Counts {
  readonly pending: number
  readonly held: number
  readonly synced: number
  readonly quarantined: number
  readonly conflict: number
  readonly void: number
}

/** How reads become passings: duplicate suppression and the chip-to-bib rule. */
export interface CapturePolicy {
  readonly dedup: DedupSettings
  readonly bibPolicy: BibPolicy
}

export interface DecodeOutcome {
  readonly passings: readonly PassingRecord[]
  readonly badFrames: ReadonlyArray<BadFrame & { readonly port: string }>
  readonly statuses: ReadonlyArray<ReaderStatus & { readonly port: string }>
  /** Every read decoded, accepted or not (for reader health: rates, last read, clock offset). */
  readonly reads: ReadonlyArray<{ readonly port: string; readonly read: Read }>
  readonly suppressed: number
  /** Passings voided because an earlier read of the same chip arrived later. */
  readonly superseded: readonly number[]
  readonly readsWithoutSession: number
}

export type CorrectionOutcome = 'applied' | 'kept-locally-after-sync' | 'being-uploaded'

/** One line of the technician's log (`Journal.log`). */
export interface LogEntry {
  atUs: number
  kind: string
  message: string
}

/** A read not made a passing, and why (`Journal.suppressions`). */
export interface SuppressionRecord {
  port: string | null
  chip: string | null
  timeUs: number
  reason: string
  keptPassingId: number | null
}

/** One stored correction of a session's passing, with the passing's number (`Journal.corrections`). */
export interface CorrectionRecord {
  passingId: number
  num: number
  kind: string
  oldBib: string | null
  newBib: string | null
  atUs: number
  afterSync: boolean
}
