import type { CeilingOptions } from '../rufus/request-ceiling'
import type { BibPolicy } from '../reader/bib-policy'
import type { DedupSettings } from '../reader/dedup'
import type { Decoder } from '../reader/decoder'
import type { LineField } from '../reader/line-decoder'
import type { BackoffOptions } from '../sync/backoff'
import type { ClosedElsewherePolicy, UnboundPolicy } from '../sync/blocks'
import type { UploadGraceSetting } from '../sync/upload-grace'
import type { ClockSources } from '../time/anchored-clock'

/** How a station is opened: its folder and cloud, its readers' defaults, and the knobs tests turn. */
export interface StationConfig {
  readonly dataFolder: string
  readonly apiUrl: string
  readonly apiKey: string
  readonly deviceSerial?: string
  readonly deviceModel?: string
  readonly deviceAlias?: string
  readonly sessionAlias?: string
  /**
   * Headless `--new-session`: at start, close the open session (its passings still upload) and open one with this
   * alias; a later start with the same alias opens nothing.
   */
  readonly newSession?: string
  /** The request ceiling for the whole station (default 10 a second; sync first, screens refused after 3 s). */
  readonly requestCeiling?: Omit<CeilingOptions, 'timer'>
  /** What a line of the line protocol carries. */
  readonly lineField?: LineField
  readonly decoderFor?: (port: string) => Decoder
  readonly batchSize?: number
  readonly backoff?: BackoffOptions
  readonly idlePollMs?: number
  readonly requestTimeoutMs?: number
  readonly commitIntervalMs?: number
  readonly onClosedElsewhere?: ClosedElsewherePolicy
  readonly onUnbound?: UnboundPolicy
  readonly adoptActiveSession?: boolean
  readonly clockSources?: ClockSources
  /** A large laptop-versus-cloud offset, in ms, that earns a warning. */
  readonly clockWarningMs?: number
  /** Duplicate suppression per chip (default: first read, 2 s window). */
  readonly dedup?: DedupSettings
  /** How chips become bibs (default: the chip code is the bib). */
  readonly bibPolicy?: BibPolicy
  /** Reader input kept in memory while the disk refuses it (default 64 MiB). */
  readonly maxWaitingBytes?: number
  /** Test hook: cap the journal's size (pages) to reproduce a full disk. */
  readonly maxPageCount?: number
  /** Delay before the CSV copy catches up after a start (default 1 s; tests shorten it). */
  readonly mirrorCatchUpDelayMs?: number
  /** Start the sync engine (tests of capture alone turn it off). */
  readonly sync?: boolean
  /** The upload grace period (default `DEFAULT_UPLOAD_GRACE`); changed later with `setUploadGrace`. */
  readonly uploadGrace?: UploadGraceSetting
}
