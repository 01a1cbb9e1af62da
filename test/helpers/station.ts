import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { PrintedEvent, StationEvent, SyncEvent } from '../../src/shared/events'
import { Station, type StationConfig } from '../../src/core/station/station'
import { printedEvent } from '../../src/headless/printed-event'

const folders: string[] = []
const stations: Station[] = []

afterEach(async () => {
  for (const station of stations.splice(0)) await station.close()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

export function tempFolder(prefix = 'rufus-station-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix))
  folders.push(folder)
  return folder
}

/**
 * Collects a station's events and resolves waits on conditions over them, with a deadline. Each is kept as the
 * headless station prints it (`--json`): the core's message code and parameters, with their English words in
 * `message`.
 */
export class EventLog {
  readonly events: PrintedEvent[] = []
  readonly #waiters: Array<{ check: () => boolean; resolve: () => void }> = []

  readonly push = (event: StationEvent): void => {
    this.events.push(printedEvent(event))
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.check()) waiter.resolve()
      else this.#waiters.push(waiter)
    }
  }

  of<T extends PrintedEvent['type']>(type: T): Array<PrintedEvent & { type: T }> {
    return this.events.filter(e => e.type === type) as Array<PrintedEvent & { type: T }>
  }

  lastSync(): SyncEvent | undefined {
    return this.of('sync').at(-1)
  }

  until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `timed out waiting for ${what}; last sync: ${JSON.stringify(this.lastSync())}; notices: ${JSON.stringify(this.events.filter(e => e.type === 'error' || e.type === 'warning').slice(-3))}`
          )
        )
      }, timeoutMs)
      this.#waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        }
      })
    })
  }

  /** Waits until the station reports this many passings confirmed in the cloud and none pending. */
  untilSynced(count: number, timeoutMs?: number): Promise<void> {
    return this.until(
      () => this.lastSync()?.synced === count && this.lastSync()?.pending === 0,
      `${count} synced`,
      timeoutMs
    )
  }
}

export const FAST_SYNC = {
  backoff: { baseMs: 5, maxMs: 50, factor: 2 },
  idlePollMs: 50,
  requestTimeoutMs: 2000,
  commitIntervalMs: 2,
  // Tests of sync see manual passings go up at once; the grace period has its own tests.
  uploadGrace: { graceMs: 0, allPassings: false }
} as const

/** Opens a station on a folder with fast retries; closed after the test. */
export function openStation(
  config: Partial<StationConfig> & Pick<StationConfig, 'apiUrl' | 'apiKey'>,
  log = new EventLog()
) {
  const station = Station.open(
    { dataFolder: config.dataFolder ?? tempFolder(), ...FAST_SYNC, ...config },
    log.push
  )
  stations.push(station)
  return { station, log }
}

/** A station that never reaches a cloud and does not try: for tests of what it keeps on disk. */
export function openOfflineStation(config: Partial<StationConfig> = {}, log = new EventLog()) {
  return openStation({ apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false, ...config }, log)
}

/** Closes a station opened by `openStation` before the end of the test (to reopen its folder). */
export async function closeStation(station: Station): Promise<void> {
  stations.splice(stations.indexOf(station), 1)
  await station.close()
}

export const lines = (...values: Array<string | number>) =>
  new TextEncoder().encode(values.map(v => `${v}\r\n`).join(''))
