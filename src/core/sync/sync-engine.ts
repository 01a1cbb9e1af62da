import type { RufusClient } from '../rufus/client'
import { explainRufusError, RufusError } from '../rufus/errors'
import { collectPages, sessionPassingPages } from '../rufus/paging'
import type { OutgoingPassing } from '../rufus/schemas'
import type { InflightBatch, Journal, PassingRecord, SessionRecord } from '../journal/journal'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff'
import { outgoingTimestamp, reconcile } from './reconcile'
import { timerDelay } from '../time/timer-delay'

/** Waits `ms`, then calls `done`; returns a function that cancels the wait. Injected in tests. */
export type WaitTimer = (ms: number, done: () => void) => () => void

const realTimer: WaitTimer = (ms, done) => {
  const timer = setTimeout(done, timerDelay(ms))
  return () => clearTimeout(timer)
}

export type ClosedElsewherePolicy = 'ask' | 'new-session'
export type UnboundPolicy = 'ask' | 'rebind'

export interface SyncBlock {
  readonly kind: 'key-refused' | 'closed-elsewhere' | 'device-unbound' | 'session-gone'
  readonly message: string
  readonly action: string
  readonly sessionId: number | null
}

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
  readonly client: RufusClient
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
  /** The station's clock, microseconds since the epoch (injected so the grace period is tested deterministically). */
  readonly nowUs?: () => number
  readonly onChange: () => void
  /** How the engine waits between steps (default: a real, clamped timer). */
  readonly timer?: WaitTimer
  readonly onNotice: (level: 'info' | 'warning' | 'error', message: string) => void
}

type StepOutcome = 'worked' | 'idle' | 'blocked'

const MAX_BATCH = 5000

/** A session's cloud alias carries the installation tag and local id, e.g. `FINISH [rs-1a2b3c4d#3]`. */
export function cloudAliasOf(session: Pick<SessionRecord, 'alias' | 'id'>, stationTag: string): string {
  return `${session.alias} [${stationTag}#${session.id}]`
}

export function toOutgoing(passing: PassingRecord, offset: number): OutgoingPassing {
  return {
    bib: passing.bib ?? '',
    num_passing: passing.num + offset,
    timestamp: outgoingTimestamp(passing.timeUs),
    chip: passing.chip,
    timezone: 'UTC'
  }
}

/**
 * The outbox: sends every unsynced passing exactly once, in order of sessions, and never loses one.
 *
 * Ambiguous failures leave an "in flight" record in the journal; before anything else is sent for that session,
 * the range is read back and compared, so a passing is neither sent twice nor skipped. Permanent failures block
 * with a plain message and an action; passings stay safe in the journal.
 */
export class SyncEngine {
  readonly #o: SyncEngineOptions
  #batchSize: number
  #attempt = 0
  #running = false
  #stopped = false
  #wake: (() => void) | null = null
  #loop: Promise<void> | null = null
  #online: boolean | null = null
  /** Set when a passing waits out its upload grace period: look again when it ends. */
  #graceWaitMs: number | null = null
  #graceEndsUs: number | null = null
  #lastError: string | null = null
  #lastSyncAtMs: number | null = null
  #inFlight = 0
  #engineBlock: SyncBlock | null = null
  #canRead: boolean | null = null
  #warnedWriteOnly = false
  #adoptionChecked = false
  #deviceWasAlreadyBound = false

