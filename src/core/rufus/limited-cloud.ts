import type { RufusClient } from './client'
import type { BindDeviceInput, BindDeviceResult, RangeQuery, RufusCloud } from './cloud'
import type { RequestCeiling } from './request-ceiling'
import type {
  CloudPassing,
  DeviceInfo,
  InsertPassingsResult,
  OutgoingPassing,
  SessionDetail
} from './schemas'

/**
 * The sync engine's cloud behind the station's request ceiling: every call waits for its token in the sync lane,
 * which is served before any screen's read.
 */
export class CeilingCloud implements RufusCloud {
  readonly #cloud: RufusCloud
  readonly #ceiling: RequestCeiling

  constructor(cloud: RufusCloud, ceiling: RequestCeiling) {
    this.#cloud = cloud
    this.#ceiling = ceiling
  }

  #run<T>(call: () => Promise<T>): Promise<T> {
    return this.#ceiling.run('sync', call)
  }

  bindDevice(input: BindDeviceInput): Promise<BindDeviceResult> {
    return this.#run(() => this.#cloud.bindDevice(input))
  }

  deviceInfo(deviceid: string): Promise<DeviceInfo> {
    return this.#run(() => this.#cloud.deviceInfo(deviceid))
  }

  insertSession(deviceid: string, alias?: string): Promise<string> {
    return this.#run(() => this.#cloud.insertSession(deviceid, alias))
  }

  closeSession(token: string): Promise<void> {
    return this.#run(() => this.#cloud.closeSession(token))
  }

  activeSession(deviceid: string): Promise<SessionDetail | null> {
    return this.#run(() => this.#cloud.activeSession(deviceid))
  }

  sessionInfo(token: string): Promise<SessionDetail> {
    return this.#run(() => this.#cloud.sessionInfo(token))
  }

  insertPassings(token: string, passings: readonly OutgoingPassing[]): Promise<InsertPassingsResult> {
    return this.#run(() => this.#cloud.insertPassings(token, passings))
  }

  sessionPassings(token: string, query?: RangeQuery): Promise<readonly CloudPassing[]> {
    return this.#run(() => this.#cloud.sessionPassings(token, query))
  }
}

/** The cloud calls a screen (or a person's action on one) makes through the station. */
export type ScreenCloud = Pick<
  RufusClient,
  | 'sessionsOfDevice'
  | 'sessionPassings'
  | 'devicePassings'
  | 'listDevices'
  | 'bindDevice'
  | 'deviceInfo'
  | 'unbindDevice'
>

/**
 * The screens' calls behind the same ceiling, in the screen lane: they wait behind uploads, and one that waits too
 * long is refused with `cloud.station-busy` instead of hanging.
 */
export function screenCloud(client: ScreenCloud, ceiling: RequestCeiling): ScreenCloud {
  const run = <T>(call: () => Promise<T>): Promise<T> => ceiling.run('screen', call)
  return {
    sessionsOfDevice: deviceid => run(() => client.sessionsOfDevice(deviceid)),
    sessionPassings: (token, query) => run(() => client.sessionPassings(token, query)),
    devicePassings: (deviceid, query) => run(() => client.devicePassings(deviceid, query)),
    listDevices: query => run(() => client.listDevices(query)),
    bindDevice: input => run(() => client.bindDevice(input)),
    deviceInfo: deviceid => run(() => client.deviceInfo(deviceid)),
    unbindDevice: deviceid => run(() => client.unbindDevice(deviceid))
  }
}
