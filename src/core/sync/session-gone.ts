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
  let active
  try {
    active = (await cloud.sessionInfo(token)).active
  } catch (error) {
    if (isNotFound(error)) return findWhetherDeviceGone(cloud, deviceid)
    throw error
  }
  // Still active: the "not found" came from something in front of the cloud (a gateway mid-deploy). A failure to
  // back off from, never a reason to split the session into a new cloud session.
  if (active)
    throw new RufusError('server', 'RUFUS Cloud answered "not found" for a session that is still active')
  return 'closed-elsewhere'
}