  constructor(options: SyncEngineOptions) {
    this.#o = options
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
      canRead: this.#canRead,
      graceEndsUs: this.#graceEndsUs
    }
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#stopped = false
    this.#loop = this.#run()
  }

  /** Stops after the request in flight (if any) has settled. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#wake?.()
    await this.#loop
    this.#running = false
  }

  /** New passings, a new session or a user's decision: look again now. */
  wake(): void {
    this.#wake?.()
  }

  /** After the user fixed the key: try again. */
  resume(): void {
    this.#engineBlock = null
    this.#attempt = 0
    this.#changed()
    this.wake()
  }

  /** The cloud session was closed elsewhere: continue this local session in a new cloud session, same numbers. */
  continueInNewCloudSession(sessionId: number): void {
    const { journal } = this.#o
    journal.clearInflight(sessionId)
    journal.setSessionCloud(sessionId, { token: null, cloudState: 'none' })
    journal.setSessionBlock(sessionId, null, null)
    journal.log('sync', `session ${sessionId} continues in a new cloud session`, Date.now() * 1000)
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
    journal.log(
      'sync',
      `device re-bind requested; ${count} passings will be uploaded again`,
      Date.now() * 1000
    )
    this.#o.onNotice('info', `Binding the device again; ${count} passings will be uploaded again.`)
    this.resume()
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let outcome: StepOutcome
      let delayMs = 0
      try {
        outcome = await this.#step()
        if (outcome === 'worked') {
          this.#attempt = 0
          this.#lastError = null
        }
      } catch (error) {
        const handled = this.#handleError(error)
        outcome = handled.outcome
        delayMs = handled.delayMs
      }
      this.#changed()
      if (this.#stopped) break
      if (outcome === 'worked' && delayMs === 0) {
        await new Promise(resolve => setImmediate(resolve))
        continue
      }
      const idleMs = Math.min(this.#o.idlePollMs ?? 5000, this.#graceWaitMs ?? Infinity)
      this.#graceWaitMs = null
      const wait = outcome === 'idle' ? idleMs : outcome === 'blocked' ? 60_000 : delayMs
      await this.#sleep(wait, outcome !== 'worked' || delayMs === 0)
    }
  }

  #sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise(resolve => {
      let cancel = (): void => undefined
      function done() {
        cancel()
        resolve()
      }
      cancel = (this.#o.timer ?? realTimer)(timerDelay(ms), done)
      // A stop always ends the wait; new captures end it only when not backing off after an error.
      this.#wake = () => {
        if (wakeable || this.#stopped) done()
      }
    })
  }

  #changed(): void {
    this.#o.onChange()
  }

  #sessionBlock(): SyncBlock | null {
    for (const session of this.#o.journal.sessions()) {
      if (session.blockKind) {
        return {
          kind: session.blockKind as SyncBlock['kind'],
          message: session.blockMessage ?? '',
          action: actionFor(session.blockKind as SyncBlock['kind']),
          sessionId: session.id
        }
      }
    }
    return null
  }

  #handleError(error: unknown): { outcome: StepOutcome; delayMs: number } {
    this.#inFlight = 0
    const random = (this.#o.random ?? Math.random)()
    const backoff = this.#o.backoff ?? DEFAULT_BACKOFF
    if (error instanceof RufusError) {
      if (error.kind === 'forbidden') {
        this.#engineBlock = {
          kind: 'key-refused',
          message:
            'RUFUS Cloud refused the API key (revoked, mistyped, or without WRITE permission). Every passing is safe on this laptop.',
          action: actionFor('key-refused'),
          sessionId: null
        }
        this.#lastError = this.#engineBlock.message
        this.#o.onNotice('error', this.#engineBlock.message)
        return { outcome: 'blocked', delayMs: 0 }
      }
      this.#online = !(error.kind === 'network' || error.kind === 'timeout')
      this.#lastError = explainRufusError(error)
      const delayMs = backoffDelay(
        this.#attempt,
        backoff,
        random,
        error.kind === 'rate-limited' ? (error.retryAfterMs ?? 1000) : undefined
      )
      this.#attempt += 1
      return { outcome: 'worked', delayMs: Math.max(1, delayMs) }
    }
    this.#lastError = `Sync stopped by an unexpected problem: ${error instanceof Error ? error.message : String(error)}`
    this.#o.onNotice('error', this.#lastError)
    const delayMs = backoffDelay(this.#attempt, backoff, random)
    this.#attempt += 1
    return { outcome: 'worked', delayMs: Math.max(1, delayMs) }
  }

  /** One unit of work: bind, attach a session, reconcile, send a batch or close a session. */
  async #step(): Promise<StepOutcome> {
    if (this.#engineBlock) return 'blocked'
    const { journal } = this.#o
    const device = journal.device()
    if (!device) return 'idle'
    if (!device.deviceid) {
      await this.#bind(device.serialNumber, device.model, device.alias)
      return 'worked'
    }
    for (const session of journal.sessions()) {
      if (session.blockKind) return 'blocked'
      const counts = journal.counts(session.id)
      const isOpen = session.closedAtUs === null
      if (session.cloudState === 'none' || session.cloudState === 'creating') {
        if (isOpen || counts.pending > 0) {
          await this.#attach(session, device.deviceid)
          return 'worked'
        }
        continue
      }
      const flight = journal.inflight(session.id)
      if (flight) {
        await this.#resolveInflight(session, flight, false)
        return 'worked'
      }
      if (counts.pending > 0) {
        if (session.cloudState === 'closed') {
          // Passings pending (a bib filled in late) for a session closed in the cloud by us: reopen in a new one.
          journal.setSessionCloud(session.id, { token: null, cloudState: 'none' })
          return 'worked'
        }
        if (await this.#sendBatch(session, device.deviceid)) return 'worked'
        // Everything pending here waits out its grace period; later sessions wait too, to keep sessions in order.
        return 'idle'
      }
      if (!isOpen && session.cloudState === 'attached' && session.token) {
        await this.#o.client.closeSession(session.token)
        this.#online = true
        journal.setSessionCloud(session.id, { cloudState: 'closed' })
        journal.log('sync', `closed cloud session of local session ${session.id}`, Date.now() * 1000)
        return 'worked'
      }
      if (isOpen) return 'idle'
    }
    return 'idle'
  }

  async #bind(serialNumber: string, model: string, alias: string | null): Promise<void> {
    // Binding is safe to repeat: the same serial number answers 409 with the existing id.
    const result = await this.#o.client.bindDevice({
      model,
      serial_number: serialNumber,
      ...(alias ? { alias } : {})
    })
    this.#online = true
    this.#deviceWasAlreadyBound = result.alreadyBound
    this.#o.journal.setDeviceBinding(result.deviceid, Date.now())
    this.#o.journal.log(
      'sync',
      `device bound as ${result.deviceid}${result.alreadyBound ? ' (already bound)' : ''}`,
      Date.now() * 1000
    )
    this.#o.onNotice(
      'info',
      result.alreadyBound
        ? 'This device was already bound in RUFUS Cloud; using the existing device.'
        : 'Device bound in RUFUS Cloud.'
    )
  }

  async #probeRead(deviceid: string): Promise<boolean> {
    if (this.#canRead !== null) return this.#canRead
    try {
      await this.#o.client.deviceInfo(deviceid)
      this.#canRead = true
    } catch (error) {
      if (!(error instanceof RufusError && error.kind === 'forbidden')) throw error
      this.#canRead = false
      if (!this.#warnedWriteOnly) {
        this.#warnedWriteOnly = true
        this.#o.onNotice(
          'warning',
          'The API key can write but not read. The station cannot check what reached the cloud, so exactness rests on the cloud’s de-duplication. Use a READ_WRITE key.'
        )
      }
    }
    return this.#canRead
  }

  async #attach(session: SessionRecord, deviceid: string): Promise<void> {
    const { journal, client } = this.#o
    const alias = cloudAliasOf(session, this.#o.stationTag)
    const canRead = await this.#probeRead(deviceid)
    if (
      canRead &&
      (session.cloudState === 'creating' || (this.#o.adoptActiveSession && !this.#adoptionChecked))
    ) {
      this.#adoptionChecked = true
      const active = await client.activeSession(deviceid)
      if (active && active.alias === alias) {
        // An earlier create whose answer was lost: it is ours.
        journal.setSessionCloud(session.id, { token: active.token_session, cloudState: 'attached' })
        journal.log(
          'sync',
          `found cloud session ${active.token_session} created before an interruption`,
          Date.now() * 1000
        )
        return
      }
      if (active && this.#o.adoptActiveSession && this.#deviceWasAlreadyBound) {
        const existing = await collectPages(sessionPassingPages(client, active.token_session))
        const highest = existing.reduce((max, p) => Math.max(max, p.num_passing), 0)
        journal.setSessionCloud(session.id, {
          token: active.token_session,
          cloudState: 'attached',
          cloudOffset: highest
        })
        journal.log(
          'sync',
          `adopted cloud session ${active.token_session}; local numbers continue after ${highest}`,
          Date.now() * 1000
        )
        this.#o.onNotice(
          'info',
          `Continuing the device's active cloud session "${active.alias ?? ''}" after its passing ${highest}.`
        )
        return
      }
    }
    journal.setSessionCloud(session.id, { cloudState: 'creating' })
    const token = await client.insertSession(deviceid, alias).catch(async (error: unknown) => {
      if (error instanceof RufusError && error.kind === 'not-found') await this.#deviceGone(session)
      throw error
    })
    this.#online = true
    journal.setSessionCloud(session.id, { token, cloudState: 'attached' })
    journal.log('sync', `local session ${session.id} is cloud session ${token}`, Date.now() * 1000)
  }

  /** Sends the next batch; false when every pending passing is still in its grace period. */
  async #sendBatch(session: SessionRecord, deviceid: string): Promise<boolean> {
    const grace = this.#o.uploadGrace?.() ?? { graceMs: 0, allPassings: false }
    const nowUs = (this.#o.nowUs ?? (() => Date.now() * 1000))()
    const window =
      grace.graceMs > 0 ? { cutoffUs: nowUs - grace.graceMs * 1000, allSources: grace.allPassings } : null
    const batch = this.#o.journal.pendingBatch(session.id, this.#batchSize, window)
    this.#graceEndsUs = null
    if (batch.length > 0) {
      await this.#send(session, deviceid, batch)
      return true
    }
    this.#graceEndsUs = window ? this.#o.journal.graceEndsUs(session.id, window, grace.graceMs * 1000) : null
    this.#graceWaitMs =
      this.#graceEndsUs === null ? null : Math.max(1, Math.ceil((this.#graceEndsUs - nowUs) / 1000))
    return false
  }

  async #send(session: SessionRecord, deviceid: string, batch: readonly PassingRecord[]): Promise<void> {
    const { journal, client } = this.#o
    const token = session.token as string
    const flight: InflightBatch = {
      sessionId: session.id,
      token,
      firstNum: (batch[0] as PassingRecord).num,
      lastNum: (batch[batch.length - 1] as PassingRecord).num
    }
    journal.setInflight(flight, Date.now())
    this.#inFlight = batch.length
    this.#changed()
    let result
    try {
      result = await client.insertPassings(
        token,
        batch.map(p => toOutgoing(p, session.cloudOffset))
      )
    } catch (error) {
      this.#inFlight = 0
      if (!(error instanceof RufusError) || error.ambiguous) throw error
      journal.clearInflight(session.id)
      if (error.kind === 'payload-too-large') {
        this.#batchSize = Math.max(1, Math.floor(batch.length / 2))
        this.#o.onNotice(
          'info',
          `RUFUS Cloud found a batch too large; sending ${this.#batchSize} passings at a time.`
        )
        return
      }
      if (error.kind === 'bad-request') {
        await this.#bisect(session, deviceid, batch, error)
        return
      }
      if (error.kind === 'not-found') {
        await this.#sessionGone(session, deviceid)
        return
      }
      throw error
    }
    this.#online = true
    this.#inFlight = 0
    const duplicates = result.duplicate_count
    const suspicious = duplicates === undefined ? result.inserted_count < batch.length : duplicates > 0
    if (suspicious) {
      await this.#resolveInflight(session, flight, true)
      return
    }
    journal.markSynced(
      batch.map(p => p.id),
      token,
      Date.now()
    )
    journal.clearInflight(session.id)
    this.#lastSyncAtMs = Date.now()
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

  /**
   * Settles a batch by reading its range back: after an ambiguous failure (`answered` false) or an answer that
   * reported duplicates or fewer inserts than sent (`answered` true).
   */
  async #resolveInflight(session: SessionRecord, flight: InflightBatch, answered: boolean): Promise<void> {
    const { journal, client } = this.#o
    const deviceid = journal.device()?.deviceid ?? ''
    const local = journal
      .passingsInRange(session.id, flight.firstNum, flight.lastNum)
      .filter(p => p.state === 'pending')
    if (!(await this.#probeRead(deviceid))) {
      // Without READ the station cannot look. An answered batch is in the cloud; an ambiguous one is sent again,
      // and the cloud's de-duplication on (token_session, num_passing) keeps that exact.
      if (answered) {
        journal.markSynced(
          local.map(p => p.id),
          flight.token,
          Date.now(),
          'accepted by RUFUS Cloud; not verified (the key cannot read)'
        )
      }
      journal.clearInflight(session.id)
      return
    }
    const offset = session.cloudOffset
    const cloud = await collectPages(
      sessionPassingPages(client, flight.token, {
        first: flight.firstNum + offset,
        last: flight.lastNum + offset
      })
    ).catch(async (error: unknown) => {
      if (error instanceof RufusError && error.kind === 'not-found') {
        journal.clearInflight(session.id)
        await this.#sessionGone(session, deviceid)
        return null
      }
      throw error
    })
    if (cloud === null) return
    this.#online = true
    const outcome = reconcile(local, cloud, offset)
    const now = Date.now()
    const single = outcome.confirmed.filter(c => c.copies === 1).map(c => c.passing.id)
    const multiple = outcome.confirmed.filter(c => c.copies > 1)
    journal.markSynced(single, flight.token, now)
    for (const entry of multiple) {
      journal.markSynced(
        [entry.passing.id],
        flight.token,
        now,
        `stored ${entry.copies} times in the cloud (it does not de-duplicate)`
      )
    }
    for (const conflict of outcome.conflicts) {
      const note = `RUFUS Cloud already holds a different passing under number ${conflict.cloud.num_passing}: bib ${conflict.cloud.bib}, chip ${conflict.cloud.chip ?? '—'}, ${conflict.cloud.timestamp}`
      journal.markState([conflict.passing.id], 'conflict', note)
      this.#o.onNotice(
        'error',
        `Conflict: ${note}. The local passing (bib ${conflict.passing.bib ?? '—'}) was not marked as synced.`
      )
    }
    journal.clearInflight(session.id)
    if (outcome.confirmed.length > 0) this.#lastSyncAtMs = now
  }

  /** "Session not found or closed": find out whether the session was closed elsewhere or the device unbound. */
  async #sessionGone(session: SessionRecord, deviceid: string): Promise<void> {
    const { journal, client } = this.#o
    const pending = journal.counts(session.id).pending
    if (!(await this.#probeRead(deviceid))) {
      this.#blockSession(
        session,
        'session-gone',
        `RUFUS Cloud no longer accepts passings for session "${session.alias}" (${pending} waiting): it was closed elsewhere or the device was unbound, and this key cannot read which.`
      )
      return
    }
    try {
      await client.sessionInfo(session.token as string)
    } catch (error) {
      if (error instanceof RufusError && error.kind === 'not-found') {
        await this.#deviceGone(session)
        return
      }
      throw error
    }
    if (this.#o.onClosedElsewhere === 'new-session') {
      this.#o.onNotice(
        'warning',
        `The cloud session of "${session.alias}" was closed elsewhere; continuing in a new cloud session as configured.`
      )
      this.continueInNewCloudSession(session.id)
      return
    }
    this.#blockSession(
      session,
      'closed-elsewhere',
      `The cloud session of "${session.alias}" was closed from elsewhere while ${pending} passings wait to be uploaded. They are safe on this laptop.`
    )
  }

  async #deviceGone(session: SessionRecord): Promise<void> {
    const deviceid = this.#o.journal.device()?.deviceid ?? ''
    try {
      await this.#o.client.deviceInfo(deviceid)
      // The device exists: only the session is gone.
      this.#blockSession(
        session,
        'session-gone',
        `RUFUS Cloud no longer knows the session of "${session.alias}".`
      )
      return
    } catch (error) {
      if (!(error instanceof RufusError && error.kind === 'not-found')) throw error
    }
    if (this.#o.onUnbound === 'rebind') {
      this.#o.onNotice(
        'warning',
        'The device was unbound in RUFUS Cloud; binding again and uploading everything again as configured.'
      )
      this.rebindAndReupload()
      return
    }
    this.#blockSession(
      session,
      'device-unbound',
      'This device was unbound in RUFUS Cloud, which deleted its sessions and passings there. Every passing is still on this laptop.'
    )
  }

  #blockSession(session: SessionRecord, kind: SyncBlock['kind'], message: string): void {
    this.#o.journal.setSessionBlock(session.id, kind, message)
    this.#o.journal.log('sync', message, Date.now() * 1000)
    this.#o.onNotice('error', `${message} ${actionFor(kind)}`)
  }
}

function actionFor(kind: SyncBlock['kind']): string {
  switch (kind) {
    case 'key-refused':
      return 'Action: enter a valid API key with READ_WRITE access.'
    case 'closed-elsewhere':
      return 'Action: continue in a new cloud session (each passing keeps its number).'
    case 'device-unbound':
      return 'Action: bind the device again and upload everything again.'
    case 'session-gone':
      return 'Action: continue in a new cloud session, or check the device in RUFUS Cloud.'
  }
}
