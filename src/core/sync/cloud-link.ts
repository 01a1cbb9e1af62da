import type { DeviceRecord, Journal, SessionRecord } from '../journal/journal'
import type { RufusCloud } from '../rufus/cloud'
import { RufusError } from '../rufus/errors'
import type { StationMessage } from '../../shared/messages'
import { readWholeSession } from './range-read'
import type { SyncClock } from './sync-time'

/** A session's cloud alias carries the installation tag and local id, e.g. `FINISH [rs-1a2b3c4d#3]`. */
export function cloudAliasOf(session: Pick<SessionRecord, 'alias' | 'id'>, stationTag: string): string {
  return `${session.alias} [${stationTag}#${session.id}]`
}

export interface CloudLinkOptions {
  readonly journal: Journal
  readonly cloud: RufusCloud
  readonly clock: SyncClock
  readonly stationTag: string
  /** On first attach after a re-bind, continue the device's active cloud session instead of opening one. */
  readonly adoptActiveSession?: boolean
  /** A line in the journal's station log. */
  readonly log: (message: string) => void
  readonly onNotice: (level: 'info' | 'warning', message: StationMessage) => void
}

/** A device id no device has: creating a session for it is refused as "not found" by a key that may write. */
const NO_DEVICE = '0'.repeat(64)

/** A key found unable to read is asked again after this long (it may have been given READ meanwhile). */
export const READ_RECHECK_MS = 5 * 60_000

/** What became of a close. */
export type CloseOutcome = 'closed' | 'still-active'

/**
 * This station's device and sessions in the cloud: binding the device, learning whether the key may read,
 * finding or opening a local session's cloud session, and closing it. Each change is stored in the journal.
 */
export class CloudLink {
  readonly #o: CloudLinkOptions
  #canRead: boolean | null = null
  #readCheckedAtMs = 0
  #warnedWriteOnly = false
  #adoptionChecked = false
  #deviceWasAlreadyBound = false

  constructor(options: CloudLinkOptions) {
    this.#o = options
  }

  /** Whether the key may read, once known. */
  get canRead(): boolean | null {
    return this.#canRead
  }

