import type { DeviceRecord, Journal, SessionRecord } from '../journal/journal'
import type { RufusCloud } from '../rufus/cloud'
import { RufusError } from '../rufus/errors'
import { collectPages, sessionPassingPages } from '../rufus/paging'
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
  readonly onNotice: (level: 'info' | 'warning', message: string) => void
}

/**
 * This station's device and sessions in the cloud: binding the device, learning whether the key may read,
 * finding or opening a local session's cloud session, and closing it. Each change is stored in the journal.
 */
export class CloudLink {
  readonly #o: CloudLinkOptions
  #canRead: boolean | null = null
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
    this.#o.onNotice(
      'info',
      result.alreadyBound
        ? 'This device was already bound in RUFUS Cloud; using the existing device.'
        : 'Device bound in RUFUS Cloud.'
    )
  }

  /** Asks once whether the key may read (a READ_WRITE key) and warns once when it cannot. */
  async probeRead(deviceid: string): Promise<boolean> {
    if (this.#canRead !== null) return this.#canRead
    try {
      await this.#o.cloud.deviceInfo(deviceid)
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
    const existing = await collectPages(sessionPassingPages(cloud, active.token_session))
    const highest = existing.reduce((max, p) => Math.max(max, p.num_passing), 0)
    journal.setSessionCloud(session.id, {
      token: active.token_session,
      cloudState: 'attached',
      cloudOffset: highest
    })
    this.#o.log(`adopted cloud session ${active.token_session}; local numbers continue after ${highest}`)
    this.#o.onNotice(
      'info',
      `Continuing the device's active cloud session "${active.alias ?? ''}" after its passing ${highest}.`
    )
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

  async close(session: SessionRecord, token: string): Promise<void> {
    await this.#o.cloud.closeSession(token)
    this.#o.journal.setSessionCloud(session.id, { cloudState: 'closed' })
    this.#o.log(`closed cloud session of local session ${session.id}`)
  }
}
