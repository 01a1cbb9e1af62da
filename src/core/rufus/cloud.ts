import type {
  CloudPassing,
  DeviceInfo,
  InsertPassingsResult,
  OutgoingPassing,
  SessionDetail
} from './schemas'

export interface BindDeviceInput {
  readonly model: string
  readonly serial_number: string
  readonly type?: string
  readonly alias?: string
  readonly firmware?: string
}

export interface BindDeviceResult {
  readonly deviceid: string
  /** True when the cloud answered 409: this serial number was already bound in the company. */
  readonly alreadyBound: boolean
}

/** A window of a session's passings by `num_passing` (bounds inclusive in the default reading), one page of it. */
export interface RangeQuery {
  readonly first?: number
  readonly last?: number
  readonly page?: number
}

/**
 * The RUFUS Cloud calls the sync engine makes, and nothing else. `RufusClient` is the real one (HTTP); tests pass
 * an in-memory cloud, and a wrapper (a request ceiling, say) can stand between the two.
 *
 * Every failure is a `RufusError`: its `kind` says what went wrong and `ambiguous` whether a write may have been
 * applied anyway. Nothing here retries; the engine decides.
 */
export interface RufusCloud {
  /** Repeating is safe: a serial number already bound answers with the existing id (`alreadyBound`). */
  bindDevice(input: BindDeviceInput): Promise<BindDeviceResult>
  /** Also how the engine learns whether the key may read, and whether the device still exists. */
  deviceInfo(deviceid: string): Promise<DeviceInfo>
  /** Opens a cloud session for the device (which closes its active one) and answers its token. */
  insertSession(deviceid: string, alias?: string): Promise<string>
  closeSession(token: string): Promise<void>
  /** The device's active session, or null when it has none. */
  activeSession(deviceid: string): Promise<SessionDetail | null>
  sessionInfo(token: string): Promise<SessionDetail>
  insertPassings(token: string, passings: readonly OutgoingPassing[]): Promise<InsertPassingsResult>
  /** One page of a session's passings; an empty list when there are none. */
  sessionPassings(token: string, query?: RangeQuery): Promise<readonly CloudPassing[]>
}
