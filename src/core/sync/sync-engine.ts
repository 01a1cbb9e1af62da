import type { RufusCloud } from '../rufus/cloud'
import { explainRufusError, RufusError } from '../rufus/errors'
import type { InflightBatch, Journal, PassingRecord, SessionRecord } from '../journal/journal'
import type { BackoffOptions } from './backoff'
import {
  actionFor,
  decideWhenGone,
  keyRefusedBlock,
  storedBlock,
  type ClosedElsewherePolicy,
  type GoneFinding,
  type SyncBlock,
  type SyncBlockKind,
  type UnboundPolicy
} from './blocks'
import { nextBatch, uploadBatch } from './batch-upload'
import { CloudLink } from './cloud-link'
import { settleByReadBack } from './read-back'
import { RetrySchedule, type StepResult, type Wait } from './schedule'
import { findWhetherDeviceGone, findWhySessionGone } from './session-gone'
import { sessionStep } from './session-plan'
import { SyncLoop } from './sync-loop'
import { realTimer, systemClock, type SyncClock, type WaitTimer } from './sync-time'

export interface SyncStatus {
  readonly online: boolean | null
  readonly lastError: string | null
  readonly lastSyncAtMs: number | null
  readonly inFlight: number
  readonly blocked: SyncBlock | null
  readonly canRead: boolean | null
  /** The last look found the next passing to upload still in its grace period (when it ends, µs), else null. */
  readonly graceEndsUs: number | null
}

export interface SyncEngineOptions {
  readonly journal: Journal
  /** RUFUS Cloud: the real client in the station, an in-memory cloud in unit tests. */
  readonly client: RufusCloud
  /** Short tag of this installation, put in cloud session aliases so an unknown create can be recognised. */
  readonly stationTag: string
  readonly batchSize?: number
  readonly backoff?: BackoffOptions
  readonly random?: () => number
  /** How long to wait, when idle, before looking again (new captures wake it sooner). */
  readonly idlePollMs?: number
  readonly onClosedElsewhere?: ClosedElsewherePolicy
  readonly onUnbound?: UnboundPolicy
  /** On first attach after a re-bind, continue the device's active cloud session instead of opening one. */
  readonly adoptActiveSession?: boolean
  /**
   * The upload grace period, read before each batch: passings typed or corrected by a person (or all) wait this
   * long so a fix made meanwhile goes up corrected. Zero or absent: no wait.
   */
  readonly uploadGrace?: () => { readonly graceMs: number; readonly allPassings: boolean }
  /** Every time the engine reads (default: the system clock). */
  readonly clock?: SyncClock
  /** How the engine waits between steps (default: a real, clamped timer). */
  readonly timer?: WaitTimer
  readonly onChange: () => void
  readonly onNotice: (level: 'info' | 'warning' | 'error', message: string) => void
}

const MAX_BATCH = 5000

/**
 * The outbox: sends every unsynced passing exactly once, in order of sessions, and never loses one.
 *
 * Ambiguous failures leave an "in flight" record in the journal; before anything else is sent for that session,
 * the range is read back and compared, so a passing is neither sent twice nor skipped. Permanent failures block
 * with a plain message and an action; passings stay safe in the journal.
 *
 * Its parts: `sync-loop` runs the steps on the injected timer and `schedule` decides the pauses (pure);
 * `session-plan` is the per-session state machine (pure); `cloud-link` binds the device and opens, finds and
 * closes cloud sessions; `batch-upload` sends a batch and settles its answer; `read-back` recovers a batch in
 * flight; `session-gone` finds out, and `blocks` decides (pure), what to do when the cloud drops a session. This
 * class picks each step, carries it out through those parts and keeps the status.
 */
export class SyncEngine {
  readonly #o: SyncEngineOptions
  readonly #clock: SyncClock
  readonly #schedule: RetrySchedule
  readonly #loop: SyncLoop
  readonly #link: CloudLink
  #batchSize: number
  #online: boolean | null = null
  #graceEndsUs: number | null = null
  #lastError: string | null = null
  #lastSyncAtMs: number | null = null
  #inFlight = 0
  #engineBlock: SyncBlock | null = null

