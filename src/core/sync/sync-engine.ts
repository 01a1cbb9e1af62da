/* eslint max-lines: ["error", { "max": 530, "skipBlankLines": true, "skipComments": true }] -- jobs: the status;
   the person's decisions (resume, continue in a new cloud session, rebind, send a waiting session now); each step
   picked and its failure turned into a result; per session: attach, close, send, read back, refusals, session or
   device gone. A split is the lead's (issue 15), after issue 14's merge. */
import type { RufusCloud } from '../rufus/cloud'
import { RufusError, rufusErrorMessage } from '../rufus/errors'
import type { InflightBatch, Journal, PassingRecord, SessionRecord } from '../journal/journal'
import { inEnglish, type StationMessage } from '../../shared/messages'
import type { BackoffOptions } from './backoff'
import {
  actionFor,
  allRefusedBlock,
  blockNotice,
  decideWhenGone,
  keyRefusedBlock,
  storedBlock,
  writeOnlyHoldMessage,
  type ClosedElsewherePolicy,
  type GoneFinding,
  type SyncBlock,
  type SyncBlockKind,
  type UnboundPolicy
} from './blocks'
import { nextBatch, reportsDuplicates, uploadBatch, type Answered } from './batch-upload'
import { CloseRetries } from './close-retries'
import { CloudLink } from './cloud-link'
import { settleByReadBack } from './read-back'
import { clearResend, isResend, markResend, settleResend } from './resend-mark'
import { ALL_REFUSED_AFTER, RefusalStreak } from './refusals'
import { newRun, putBack, setAside, splitRefused, type RefusalRun, type SplitParts } from './refused-batch'
import { RetrySchedule, type StepResult, type Wait } from './schedule'
import { findWhetherDeviceGone, findWhySessionGone } from './session-gone'
import { liveHolder, sessionStep } from './session-plan'
import { SyncLoop } from './sync-loop'
import { realTimer, systemClock, type SyncClock, type WaitTimer } from './sync-time'
import { WaitingSessions, type WaitingSession } from './waiting-sessions'

export interface SyncStatus {
  readonly online: boolean | null
  readonly lastError: StationMessage | null
  readonly lastSyncAtMs: number | null
  readonly inFlight: number
  readonly blocked: SyncBlock | null
  readonly canRead: boolean | null
  /** The last look found the next passing to upload still in its grace period (when it ends, µs), else null. */
  readonly graceEndsUs: number | null
  /** Passings of a closed session waiting for the live session to end (`sync.waiting-for-live-session`), or null. */
  readonly waiting: StationMessage | null
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
  /** What the engine tells a person, as a message code (never words). */
  readonly onNotice: (level: 'info' | 'warning' | 'error', message: StationMessage) => void
}

const MAX_BATCH = 5000
/** Failures that mean RUFUS Cloud cannot be reached (as opposed to answering with a problem). */
const OFFLINE_KINDS: ReadonlySet<RufusError['kind']> = new Set(['network', 'timeout', 'not-rufus'])

interface SessionLook {
  readonly session: SessionRecord
  readonly pending: number
  readonly flight: InflightBatch | null
  readonly inflight: boolean
}

/**
 * The outbox: sends every unsynced passing exactly once, in order of sessions, and never loses one.
 *
 * Ambiguous failures leave an "in flight" record in the journal; before anything else is sent for that session,
 * the range is read back and compared, so a passing is neither sent twice nor skipped. Permanent failures block
 * with a message and an action; passings stay safe in the journal. A session's block, its stuck close, or its wait
 * for the live session holds back no other session.
 *
 * Its parts: `sync-loop` runs the steps on the injected timer and `schedule` decides the pauses (pure);
 * `session-plan` is the per-session state machine (pure); `cloud-link` binds the device and opens, finds and
 * closes cloud sessions; `batch-upload` sends a batch and settles its answer; `read-back` (over `range-read`)
 * recovers a batch in flight, `write-only` deciding when the key cannot read; `refused-batch` splits a refused batch
 * and `refusals` tells one bad passing from a cloud that refuses them all; `close-retries` and `waiting-sessions`
 * keep a stuck close and a late fix from holding others back; `session-gone` finds out, and `blocks` decides (pure), what to do when the cloud
 * drops a session. This class picks each step, carries it out through those parts and keeps the status.
 */
