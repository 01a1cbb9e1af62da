import type { StationEvent } from '../shared/events'

export interface CaptureFirstTimes {
  /** After every port has opened (or failed) with no passing yet: the wait for a reader that stays silent. */
  readonly quietMs: number
  /** Longest wait in all (a port that hangs opening). */
  readonly capMs: number
}

export const CAPTURE_FIRST_TIMES: CaptureFirstTimes = { quietMs: 500, capMs: 2000 }

/**
 * Resolves once capture has begun: at the first committed passing, or `quietMs` after every reader port has left
 * `opening` (open, or failed and retrying) with none, or after `capMs`. The settings, the cloud and the screens
 * wait for it, so loading them (conf alone is a few hundred ms on a busy machine) never sits between a reader
 * already talking and its first passing. `listen` is handed the listener to add to the station's events; it
 * stays a no-op once settled.
 */
export function captureBegun(
  ports: readonly string[],
  listen: (listener: (event: StationEvent) => void) => void,
  times: CaptureFirstTimes = CAPTURE_FIRST_TIMES
): Promise<void> {
  const opening = new Set(ports)
  return new Promise(resolve => {
    let settled = false
    let quiet: NodeJS.Timeout | undefined
    const settle = () => {
      if (settled) return
      settled = true
      clearTimeout(cap)
      clearTimeout(quiet)
      resolve()
    }
    const cap = setTimeout(settle, times.capMs)
    const portsSettled = () => {
      if (opening.size === 0 && quiet === undefined) quiet = setTimeout(settle, times.quietMs)
    }
    listen(event => {
      if (settled) return
      if (event.type === 'passing') settle()
      else if (event.type === 'reader' && event.state !== 'opening') {
        opening.delete(event.port)
        portsSettled()
      }
    })
    portsSettled()
  })
}