  constructor(options: SyncEngineOptions) {
    this.#o = options
    this.#clock = options.clock ?? systemClock
    this.#schedule = new RetrySchedule(options)
    this.#loop = new SyncLoop(() => this.#turn(), options.timer ?? realTimer)
    this.#link = new CloudLink({
      journal: options.journal,
      cloud: options.client,
      clock: this.#clock,
      stationTag: options.stationTag,
      adoptActiveSession: options.adoptActiveSession,
      log: message => this.#log(message),
      onNotice: options.onNotice
    })
    this.#batchSize = Math.min(MAX_BATCH, Math.max(1, options.batchSize ?? 1000))
  }

  get batchSize(): number {
    return this.#batchSize
  }

  status(): SyncStatus {
    return {
      online: this.#online,
      lastError: this.#lastError,
      lastSyncAtMs: this.#lastSyncAtMs,
      inFlight: this.#inFlight,
      blocked: this.#engineBlock ?? this.#sessionBlock(),
      canRead: this.#link.canRead,
      graceEndsUs: this.#graceEndsUs
    }
  }

  start(): void {
    this.#loop.start()
  }

  /** Stops after the request in flight (if any) has settled. */
  async stop(): Promise<void> {
    await this.#loop.stop()
  }

  /** New passings, a new session or a user's decision: look again now. */
  wake(): void {
    this.#loop.wake()
  }

  /** After the user fixed the key: try again. */
  resume(): void {
    this.#engineBlock = null
    this.#schedule.reset()
    this.#changed()
    this.wake()
  }

  /** The cloud session was closed elsewhere: continue this local session in a new cloud session, same numbers. */
  continueInNewCloudSession(sessionId: number): void {
    const { journal } = this.#o
    journal.clearInflight(sessionId)
    journal.setSessionCloud(sessionId, { token: null, cloudState: 'none' })
    journal.setSessionBlock(sessionId, null, null)
    this.#log(`session ${sessionId} continues in a new cloud session`)
    this.#o.onNotice(
      'info',
      `Session ${sessionId} will continue in a new cloud session; each passing keeps its number.`
    )
    this.resume()
  }

  /** The device was unbound in the cloud (which deleted its data): bind again and upload everything again. */
  rebindAndReupload(): void {
    const { journal } = this.#o
    journal.setDeviceBinding(null, null)
    const count = journal.resetAllToPending('uploaded again after the device was unbound in the cloud')
    this.#log(`device re-bind requested; ${count} passings will be uploaded again`)
    this.#o.onNotice('info', `Binding the device again; ${count} passings will be uploaded again.`)
    this.resume()
  }

  /** One step, its failure turned into a result, and the pause the schedule asks for after it. */
  async #turn(): Promise<Wait | null> {
    let result: StepResult
    try {
      result = await this.#step()
      if (result.kind === 'worked') this.#lastError = null
    } catch (error) {
      result = this.#failed(error)
    }
    this.#changed()
    return this.#schedule.after(result)
  }

  #changed(): void {
    this.#o.onChange()
  }

  #log(message: string): void {
    this.#o.journal.log('sync', message, this.#clock.nowMs() * 1000)
  }

  #sessionBlock(): SyncBlock | null {
    for (const session of this.#o.journal.sessions()) {
      const block = storedBlock(session)
      if (block) return block
    }
    return null
  }

  #failed(error: unknown): StepResult {
    this.#inFlight = 0
    if (error instanceof RufusError) {
      if (error.kind === 'forbidden') {
        this.#engineBlock = keyRefusedBlock()
        this.#lastError = this.#engineBlock.message
        this.#o.onNotice('error', this.#engineBlock.message)
        return { kind: 'blocked' }
      }
      this.#online = !(error.kind === 'network' || error.kind === 'timeout')
      this.#lastError = explainRufusError(error)
      return error.kind === 'rate-limited'
        ? { kind: 'failed', retryAfterMs: error.retryAfterMs ?? 1000 }
        : { kind: 'failed' }
    }
    this.#lastError = `Sync stopped by an unexpected problem: ${error instanceof Error ? error.message : String(error)}`
    this.#o.onNotice('error', this.#lastError)
    return { kind: 'failed' }
  }

  /** One unit of work: bind, attach a session, read back, send a batch or close a session. */
  async #step(): Promise<StepResult> {
    if (this.#engineBlock) return { kind: 'blocked' }
    const { journal } = this.#o
    const device = journal.device()
    if (!device) return { kind: 'idle' }
    if (!device.deviceid) {
      await this.#link.bind(device)
      this.#online = true
      return { kind: 'worked' }
    }
    // Sessions strictly in order: creating a cloud session closes the device's active one.
    for (const session of journal.sessions()) {
      const flight = journal.inflight(session.id)
      const step = sessionStep({
        session,
        pending: journal.counts(session.id).pending,
        inflight: flight !== null
      })
      switch (step) {
        case 'done':
          continue
        case 'blocked':
          return { kind: 'blocked' }
        case 'live':
          return { kind: 'idle' }
        case 'attach':
          await this.#attach(session, device.deviceid)
          return { kind: 'worked' }
        case 'read-back':
          await this.#readBack(session, flight as InflightBatch, false)
          return { kind: 'worked' }
        case 'reattach':
          // Passings pending (a bib filled in late) for a session closed in the cloud by us: reopen in a new one.
          journal.setSessionCloud(session.id, { token: null, cloudState: 'none' })
          return { kind: 'worked' }
        case 'send':
          // Everything pending here may wait out its grace period; later sessions wait too, to keep them in order.
          return this.#sendNext(session, device.deviceid)
        case 'close':
          await this.#link.close(session, session.token as string)
          this.#online = true
          return { kind: 'worked' }
      }
    }
    return { kind: 'idle' }
  }

  async #attach(session: SessionRecord, deviceid: string): Promise<void> {
    if (await this.#link.attachExisting(session, deviceid)) return
    await this.#link.create(session, deviceid).catch(async (error: unknown) => {
      if (error instanceof RufusError && error.kind === 'not-found') {
        const pending = this.#o.journal.counts(session.id).pending
        this.#whenGone(session, pending, await findWhetherDeviceGone(this.#o.client, deviceid))
      }
      throw error
    })
    this.#online = true
  }

  /** Sends the next batch; idle (looking again when the grace period ends) when every pending passing waits. */
  async #sendNext(session: SessionRecord, deviceid: string): Promise<StepResult> {
    const grace = this.#o.uploadGrace?.() ?? { graceMs: 0, allPassings: false }
    const nowUs = this.#clock.nowUs()
    const next = nextBatch(this.#o.journal, session.id, this.#batchSize, grace, nowUs)
    this.#graceEndsUs = next.kind === 'waiting' ? next.graceEndsUs : null
    if (next.kind === 'batch') {
      await this.#send(session, deviceid, next.passings)
      return { kind: 'worked' }
    }
    if (next.graceEndsUs === null) return { kind: 'idle' }
    return { kind: 'idle', lookAgainMs: Math.max(1, Math.ceil((next.graceEndsUs - nowUs) / 1000)) }
  }

  async #send(session: SessionRecord, deviceid: string, batch: readonly PassingRecord[]): Promise<void> {
    this.#inFlight = batch.length
    this.#changed()
    let answer
    try {
      answer = await uploadBatch(
        { journal: this.#o.journal, cloud: this.#o.client, clock: this.#clock },
        session,
        batch
      )
    } finally {
      this.#inFlight = 0
    }
    switch (answer.kind) {
      case 'synced':
        this.#online = true
        this.#lastSyncAtMs = answer.atMs
        return
      case 'check':
        this.#online = true
        await this.#readBack(session, answer.flight, true)
        return
      case 'too-large':
        this.#batchSize = Math.max(1, Math.floor(batch.length / 2))
        this.#o.onNotice(
          'info',
          `RUFUS Cloud found a batch too large; sending ${this.#batchSize} passings at a time.`
        )
        return
      case 'refused':
        await this.#bisect(session, deviceid, batch, answer.error)
        return
      case 'session-gone':
        await this.#sessionGone(session, deviceid)
        return
    }
  }

  /** A batch refused as a whole: split it until the bad passing is alone, quarantine it, send the rest. */
  async #bisect(
    session: SessionRecord,
    deviceid: string,
    batch: readonly PassingRecord[],
    error: RufusError
  ): Promise<void> {
    if (batch.length === 1) {
      const reason = error.description ?? 'refused by RUFUS Cloud'
      this.#o.journal.markState([(batch[0] as PassingRecord).id], 'quarantined', reason)
      this.#o.onNotice(
        'warning',
        `Passing ${(batch[0] as PassingRecord).num} was refused by RUFUS Cloud (${reason}); it is kept aside and the rest goes on.`
      )
      return
    }
    const half = Math.ceil(batch.length / 2)
    await this.#send(session, deviceid, batch.slice(0, half))
    const latest = this.#o.journal.session(session.id) as SessionRecord
    if (latest.blockKind || latest.token !== session.token) return
    const rest = batch
      .slice(half)
      .map(p => this.#o.journal.passing(p.id) as PassingRecord)
      .filter(p => p.state === 'pending')
    if (rest.length > 0) await this.#send(session, deviceid, rest)
  }

  async #readBack(session: SessionRecord, flight: InflightBatch, answered: boolean): Promise<void> {
    const deviceid = this.#o.journal.device()?.deviceid ?? ''
    const canRead = await this.#link.probeRead(deviceid)
    const outcome = await settleByReadBack(
      { journal: this.#o.journal, cloud: this.#o.client, clock: this.#clock, onNotice: this.#o.onNotice },
      session,
      flight,
      { answered, canRead }
    )
    if (outcome.kind === 'session-gone') {
      await this.#sessionGone(session, deviceid)
    } else if (outcome.kind === 'read') {
      this.#online = true
      if (outcome.confirmed > 0) this.#lastSyncAtMs = outcome.atMs
    }
  }

  /** "Session not found or closed": find out whether the session was closed elsewhere or the device unbound. */
  async #sessionGone(session: SessionRecord, deviceid: string): Promise<void> {
    const pending = this.#o.journal.counts(session.id).pending
    const canRead = await this.#link.probeRead(deviceid)
    const finding = await findWhySessionGone(this.#o.client, session.token as string, deviceid, canRead)
    this.#whenGone(session, pending, finding)
  }

  #whenGone(session: SessionRecord, pending: number, finding: GoneFinding): void {
    const decision = decideWhenGone(finding, session, pending, this.#o)
    switch (decision.kind) {
      case 'block':
        this.#blockSession(session, decision.block, decision.message)
        return
      case 'new-cloud-session':
        this.#o.onNotice('warning', decision.notice)
        this.continueInNewCloudSession(session.id)
        return
      case 'rebind':
        this.#o.onNotice('warning', decision.notice)
        this.rebindAndReupload()
        return
    }
  }

  #blockSession(session: SessionRecord, kind: SyncBlockKind, message: string): void {
    this.#o.journal.setSessionBlock(session.id, kind, message)
    this.#log(message)
    this.#o.onNotice('error', `${message} ${actionFor(kind)}`)
  }
}