export class SyncEngine {
  readonly #o: SyncEngineOptions
  readonly #clock: SyncClock
  readonly #schedule: RetrySchedule
  readonly #loop: SyncLoop
  readonly #link: CloudLink
  readonly #refusals = new RefusalStreak()
  readonly #closeRetries: CloseRetries
  readonly #waiting = new WaitingSessions()
  /** Waiting sessions the timer chose to send now (at most those waiting; each goes once done). */
  readonly #sendNow = new Set<number>()
  #batchSize: number
  #online: boolean | null = null
  #graceEndsUs: number | null = null
  #lastError: StationMessage | null = null
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
    this.#closeRetries = new CloseRetries(options)
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
      graceEndsUs: this.#graceEndsUs,
      waiting: this.#waiting.message
    }
  }

  start(): void {
    this.#loop.start()
  }

  /** Stops after the request in flight (if any) has settled. */
  async stop(): Promise<void> {
    await this.#loop.stop()
  }

  /** New passings, a new session or a user's decision: look again now (not during a backoff or a re-check). */
  wake(): void {
    this.#loop.wake()
  }

  /** A person fixed the key (or wants another try now): try again at once. */
  resume(): void {
    this.#engineBlock = null
    this.#schedule.reset()
    this.#link.forgetReadAccess()
    this.#changed()
    this.#loop.interrupt()
  }

  /**
   * The timer's word: passings of closed sessions waiting for the live session go up now, in a cloud session of
   * their own, which closes the live one's; the live session then continues in a new cloud session.
   */
  sendWaitingNow(): void {
    for (const id of this.#waiting.ids) this.#sendNow.add(id)
    this.#loop.interrupt()
  }

  /** The cloud session was closed elsewhere: continue this local session in a new cloud session, same numbers. */
  continueInNewCloudSession(sessionId: number): void {
    const { journal } = this.#o
    journal.clearInflight(sessionId)
    journal.setSessionCloud(sessionId, { token: null, cloudState: 'none' })
    journal.setSessionBlock(sessionId, null, null)
    this.#log(`session ${sessionId} continues in a new cloud session`)
    this.#o.onNotice('info', { code: 'sync.continues-new-session', params: { session: sessionId } })
    this.resume()
  }

  /** The device was unbound in the cloud (which deleted its data): bind again and upload everything again. */
  rebindAndReupload(): void {
    const { journal } = this.#o
    journal.setDeviceBinding(null, null)
    const count = journal.resetAllToPending({ code: 'sync.note.reuploaded', params: {} })
    clearResend(journal)
    this.#log(`device re-bind requested; ${count} passings will be uploaded again`)
    this.#o.onNotice('info', { code: 'sync.rebinding', params: { count } })
    this.resume()
  }

  /** One step, its failure turned into a result, and the pause the schedule asks for after it. */
  async #turn(): Promise<Wait | null> {
    let result: StepResult
    try {
      result = this.#engineBlock?.kind === 'key-refused' ? await this.#recheckKey() : await this.#step()
      if (result.kind === 'worked') this.#lastError = null
    } catch (error) {
      result = this.#failed(error)
    }
    // A stop that may pass by itself keeps its own slower ladder of checks, whatever the step did.
    if (this.#engineBlock) result = { kind: 'recheck' }
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
        this.#blockOnKey()
        return { kind: 'recheck' }
      }
      this.#trouble(error)
      return error.kind === 'rate-limited'
        ? { kind: 'failed', retryAfterMs: error.retryAfterMs ?? 1000 }
        : { kind: 'failed' }
    }
    this.#lastError = {
      code: 'sync.unexpected',
      params: { detail: error instanceof Error ? error.message : String(error) }
    }
    this.#o.onNotice('error', this.#lastError)
    return { kind: 'failed' }
  }

  /** What a failed call says about the connection, in the status. */
  #trouble(error: RufusError): void {
    this.#online = !OFFLINE_KINDS.has(error.kind)
    this.#lastError = rufusErrorMessage(error)
  }

  /** 401/403: shown at once (once), then re-checked by itself (`#recheckKey`); passings stay safe. */
  #blockOnKey(): void {
    if (this.#engineBlock?.kind === 'key-refused') return
    this.#engineBlock = keyRefusedBlock()
    this.#lastError = this.#engineBlock.message
    this.#log('RUFUS Cloud refused the API key')
    this.#o.onNotice('error', blockNotice(this.#engineBlock))
  }

  /** One harmless request: when the key works again, sync resumes by itself and asks again whether it may read. */
  async #recheckKey(): Promise<StepResult> {
    if (!(await this.#link.keyWorks())) return { kind: 'recheck' }
    this.#engineBlock = null
    this.#link.forgetReadAccess()
    this.#log('RUFUS Cloud accepts the API key again')
    this.#o.onNotice('info', { code: 'sync.key-works-again', params: {} })
    const deviceid = this.#o.journal.device()?.deviceid
    if (deviceid) await this.#link.probeRead(deviceid)
    return { kind: 'worked' }
  }

  /** One unit of work: bind, attach a session, read back, send a batch or close a session. */
  async #step(): Promise<StepResult> {
    const { journal } = this.#o
    const device = journal.device()
    if (!device) return { kind: 'idle' }
    if (!device.deviceid) {
      await this.#link.bind(device)
      this.#online = true
      return { kind: 'worked' }
    }
    const waiting: WaitingSession[] = []
    const pass = { complete: false, reached: new Set<number>() }
    try {
      return await this.#sessionsStep(device.deviceid, waiting, pass)
    } finally {
      for (const message of this.#waiting.found(waiting, pass.reached, pass.complete)) {
        this.#log(inEnglish(message))
        this.#o.onNotice('info', message)
      }
    }
  }

  /**
   * Sessions in order, because creating a cloud session closes the device's active one: the first with work gets
   * this step. A blocked session, a close that does not go through, and a closed session waiting for the live one
   * are passed over, so none of them holds back a later session.
   */
  async #sessionsStep(
    deviceid: string,
    waiting: WaitingSession[],
    pass: { complete: boolean; readonly reached: Set<number> }
  ): Promise<StepResult> {
    const { journal } = this.#o
    const looks: SessionLook[] = journal.sessions().map(session => {
      const flight = journal.inflight(session.id)
      return { session, pending: journal.counts(session.id).pending, flight, inflight: flight !== null }
    })
    let blocked = false
    let lookAgainMs: number | undefined
    for (const [index, look] of looks.entries()) {
      const { session } = look
      pass.reached.add(session.id)
      const step = sessionStep(look)
      switch (step) {
        case 'done':
          this.#sendNow.delete(session.id)
          continue
        case 'blocked':
          if (await this.#holdLifted(session, deviceid)) return { kind: 'worked' }
          blocked = true
          continue
        case 'live':
          pass.complete = true
          return { kind: 'idle', lookAgainMs }
        case 'attach':
        case 'reattach': {
          const live = session.closedAtUs === null ? null : liveHolder(looks.slice(index + 1))
          if (live && !this.#sendNow.has(session.id)) {
            waiting.push({ session, pending: look.pending, live: live.session })
            continue
          }
          if (step === 'reattach') {
            // Passings pending (a bib filled in late) for a session closed in the cloud by us: a new one for them.
            journal.setSessionCloud(session.id, { token: null, cloudState: 'none' })
            return { kind: 'worked' }
          }
          await this.#attach(session, deviceid)
          if (live) this.#liveMovesOn(live.session, session)
          return { kind: 'worked' }
        }
        case 'read-back':
          return this.#readBack(session, look.flight as InflightBatch, null)
        case 'send':
          // Everything pending here may wait out its grace period; later sessions wait too, to keep them in order.
          return this.#sendNext(session, deviceid)
        case 'close': {
          const nowMs = this.#clock.nowMs()
          const waitMs = this.#closeRetries.waitMs(session.id, nowMs)
          const retryAtMs = waitMs > 0 ? nowMs + waitMs : await this.#close(session, deviceid)
          if (retryAtMs === null) return { kind: 'worked' }
          lookAgainMs = Math.min(lookAgainMs ?? Infinity, Math.max(1, retryAtMs - nowMs))
          continue
        }
      }
    }
    pass.complete = true
    return blocked && lookAgainMs === undefined ? { kind: 'blocked' } : { kind: 'idle', lookAgainMs }
  }

  /** Sent now by the timer's word: the live session's cloud session is closed by this create; it moves on. */
  #liveMovesOn(live: SessionRecord, late: SessionRecord): void {
    this.#o.journal.setSessionCloud(live.id, { token: null, cloudState: 'none' })
    this.#log(`session ${late.id} sent now; live session ${live.id} continues in a new cloud session`)
    this.#o.onNotice('info', {
      code: 'sync.sending-waiting-now',
      params: { session: late.alias, live: live.alias }
    })
  }

  /** A WRITE-only hold lifts by itself once the key may read: the batch is then read back. */
  async #holdLifted(session: SessionRecord, deviceid: string): Promise<boolean> {
    if (session.blockKind !== 'write-only-hold') return false
    if (!(await this.#link.probeRead(deviceid))) return false
    this.#o.journal.setSessionBlock(session.id, null, null)
    this.#log(`the key may read now; the batch held for session ${session.id} is read back`)
    return true
  }

  async #attach(session: SessionRecord, deviceid: string): Promise<void> {
    if (await this.#link.attachExisting(session, deviceid)) return
    await this.#link.create(session, deviceid).catch(async (error: unknown) => {
      if (error instanceof RufusError && error.kind === 'not-found') {
        const pending = this.#o.journal.counts(session.id).pending
        await this.#whenGone(
          session,
          deviceid,
          pending,
          await findWhetherDeviceGone(this.#o.client, deviceid)
        )
      }
      throw error
    })
    this.#online = true
  }

  /**
   * Closes the session's cloud session: null when done, else when to try again. Such a close waits its own backoff
   * and later sessions go on meanwhile (the next cloud session closes it anyway, by the documented rule). The key
   * is the exception: a 401/403 stops everything.
   */
  async #close(session: SessionRecord, deviceid: string): Promise<number | null> {
    try {
      if ((await this.#link.close(session, session.token as string, deviceid)) === 'closed') {
        this.#closeRetries.closed(session.id)
        this.#online = true
        return null
      }
    } catch (error) {
      if (!(error instanceof RufusError) || error.kind === 'forbidden') throw error
      this.#trouble(error)
    }
    return this.#closeRetries.failed(session.id, this.#clock.nowMs())
  }

  /** Sends the next batch; idle (looking again when the grace period ends) when every pending passing waits. */
  async #sendNext(session: SessionRecord, deviceid: string): Promise<StepResult> {
    const grace = this.#o.uploadGrace?.() ?? { graceMs: 0, allPassings: false }
    const nowUs = this.#clock.nowUs()
    // While every passing is refused, one passing alone asks whether that is still so.
    const limit = this.#engineBlock?.kind === 'all-refused' ? 1 : this.#batchSize
    const next = nextBatch(this.#o.journal, session.id, limit, grace, nowUs)
    this.#graceEndsUs = next.kind === 'waiting' ? next.graceEndsUs : null
    if (next.kind === 'batch') return this.#send(session, deviceid, next.passings)
    if (next.graceEndsUs === null) return { kind: 'idle' }
    return { kind: 'idle', lookAgainMs: Math.max(1, Math.ceil((next.graceEndsUs - nowUs) / 1000)) }
  }

  async #send(
    session: SessionRecord,
    deviceid: string,
    batch: readonly PassingRecord[],
    run: RefusalRun | null = null
  ): Promise<StepResult> {
    this.#inFlight = batch.length
    this.#changed()
    const { journal } = this.#o
    const resent = isResend(journal, session.id, batch)
    let answer
    try {
      answer = await uploadBatch(
        { journal, cloud: this.#o.client, clock: this.#clock },
        session,
        batch,
        resent
      )
      if (resent) clearResend(journal)
    } catch (error) {
      if (resent) settleResend(journal, error)
      throw error
    } finally {
      this.#inFlight = 0
    }
    switch (answer.kind) {
      case 'synced':
        this.#online = true
        this.#lastSyncAtMs = answer.atMs
        this.#accepted()
        return { kind: 'worked' }
      case 'check':
        this.#online = true
        this.#accepted()
        return this.#readBack(session, answer.flight, answer.answered)
      case 'too-large':
        this.#batchSize = Math.max(1, Math.floor(batch.length / 2))
        this.#o.onNotice('info', { code: 'sync.smaller-batches', params: { size: this.#batchSize } })
        return { kind: 'worked' }
      case 'refused':
        await this.#refused(session, deviceid, batch, answer.error, run)
        return { kind: 'worked' }
      case 'session-gone':
        await this.#sessionGone(session, deviceid)
        return { kind: 'worked' }
    }
  }

  /** The cloud took a batch (a 2xx): refusals in a row are over, and so is a stop for them. */
  #accepted(): void {
    this.#refusals.accepted()
    if (this.#engineBlock?.kind !== 'all-refused') return
    this.#engineBlock = null
    this.#log('RUFUS Cloud accepts passings again')
  }

  /** A batch refused with a 400: split it until each refused passing is alone, then set those aside. */
  async #refused(
    session: SessionRecord,
    deviceid: string,
    batch: readonly PassingRecord[],
    error: RufusError,
    run: RefusalRun | null
  ): Promise<void> {
    const parts: SplitParts = {
      journal: this.#o.journal,
      streak: this.#refusals,
      send: (part, partRun) => this.#send(session, deviceid, part, partRun),
      allRefused: reason => this.#allRefused(reason),
      otherPending: except =>
        this.#o.journal
          .pendingBatch(session.id, except.size + 1, null)
          .find(passing => !except.has(passing.id)) ?? null,
      acceptedBefore: () => this.#o.journal.counts(session.id).synced > 0
    }
    if (run) return splitRefused(parts, session, batch, error, run)
    const own = newRun()
    await splitRefused(parts, session, batch, error, own)
    // Refused for another reason than all the others: the cloud no longer refuses everything alike.
    if (setAside(this.#o.journal, own, this.#o.onNotice) > 0 && this.#engineBlock?.kind === 'all-refused') {
      this.#engineBlock = null
    }
  }

  /** Every passing tried alone refused for one reason: stop and say so once; nothing stays set aside. */
  #allRefused(reason: string | null): void {
    putBack(this.#o.journal, this.#refusals.ids)
    if (this.#engineBlock?.kind === 'all-refused') return
    this.#engineBlock = allRefusedBlock(reason, ALL_REFUSED_AFTER)
    this.#lastError = this.#engineBlock.message
    this.#log(inEnglish(this.#engineBlock.message))
    this.#o.onNotice('error', blockNotice(this.#engineBlock))
  }

  async #readBack(
    session: SessionRecord,
    flight: InflightBatch,
    answered: Answered | null
  ): Promise<StepResult> {
    const { journal } = this.#o
    const deviceid = journal.device()?.deviceid ?? ''
    const canRead = await this.#link.probeRead(deviceid)
    const outcome = await settleByReadBack(
      { journal, cloud: this.#o.client, clock: this.#clock, onNotice: this.#o.onNotice },
      session,
      flight,
      { answered, canRead, reportsDuplicates: reportsDuplicates(journal) }
    )
    switch (outcome.kind) {
      case 'session-gone':
        await this.#sessionGone(session, deviceid)
        return { kind: 'worked' }
      case 'read':
        this.#online = true
        if (outcome.confirmed > 0) this.#lastSyncAtMs = outcome.atMs
        // Answered for but not shown: the one more try comes after a pause, never at once.
        return outcome.unseen > 0 ? { kind: 'backoff' } : { kind: 'worked' }
      case 'unread':
        if (outcome.resend) {
          markResend(journal, { sessionId: session.id, first: flight.firstNum, last: flight.lastNum })
          this.#o.onNotice('info', { code: 'sync.write-only-resend', params: { count: outcome.count } })
        } else {
          this.#lastSyncAtMs = this.#clock.nowMs()
        }
        return { kind: 'worked' }
      case 'hold':
        this.#blockSession(session, 'write-only-hold', writeOnlyHoldMessage(outcome.count, outcome.why))
        return { kind: 'worked' }
    }
  }

  /** "Session not found or closed": find out whether the session was closed elsewhere or the device unbound. */
  async #sessionGone(session: SessionRecord, deviceid: string): Promise<void> {
    const pending = this.#o.journal.counts(session.id).pending
    const canRead = await this.#link.probeRead(deviceid)
    const finding = await findWhySessionGone(this.#o.client, session.token as string, deviceid, canRead)
    await this.#whenGone(session, deviceid, pending, finding)
  }

  async #whenGone(
    session: SessionRecord,
    deviceid: string,
    pending: number,
    finding: GoneFinding
  ): Promise<void> {
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
        await this.#confirmUnbound(deviceid)
        this.#o.onNotice('warning', decision.notice)
        this.rebindAndReupload()
        return
    }
  }

  /**
   * Before everything is uploaded again: binding the serial number again tells a device the cloud deleted (a new
   * id) from a 404 worded by something in front of it (the same id, already bound). The latter is a failure to
   * back off from, never a reason to upload every passing a second time.
   */
  async #confirmUnbound(deviceid: string): Promise<void> {
    const device = this.#o.journal.device()
    if (!device) return
    const bound = await this.#o.client.bindDevice({
      model: device.model,
      serial_number: device.serialNumber,
      ...(device.alias ? { alias: device.alias } : {})
    })
    if (!bound.alreadyBound || bound.deviceid !== deviceid) return
    this.#log('RUFUS Cloud answered "not found", yet the device is still bound: not uploading again')
    throw new RufusError('server', 'RUFUS Cloud answered "not found" for a device that is still bound')
  }

  #blockSession(session: SessionRecord, kind: SyncBlockKind, message: StationMessage): void {
    this.#o.journal.setSessionBlock(session.id, kind, message)
    this.#log(inEnglish(message))
    this.#o.onNotice('error', blockNotice({ message, action: actionFor(kind) }))
  }
}
