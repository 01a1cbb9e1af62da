import Database from 'libsql'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { SerialPort } from 'serialport'
import { Journal } from '../../src/core/journal/journal'
import { unwrapEnvelope } from '../../src/core/rufus/client'
import type { AdminRequests } from '../../src/emulator/server'
import type { PassingEvent, PrintedEvent, SyncEvent } from '../../src/shared/events'
import { inEnglish } from '../../src/shared/messages'
import { headlessArgs } from '../helpers/headless-args'
import { jsonEvents, killGroup, spawnBundled, untilWhileRunning, type Spawned } from '../helpers/process'
import { openSerialWriter, ptyPair } from '../helpers/pty'
import {
  buildReport,
  type CapturedPassing,
  type CloudRow,
  type CloudSession,
  type LocalSession,
  type MatrixReport,
  type Notice
} from './report'

/**
 * The matrix harness: the real headless station (a process, as `npm run station` runs it) reading a reader over a
 * socat PTY pair, against the real emulator (a process, as `npm run emulator` runs it) started with a reading of
 * the docs (quirks, `--legacy`, `--envelope`) and faults. Batches of passings go in one by one; between batches the
 * station can be killed (SIGKILL) or stopped and started again. At the end a fresh or surviving station drains,
 * and the report puts the journal, the cloud's rows, the cloud's request log and the last sync state side by side.
 */

/** One batch of passings, read bib by bib. */
export interface Batch {
  readonly bibs: readonly string[]
  /**
   * What happens to the station once every passing of the batch is captured: `kill` (SIGKILL of its process group,
   * at once, so an upload is likely in flight), `stop` (SIGTERM) or `keep` it running. A station killed or stopped
   * is started again for the next batch, and for the final drain after the last one.
   */
  readonly then: 'kill' | 'stop' | 'keep'
  /** Flags for the station started before this batch (used only when one starts), e.g. a session switch. */
  readonly startFlags?: readonly string[]
}

/** The emulator's fault options; shares are probabilities per request, drawn from the case's seed. */
export interface CloudFaults {
  /** `--fault-500`: a 5xx before anything is applied. */
  readonly serverErrorShare?: number
  /** `--fault-drop`: the request is applied, then the connection is dropped without an answer. */
  readonly dropAfterApplyShare?: number
  /** `--fault-429` with `--retry-after` seconds. */
  readonly rateLimitShare?: number
  readonly retryAfterSeconds?: number
}

export interface MatrixCase {
  readonly name: string
  /** `--quirk` names (each `name` or `name=<value>`). */
  readonly quirks: readonly string[]
  readonly legacy: boolean
  readonly envelope?: boolean
  readonly faults?: CloudFaults
  readonly seed?: number
  /** The station key's access (READ_WRITE unless said). */
  readonly access?: 'READ_WRITE' | 'WRITE'
  /** Flags for every station start. */
  readonly stationFlags?: readonly string[]
  readonly batches: readonly Batch[]
  /** How long the last station may take to report everything settled; the report says if it did not. */
  readonly settleTimeoutMs?: number
}

const KEY = 'ror-matrix0000000000001'
const DEVICE_SERIAL = 'RS-MATRIX'
const DEFAULT_SETTLE_TIMEOUT_MS = 20_000
const SETTLED_POLL_MS = 20

function emulatorArgs(matrixCase: MatrixCase, dataDir: string): string[] {
  const faults = matrixCase.faults ?? {}
  const option = (name: string, value: number | undefined) =>
    value === undefined ? [] : [name, String(value)]
  return [
    ...['--port', '0', '--data', dataDir, '--admin', '--seed', String(matrixCase.seed ?? 1)],
    ...['--key', `${KEY}:${matrixCase.access ?? 'READ_WRITE'}@matrix`],
    ...(matrixCase.legacy ? ['--legacy'] : []),
    ...(matrixCase.envelope ? ['--envelope'] : []),
    ...matrixCase.quirks.flatMap(quirk => ['--quirk', quirk]),
    ...option('--fault-500', faults.serverErrorShare),
    ...option('--fault-drop', faults.dropAfterApplyShare),
    ...option('--fault-429', faults.rateLimitShare),
    ...option('--retry-after', faults.retryAfterSeconds)
  ]
}

