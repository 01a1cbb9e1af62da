import type { RufusCloud } from '../rufus/cloud'
import { RufusError } from '../rufus/errors'
import type { GoneFinding } from './blocks'

function isNotFound(error: unknown): boolean {
  return error instanceof RufusError && error.kind === 'not-found'
}

/** The device no longer answers (unbound, its data deleted), or only the session is gone. */
export async function findWhetherDeviceGone(
  cloud: Pick<RufusCloud, 'deviceInfo'>,
  deviceid: string
): Promise<'session-unknown' | 'device-unbound'> {
  try {
    await cloud.deviceInfo(deviceid)
    return 'session-unknown'
  } catch (error) {
    if (isNotFound(error)) return 'device-unbound'
    throw error
  }
}

/**
 * After "Session not found or closed": asks the cloud whether the session was closed elsewhere or the device
 * unbound. Other failures (the network) propagate, and the engine tries again later.
 */
export async function findWhySessionGone(
  cloud: Pick<RufusCloud, 'deviceInfo' | 'sessionInfo'>,
  token: string,
  deviceid: string,
  canRead: boolean
): Promise<GoneFinding> {
  if (!canRead) return 'unreadable'
  try {
    await cloud.sessionInfo(token)
    return 'closed-elsewhere'
  } catch (error) {
    if (isNotFound(error)) return findWhetherDeviceGone(cloud, deviceid)
    throw error
  }
}
