import type { KeyPermissions } from '../../shared/contract'
import type { StationMessage } from '../../shared/messages'
import { RufusClient } from '../rufus/client'
import { rufusErrorMessage, RufusError } from '../rufus/errors'

/** An id no device or session can have: the probes below change nothing. */
const ZERO_ID = '0'.repeat(64)

type Probe = boolean | RufusError

/** A call's answer as a permission: allowed (done, or "not found"), refused (forbidden), or the failure itself. */
async function probe(call: () => Promise<unknown>, run: CallRunner): Promise<Probe> {
  try {
    await run(call)
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

/** How each probe is sent: as it is, or through the station's request ceiling. */
type CallRunner = (call: () => Promise<unknown>) => Promise<unknown>

export interface KeyCheckOptions {
  /** The client for the address being set up (default: a real one, 10 s per request). */
  readonly client?: Pick<RufusClient, 'listDevices' | 'insertSession' | 'unbindDevice'>
  readonly run?: CallRunner
}

/**
 * Finds out what a key may do with harmless calls on ids that cannot exist: a list of one device (read), a session
 * for no device (write), unbinding no device (unbind). A cloud that cannot be reached says so instead.
 */
export async function checkKey(
  apiUrl: string,
  apiKey: string,
  options: KeyCheckOptions = {}
): Promise<KeyPermissions> {
  const client = options.client ?? new RufusClient({ baseUrl: apiUrl, apiKey, timeoutMs: 10_000 })
  const run: CallRunner = options.run ?? (call => call())
  const read = await probe(() => client.listDevices({ limit: 1 }), run)
  if (read instanceof RufusError) {
    return {
      reachable: false,
      canRead: false,
      canWrite: false,
      canUnbind: false,
      message: rufusErrorMessage(read)
    }
  }
  const write = await probe(() => client.insertSession(ZERO_ID, 'permission check'), run)
  const unbind = await probe(() => client.unbindDevice(ZERO_ID), run)
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