/** The cloud's rows, read straight from the emulator's SQLite file once it has stopped. */
function readCloud(dataDir: string): { rows: CloudRow[]; sessions: CloudSession[] } {
  const db = new Database(join(dataDir, 'rufus-cloud.sqlite'), { readonly: true })
  try {
    const rows = (
      db
        .prepare('SELECT token_session, deviceid, num_passing, bib, ts_ms FROM passings ORDER BY id')
        .all() as Array<{
        token_session: string
        deviceid: string
        num_passing: number
        bib: string
        ts_ms: number
      }>
    ).map(row => ({
      token: row.token_session,
      deviceid: row.deviceid,
      num: row.num_passing,
      bib: row.bib,
      timestampMs: row.ts_ms
    }))
    const sessions = (
      db.prepare('SELECT token_session, deviceid, active FROM sessions ORDER BY created_seq').all() as Array<{
        token_session: string
        deviceid: string
        active: number
      }>
    ).map(row => ({ token: row.token_session, deviceid: row.deviceid, active: row.active === 1 }))
    return { rows, sessions }
  } finally {
    db.close()
  }
}

/** What the station's journal holds once it has stopped: every passing but voided ones, and its cloud identity. */
function readJournal(dataFolder: string) {
  const journal = new Journal(join(dataFolder, 'journal.sqlite'))
  try {
    const captured: CapturedPassing[] = []
    const tokens = new Set<string>()
    const localSessions: LocalSession[] = []
    for (const session of journal.sessions()) {
      localSessions.push({
        id: session.id,
        alias: session.alias,
        token: session.token,
        closed: session.closedAtUs !== null,
        blocked: session.blockKind
      })
      if (session.token) tokens.add(session.token)
      for (const passing of journal.passingsOfSession(session.id)) {
        if (passing.cloudToken) tokens.add(passing.cloudToken)
        if (passing.state === 'void') continue
        captured.push({
          sessionId: session.id,
          num: passing.num,
          bib: passing.bib ?? '',
          timestampMs: Math.floor(passing.timeUs / 1000),
          state: passing.state,
          cloudToken: passing.cloudToken ?? session.token,
          cloudNum: passing.num + session.cloudOffset,
          note: passing.note ? inEnglish(passing.note) : null
        })
      }
    }
    return {
      captured,
      localSessions,
      deviceid: journal.device()?.deviceid ?? null,
      localTokens: [...tokens]
    }
  } finally {
    journal.close()
  }
}

/** Notices kept per case: enough to show what the stations said, bounded against a station that repeats itself. */
const MAX_NOTICES = 2000

/** The `info`, `warning` and `error` lines a station printed with `--json`. */
function noticesOf(station: Spawned): Notice[] {
  const notices: Notice[] = []
  for (const line of station.lines) {
    if (!/"type":"(info|warning|error)"/.test(line)) continue
    try {
      const event = JSON.parse(line) as PrintedEvent
      if (event.type === 'info' || event.type === 'warning' || event.type === 'error') {
        notices.push({ level: event.type, code: event.code, message: event.message })
      }
    } catch {
      // a line cut by a kill
    }
  }
  return notices
}

async function stopGracefully(spawned: Spawned, timeoutMs = 15_000): Promise<number | null> {
  if (spawned.child.exitCode !== null) return spawned.child.exitCode
  spawned.child.kill('SIGTERM')
  const timer = setTimeout(() => killGroup(spawned), timeoutMs)
  const code = await spawned.exited()
  clearTimeout(timer)
  return code
}

/**
 * Builds the station's and the emulator's bundles once (each `--help` run rebuilds what a source change made stale),
 * so cases started side by side never rebuild the same bundle at the same time.
 */
export async function buildBundles(): Promise<void> {
  for (const entry of ['src/headless/cli.ts', 'src/emulator/cli.ts']) {
    const run = spawnBundled(entry, ['--help'])
    const code = await run.exited()
    if (code !== 0) throw new Error(`${entry} --help exited ${code}: ${run.stderr()}`)
  }
}