  async bind(device: Pick<DeviceRecord, 'serialNumber' | 'model' | 'alias'>): Promise<void> {
    // Binding is safe to repeat: the same serial number answers 409 with the existing id.
    const result = await this.#o.cloud.bindDevice({
      model: device.model,
      serial_number: device.serialNumber,
      ...(device.alias ? { alias: device.alias } : {})
    })
    this.#deviceWasAlreadyBound = result.alreadyBound
    this.#o.journal.setDeviceBinding(result.deviceid, this.#o.clock.nowMs())
    this.#o.log(`device bound as ${result.deviceid}${result.alreadyBound ? ' (already bound)' : ''}`)
    this.#o.onNotice('info', {
      code: result.alreadyBound ? 'sync.device-already-bound' : 'sync.device-bound',
      params: {}
    })
  }

  /**
   * Whether the key may read (a READ_WRITE key), asked once and warned about once; a "no" is asked again after
   * `READ_RECHECK_MS`, since a key can be given READ later.
   */
  async probeRead(deviceid: string): Promise<boolean> {
    const fresh = this.#o.clock.nowMs() - this.#readCheckedAtMs < READ_RECHECK_MS
    if (this.#canRead === true || (this.#canRead === false && fresh)) return this.#canRead
    try {
      await this.#o.cloud.deviceInfo(deviceid)
      this.#canRead = true
    } catch (error) {
      if (!(error instanceof RufusError && error.kind === 'forbidden')) throw error
      // A key refused for everything (revoked, a firewall) is refused for reading too: that is a key block, not
      // a WRITE-only key, whose rules would resend a batch blind or hold it for minutes after the key is back.
      if (!(await this.keyWorks())) throw error
      this.#canRead = false
      if (!this.#warnedWriteOnly) {
        this.#warnedWriteOnly = true
        this.#o.onNotice('warning', { code: 'sync.key-write-only', params: {} })
      }
    }
    this.#readCheckedAtMs = this.#o.clock.nowMs()
    return this.#canRead
  }

  /** Forgets what the key may read (after it was refused and works again): the next need asks again. */
  forgetReadAccess(): void {
    this.#canRead = null
  }

  /**
   * Whether the cloud takes the key for writing again, with one harmless request: creating a session for a device
   * that cannot exist is "not found" to a key that may write, and 401/403 to one that may not.
   */
  async keyWorks(): Promise<boolean> {
    try {
      await this.#o.cloud.insertSession(NO_DEVICE, 'key check')
      return true
    } catch (error) {
      if (!(error instanceof RufusError)) throw error
      if (error.kind === 'forbidden') return false
      if (error.kind === 'not-found' || error.kind === 'bad-request') return true
      throw error
    }
  }

  /**
   * Attaches the session to a cloud session that already exists, when one should: ours from a create whose
   * answer was lost, or (adopting) the device's active one. False when a new one must be created.
   */
  async attachExisting(session: SessionRecord, deviceid: string): Promise<boolean> {
    const { journal, cloud, adoptActiveSession } = this.#o
    const canRead = await this.probeRead(deviceid)
    const mayLook = session.cloudState === 'creating' || (adoptActiveSession && !this.#adoptionChecked)
    if (!canRead || !mayLook) return false
    this.#adoptionChecked = true
    const active = await cloud.activeSession(deviceid)
    if (active && active.alias === cloudAliasOf(session, this.#o.stationTag)) {
      // An earlier create whose answer was lost: it is ours.
      journal.setSessionCloud(session.id, { token: active.token_session, cloudState: 'attached' })
      this.#o.log(`found cloud session ${active.token_session} created before an interruption`)
      return true
    }
    if (!active || !adoptActiveSession || !this.#deviceWasAlreadyBound) return false
    const existing = await readWholeSession(cloud, active.token_session)
    // A highest number read short of the end would let our numbers land on passings already there.
    if (!existing.complete) throw new Error(`the active cloud session could not be read to its end`)
    const highest = existing.passings.reduce((max, p) => Math.max(max, p.num_passing), 0)
    journal.setSessionCloud(session.id, {
      token: active.token_session,
      cloudState: 'attached',
      cloudOffset: highest
    })
    this.#o.log(`adopted cloud session ${active.token_session}; local numbers continue after ${highest}`)
    this.#o.onNotice('info', {
      code: 'sync.adopted-session',
      params: { alias: active.alias, after: highest }
    })
    return true
  }

  /** Opens a new cloud session; `creating` is stored first, so a lost answer is looked for before a second try. */
  async create(session: SessionRecord, deviceid: string): Promise<void> {
    const { journal } = this.#o
    journal.setSessionCloud(session.id, { cloudState: 'creating' })
    const token = await this.#o.cloud.insertSession(deviceid, cloudAliasOf(session, this.#o.stationTag))
    journal.setSessionCloud(session.id, { token, cloudState: 'attached' })
    this.#o.log(`local session ${session.id} is cloud session ${token}`)
  }

  /**
   * Closes a session's cloud session. Closing is not idempotent in every reading (U10): a 404 or 400, as a repeat
   * of a close whose answer was lost gets, is checked against the session's information, and a session the cloud
   * shows closed (or no longer knows) counts as closed. A key that cannot read cannot look; everything of the
   * session is up by then, and the next cloud session closes it anyway, so it counts as closed too.
   */
  async close(session: SessionRecord, token: string, deviceid: string): Promise<CloseOutcome> {
    try {
      await this.#o.cloud.closeSession(token)
    } catch (error) {
      const refused =
        error instanceof RufusError && (error.kind === 'not-found' || error.kind === 'bad-request')
      if (!refused) throw error
      if (await this.#stillActive(token, deviceid)) {
        this.#o.log(
          `closing the cloud session of local session ${session.id} was refused (${error.message}); it is still active`
        )
        return 'still-active'
      }
      this.#o.log(
        `closing the cloud session of local session ${session.id} answered ${error.message}; it is closed`
      )
    }
    this.#o.journal.setSessionCloud(session.id, { cloudState: 'closed' })
    this.#o.log(`closed cloud session of local session ${session.id}`)
    return 'closed'
  }

  async #stillActive(token: string, deviceid: string): Promise<boolean> {
    if (!(await this.probeRead(deviceid))) return false
    try {
      return (await this.#o.cloud.sessionInfo(token)).active
    } catch (error) {
      if (error instanceof RufusError && error.kind === 'not-found') return false
      throw error
    }
  }
}
