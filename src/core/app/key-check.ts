import type { KeyPermissions } from '../../shared/contract'
import type { StationMessage } from '../../shared/messages'
import { RufusClient } from '../rufus/client'
import { rufusErrorMessage, RufusError } from '../rufus/errors'

/** An id no device or session can have: the probes below change nothing. */
const ZERO_ID = '0'.repeat(64)

type Probe = boolean | RufusError

/** A call's answer as a permission: allowed (done, or "not found"), refused (forbidden), or the failure itself. */
async function probe(call: () => Promise<unknown>): Promise<Probe> {
  try {
    await call()
    return true
  } catch (error) {
    if (error instanceof RufusError && error.kind === 'not-found') return true
    if (error instanceof RufusError && error.kind === 'forbidden') return false
    if (error instanceof RufusError) return error
    throw error
  }
}

/** What a key may do, as the setup screen says it. */
export function keyMessage(read: boolean, canWrite: boolean, canUnbind: boolean): StationMessage {
  if (!read && !canWrite) return { code: 'key.refused', params: {} }
  if (!canWrite) return { code: 'key.read-only', params: {} }
  if (!read) return { code: 'key.write-only', params: {} }
  return { code: 'key.read-write', params: { canUnbind } }
}

/**
 * Finds out what a key may do with harmless calls on ids that cannot exist: a list of one device (read), a session
 * for no device (write), unbinding no device (unbind). A cloud that cannot be reached says so instead.
 */
export async function checkKey(
  apiUrl: string,
  apiKey: string,
  client: Pick<RufusClient, 'listDevices' | 'insertSession' | 'unbindDevice'> = new RufusClient({
    baseUrl: apiUrl,
    apiKey,
    timeoutMs: 10_000
  })
): Promise<KeyPermissions> {
  const read = await probe(() => client.listDevices({ limit: 1 }))
  if (read instanceof RufusError) {
    return {
      reachable: false,
      canRead: false,
      canWrite: false,
      canUnbind: false,
      message: rufusErrorMessage(read)
    }
  }
  const write = await probe(() => client.insertSession(ZERO_ID, 'permission check'))
  const unbind = await probe(() => client.unbindDevice(ZERO_ID))
  const canWrite = write === true
  const canUnbind = unbind === true
  return {
    reachable: true,
    canRead: read,
    canWrite,
    canUnbind,
    message: keyMessage(read, canWrite, canUnbind)
  }
}