/** Runs one case from a fresh emulator and a fresh data folder to its report; everything it started is ended. */
export async function runCase(matrixCase: MatrixCase): Promise<MatrixReport> {
  const started = performance.now()
  // A folder of its own, removed in `finally`: cases may run side by side (`it.concurrent`).
  const folder = mkdtempSync(join(tmpdir(), 'rufus-matrix-'))
  const data = join(folder, 'station')
  const cloudDir = join(folder, 'cloud')
  const cleanups: Array<() => Promise<void> | void> = []
  try {
    const pty = await ptyPair(folder)
    cleanups.push(() => pty.stop())
    const cloud = spawnBundled('src/emulator/cli.ts', emulatorArgs(matrixCase, cloudDir))
    cleanups.push(() => killGroup(cloud))
    const rootUrl = (await cloud.waitForLine(/^listening on /)).replace('listening on ', '')
    const reader: SerialPort = await openSerialWriter(pty.b)
    cleanups.push(() => new Promise<void>(done => (reader.isOpen ? reader.close(() => done()) : done())))

    const stations: Spawned[] = []
    const reported = new Map<string, PassingEvent>()
    const collect = (station: Spawned) => {
      for (const event of jsonEvents(station, 'passing'))
        reported.set(`${event.session}/${event.num_passing}`, event)
    }
    const start = async (flags: readonly string[] = []): Promise<Spawned> => {
      const station = spawnBundled(
        'src/headless/cli.ts',
        headlessArgs(
          data,
          pty.a,
          [
            ...['--json', '--dedup-window', '0', '--device-serial', DEVICE_SERIAL],
            ...(matrixCase.stationFlags ?? []),
            ...flags
          ],
          `${rootUrl}/v0`
        ),
        { RUFUS_API_KEY: KEY }
      )
      stations.push(station)
      cleanups.push(() => killGroup(station))
      await station.waitForLine(/"type":"reader".*"state":"open"/)
      return station
    }

    let station: Spawned | null = null
    for (const batch of matrixCase.batches) {
      station ??= await start(batch.startFlags)
      const running: Spawned = station
      for (const bib of batch.bibs) {
        const before = jsonEvents(running, 'passing').length
        reader.write(`${bib}\r\n`)
        // One at a time, so every passing has an instant of its own, as runners crossing a line do.
        await untilWhileRunning(
          () => jsonEvents(running, 'passing').length > before,
          `bib ${bib} to be captured`,
          running,
          20_000,
          5
        )
      }
      if (batch.then === 'keep') continue
      if (batch.then === 'kill') {
        killGroup(running)
        await running.exited()
      } else {
        await stopGracefully(running)
      }
      collect(running)
      station = null
    }

    const last: Spawned = station ?? (await start())
    const lastSync = (): SyncEvent | null => jsonEvents(last, 'sync').at(-1) ?? null
    const settled = () => {
      collect(last)
      const sync = lastSync()
      return (
        sync !== null &&
        sync.pending === 0 &&
        sync.held === 0 &&
        sync.inFlight === 0 &&
        sync.synced + sync.quarantined + sync.conflict >= reported.size
      )
    }
    const isSettled = await untilWhileRunning(
      settled,
      'the station to settle',
      last,
      matrixCase.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS,
      SETTLED_POLL_MS
    ).then(
      () => true,
      () => false
    )
    const lastExitCode = await stopGracefully(last)
    collect(last)

    // Under `--envelope` the admin answers come wrapped like every other.
    const { faults: faultsInjected, ...requests } = unwrapEnvelope(
      await (await fetch(`${rootUrl}/admin/requests`)).json()
    ) as AdminRequests
    await stopGracefully(cloud)
    const cloudState = readCloud(cloudDir)
    const journal = readJournal(data)
    return buildReport({
      caseName: matrixCase.name,
      captured: journal.captured,
      reported: [...reported.values()],
      deviceid: journal.deviceid,
      localTokens: journal.localTokens,
      cloudRows: cloudState.rows,
      cloudSessions: cloudState.sessions,
      requests,
      faultsInjected,
      lastSync: lastSync(),
      settled: isSettled,
      stationStarts: stations.length,
      localSessions: journal.localSessions,
      notices: stations.flatMap(noticesOf).slice(-MAX_NOTICES),
      lastExitCode,
      elapsedMs: performance.now() - started
    })
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup()
    rmSync(folder, { recursive: true, force: true })
  }
}
