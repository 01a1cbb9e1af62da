import type { DeviceRecord, Journal } from '../journal/journal'
import { NotPossible } from '../not-possible'
import type { BindDeviceResult } from '../rufus/cloud'
import type { ScreenCloud } from '../rufus/limited-cloud'

export interface DeviceBindingOptions {
  readonly journal: Pick<Journal, 'device' | 'counts' | 'setDeviceIdentity' | 'setDeviceBinding'>
  /** The cloud as it stands now (replaced with a new key). */
  readonly cloud: () => Pick<ScreenCloud, 'bindDevice' | 'unbindDevice'>
  /** Sync looks again (a new binding lets it upload). */
  readonly wakeSync: () => void
}

/** The identity asked for at start (command line, settings); what is missing keeps the journal's. */
export interface DeviceIdentityRequest {
  readonly serialNumber?: string
  readonly model?: string
  readonly alias?: string
}

/**
 * The station's device in RUFUS Cloud, as a person decides it: its identity at start, binding a new device or
 * using an existing one (from the setup screen), unbinding. Each binding is written in one place, the journal,
 * which reports it (a `device` event); the sync engine binds by itself when no one has (`sync/cloud-link.ts`).
 */
export class DeviceBinding {
  readonly #o: DeviceBindingOptions

  constructor(options: DeviceBindingOptions) {
    this.#o = options
  }

  /** The device's identity at start; a different serial number is a different cloud device, so it is unbound. */
  establish(request: DeviceIdentityRequest, defaultSerial: string): DeviceRecord | null {
    const { journal } = this.#o
    const current = journal.device()
    const serialNumber = request.serialNumber ?? current?.serialNumber ?? defaultSerial
    journal.setDeviceIdentity({
      serialNumber,
      model: request.model ?? current?.model ?? 'RUFUS Station',
      alias: request.alias ?? current?.alias ?? null
    })
    if (current && current.serialNumber !== serialNumber && current.deviceid) {
      journal.setDeviceBinding(null, null)
    }
    return journal.device()
  }

  /** Binds this station's identity as a device in RUFUS Cloud (the same serial number answers the same device). */
  async bindNew(alias?: string): Promise<BindDeviceResult> {
    const device = this.#o.journal.device()
    if (!device) throw new NotPossible({ code: 'device.no-identity', params: {} })
    const result = await this.#o.cloud().bindDevice({
      model: device.model,
      serial_number: device.serialNumber,
      ...(alias ? { alias } : {})
    })
    this.#bind(result.deviceid)
    return result
  }

  /** Uses a device already in RUFUS Cloud; refused once passings went up under another one. */
  use(deviceid: string): void {
    const { journal } = this.#o
    if (journal.counts().synced > 0 && journal.device()?.deviceid !== deviceid) {
      throw new NotPossible({ code: 'device.already-uploaded', params: {} })
    }
    this.#bind(deviceid.toUpperCase())
  }

  /** Unbinds the device in the cloud. Refused while any passing is not yet synced. */
  async unbind(): Promise<void> {
    const { journal } = this.#o
    const counts = journal.counts()
    if (counts.held > 0) {
      throw new NotPossible({ code: 'unbind.times-without-bib', params: { count: counts.held } })
    }
    const unsynced = counts.pending + counts.quarantined + counts.conflict
    if (unsynced > 0) {
      throw new NotPossible({ code: 'unbind.not-in-cloud', params: { count: unsynced } })
    }
    const device = journal.device()
    if (!device?.deviceid) return
    await this.#o.cloud().unbindDevice(device.deviceid)
    journal.setDeviceBinding(null, null)
  }

  #bind(deviceid: string): void {
    this.#o.journal.setDeviceBinding(deviceid, Date.now())
    this.#o.wakeSync()
  }
}
