import type { SyncEvent } from '../../shared/events'
import { CaptureQueue, type CommittedBatch, type WaitingInput } from '../capture/capture-queue'
import type { CapturePolicy, Journal } from '../journal/journal'
import type { ReaderSink } from '../serial/reader-connection'
import type { UploadGraceSetting } from '../sync/upload-grace'
import type { AnchoredClock } from '../time/anchored-clock'
import { ClockWatch } from './clock-watch'
import { CsvCopy } from './csv-copy'
import { DeviceBinding } from './device-binding'
import { StationEvents, type StationListener } from './event-projection'
import { ReaderPool } from './reader-pool'
import { StationCloud } from './station-cloud'
import type { StationConfig } from './station-config'

/** What the parts ask of the station they serve: its capture entry points, its settings, its commit hooks. */
export interface PartsHost {
  readonly ingest: ReaderSink['ingest']
  readonly decoderContext: ReaderSink['decoderContext']
  readonly syncSummary: () => SyncEvent
  readonly uploadGrace: () => UploadGraceSetting
  readonly policy: () => CapturePolicy
  /** False once the journal is closed (the CSV copy's catch-up then reads nothing). */
  readonly journalOpen: () => boolean
  readonly onCommitted: (batch: CommittedBatch) => void
  readonly onCommitError: (error: unknown, waiting: WaitingInput) => void
}

export interface StationParts {
  readonly events: StationEvents
  readonly clockWatch: ClockWatch
  readonly readers: ReaderPool
  readonly csv: CsvCopy
  readonly cloud: StationCloud
  readonly device: DeviceBinding
  readonly capture: CaptureQueue
}

export interface ComposeOptions {
  readonly config: StationConfig
  readonly journal: Journal
  readonly listener: StationListener
  /** The capture clock every part stamps with. */
  readonly clock: AnchoredClock
  /** Short tag of this installation, put in cloud session aliases. */
  readonly stationTag: string
  readonly host: PartsHost
}

/**
 * The station's composition: each part built once, over the one journal and the one capture clock, and wired to
 * the others (events out of every part, the cloud's `Date` headers into the clock watch, sync changes into the
 * summaries). `Station` keeps them and is the only way in.
 */
export function composeParts({
  config,
  journal,
  listener,
  clock,
  stationTag,
  host
}: ComposeOptions): StationParts {
  const nowUs = () => clock.nowUs()
  const events = new StationEvents({ listener, records: journal, syncSummary: host.syncSummary })
  const { emit } = events
  const clockWatch = new ClockWatch({
    clock,
    emit,
    log: (message, atUs) => journal.log('clock', message, atUs),
    warningMs: config.clockWarningMs
  })
  const readers = new ReaderPool({
    lineField: config.lineField,
    decoderFor: config.decoderFor,
    nextConnectionNumber: () => {
      const next = Number(journal.getMeta('connection_seq') ?? 0) + 1
      journal.setMeta('connection_seq', String(next))
      return next
    },
    badFrameCount: port => journal.badFrameCount(port),
    sink: { ingest: host.ingest, decoderContext: host.decoderContext },
    nowUs,
    emit
  })
  const csv = new CsvCopy({
    dataFolder: config.dataFolder,
    passingsAfter: (id, afterNum, limit) =>
      host.journalOpen() ? journal.passingsOfSession(id, afterNum, limit) : [],
    emit,
    catchUpDelayMs: config.mirrorCatchUpDelayMs
  })
  const cloud = new StationCloud({
    config,
    journal,
    stationTag,
    nowUs,
    uploadGrace: host.uploadGrace,
    onServerDate: clockWatch.serverDate,
    onChange: () => events.syncChanged(),
    onNotice: (level, message) => emit({ type: level, ...message })
  })
  const device = new DeviceBinding({ journal, cloud: () => cloud.screen, wakeSync: () => cloud.sync.wake() })
  const capture = new CaptureQueue({
    journal,
    decoderFor: port => readers.decoderFor(port),
    policy: host.policy,
    nowUs,
    commitIntervalMs: config.commitIntervalMs,
    maxWaitingBytes: config.maxWaitingBytes,
    onCommitted: host.onCommitted,
    onCommitError: host.onCommitError
  })
  return { events, clockWatch, readers, csv, cloud, device, capture }
}
