import { join } from 'node:path'
import { afterEach } from 'vitest'
import { Journal, type SessionRecord } from '../../src/core/journal/journal'
import type { RufusCloud } from '../../src/core/rufus/cloud'
import { SyncEngine, type SyncEngineOptions } from '../../src/core/sync/sync-engine'
import { inEnglish, type StationMessage } from '../../src/shared/messages'
import { FakeCloud, type FakeReading } from './fake-cloud'
import { FakeTime } from './fake-time'
import { tempFolder } from './station'

// The real engine and a real journal (a SQLite file), with the cloud in memory and time that moves only when the
// test moves it: every pause is exact, and minutes of sync take milliseconds.

export const IDLE_MS = 5000
/** The default backoff (500 ms base, doubling) with the jitter fixed at its middle (random 0.5). */
export const BACKOFF_MS = [375, 750, 1500, 3000, 6000] as const
export const BLOCKED_POLL_MS = 60_000

export interface Notice {
  readonly level: 'info' | 'warning' | 'error'
  readonly message: StationMessage
}

/** A note or message in English ('' for none), for assertions on its words. */
export function wordsOf(message: StationMessage | string | null | undefined): string {
  if (message === null || message === undefined) return ''
  return typeof message === 'string' ? message : inEnglish(message)
}

const running: Array<{ engine: SyncEngine; journal: Journal }> = []

afterEach(async () => {
  for (const { engine, journal } of running.splice(0)) {
    await engine.stop()
    journal.close()
  }
})

/** An engine on `journal`, driven by `time`, uploading to `cloud`; stopped after the test. */
export function startEngine(
  journal: Journal,
  cloud: RufusCloud,
  time: FakeTime,
  options: Partial<SyncEngineOptions> = {}
) {
  const notices: Notice[] = []
  const engine = new SyncEngine({
    journal,
    client: cloud,
    stationTag: 'rs-test',
    clock: time,
    timer: time.timer,
    random: () => 0.5,
    idlePollMs: IDLE_MS,
    onChange: () => undefined,
    onNotice: (level, message) =>
      notices.push({
        level,
        // An engine that still words its notices (a string) is shown as such, so old and new read alike.
        message: typeof message === 'string' ? { code: 'untranslated', params: { text: message } } : message
      }),
    ...options
  })
  running.push({ engine, journal })
  engine.start()
  return { engine, notices }
}

/** Stops an engine started by `startEngine` before the end of the test (to start another on the same journal). */
export async function stopEngine(engine: SyncEngine): Promise<void> {
  const index = running.findIndex(entry => entry.engine === engine)
  if (index >= 0) running.splice(index, 1)
  await engine.stop()
}

export interface RigOptions {
  readonly passings?: number
  readonly dedupe?: boolean
  readonly reading?: FakeReading
}

/** A journal with an open session holding `passings` manual passings (bibs 101, 102 …), and a cloud. */
export function rig(options: RigOptions = {}) {
  const time = new FakeTime()
  const cloud = new FakeCloud(time, { dedupe: options.dedupe ?? true, reading: options.reading })
  const path = join(tempFolder(), 'journal.sqlite')
  const journal = new Journal(path)
  journal.setDeviceIdentity({ serialNumber: 'RS-FAKETIME', model: 'RUFUS Station', alias: null })
  const session = journal.openSession('FINISH', time.nowUs())
  for (let i = 1; i <= (options.passings ?? 0); i += 1) capture(journal, session, time, String(100 + i))
  return { time, cloud, journal, path, session }
}

export function capture(journal: Journal, session: SessionRecord, time: FakeTime, bib: string | null) {
  return journal.insertManual(session.id, bib, time.nowUs(), time.nowUs())
}

export function tokenOf(journal: Journal, session: SessionRecord): string {
  const token = journal.session(session.id)?.token
  if (!token) throw new Error(`session ${session.id} has no cloud session`)
  return token
}

/** A rig whose engine has sent its first passing and is idle: the device is bound and the cloud session open. */
export async function uploadedRig(options: Partial<SyncEngineOptions> = {}, rigOptions: RigOptions = {}) {
  const parts = rig({ ...rigOptions, passings: 1 })
  const started = startEngine(parts.journal, parts.cloud, parts.time, options)
  await parts.time.untilPaused()
  return { ...parts, ...started, token: tokenOf(parts.journal, parts.session) }
}

/** One more turn of the event loop: enough for anything a wake could have started to show. */
export const turn = () => new Promise(resolve => setImmediate(resolve))
