import type { Journal } from '../journal/journal'
import { RufusClient } from '../rufus/client'
import { CeilingCloud, screenCloud, type ScreenCloud } from '../rufus/limited-cloud'
import { RequestCeiling } from '../rufus/request-ceiling'
import { SyncEngine, type SyncEngineOptions } from '../sync/sync-engine'
import { realTimer } from '../sync/sync-time'
import type { UploadGraceSetting } from '../sync/upload-grace'
import type { OffsetSample } from '../time/cloud-offset'
import type { StationConfig } from './station-config'

export interface StationCloudOptions {
  readonly config: StationConfig
  readonly journal: Journal
  /** Short tag of this installation, put in cloud session aliases. */
  readonly stationTag: string
  /** The capture clock (µs since the epoch): grace periods are measured on it, as passings are. */
  readonly nowUs: () => number
  readonly uploadGrace: () => UploadGraceSetting
  /** Each answer's `Date` header, for the clock against the cloud. */
  readonly onServerDate: (sample: OffsetSample) => void
  /** Sync may stand elsewhere. */
  readonly onChange: () => void
  /** What the sync engine tells a person (a message code). */
  readonly onNotice: SyncEngineOptions['onNotice']
}

/**
 * The station's RUFUS Cloud: one client behind the request ceiling, shared by the sync engine (uploads first)
 * and the screens, both replaced together when the API address or key changes.
 */
export class StationCloud {
  /** Every cloud request of this station, sync's and screens', goes through it. */
  readonly ceiling: RequestCeiling
  readonly #o: StationCloudOptions
  #screen: ScreenCloud
  #sync: SyncEngine

  constructor(options: StationCloudOptions) {
    this.#o = options
    this.ceiling = new RequestCeiling({ ...options.config.requestCeiling, timer: realTimer })
    const client = this.#client(options.config.apiUrl, options.config.apiKey)
    this.#screen = screenCloud(client, this.ceiling)
    this.#sync = this.#engine(client)
  }

  /** RUFUS Cloud for screens and a person's actions: behind the request ceiling, after the uploads. */
  get screen(): ScreenCloud {
    return this.#screen
  }

  get sync(): SyncEngine {
    return this.#sync
  }

  /** Another API address or key (the wizard, a new key): sync stops after its request, then restarts with it. */
  async replace(apiUrl: string, apiKey: string): Promise<void> {
    await this.#sync.stop()
    const client = this.#client(apiUrl, apiKey)
    this.#screen = screenCloud(client, this.ceiling)
    this.#sync = this.#engine(client)
    this.#sync.start()
  }

  #client(apiUrl: string, apiKey: string): RufusClient {
    return new RufusClient({
      baseUrl: apiUrl,
      apiKey,
      timeoutMs: this.#o.config.requestTimeoutMs ?? 15_000,
      onServerDate: this.#o.onServerDate
    })
  }

  #engine(client: RufusClient): SyncEngine {
    const { config } = this.#o
    return new SyncEngine({
      journal: this.#o.journal,
      client: new CeilingCloud(client, this.ceiling),
      stationTag: this.#o.stationTag,
      batchSize: config.batchSize,
      backoff: config.backoff,
      idlePollMs: config.idlePollMs,
      onClosedElsewhere: config.onClosedElsewhere,
      onUnbound: config.onUnbound,
      adoptActiveSession: config.adoptActiveSession,
      uploadGrace: this.#o.uploadGrace,
      // Journal stamps and the status on the wall clock; grace periods on the capture clock, as passings are.
      clock: { nowMs: () => Date.now(), nowUs: this.#o.nowUs },
      timer: realTimer,
      onChange: this.#o.onChange,
      onNotice: this.#o.onNotice
    })
  }
}
