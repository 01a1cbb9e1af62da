/** What the request log tells: the API requests received since the emulator started. */
export interface RequestCounts {
  readonly total: number
  /** `[unix second, requests]` for every second that had any, oldest first (the newest `MAX_SECONDS` only). */
  readonly perSecond: ReadonlyArray<readonly [number, number]>
  /** Requests per route (`POST /passings`); a path no route serves counts as `UNKNOWN_ROUTE`. */
  readonly byRoute: Readonly<Record<string, number>>
}

export const UNKNOWN_ROUTE = 'unknown route'

/**
 * Counts the API requests the emulator receives, per whole second of its clock and per route, so a test can tell
 * how hard a client hits the cloud (a resend loop shows as a peak) from the server's side rather than the client's.
 * Bounded: an hour of seconds, and routes are the emulator's own few plus one bucket for the rest.
 */
export class RequestLog {
  static readonly MAX_SECONDS = 3600
  #total = 0
  readonly #perSecond = new Map<number, number>()
  readonly #byRoute = new Map<string, number>()

  record(atMs: number, route: string | undefined): void {
    this.#total += 1
    const second = Math.floor(atMs / 1000)
    this.#perSecond.set(second, (this.#perSecond.get(second) ?? 0) + 1)
    if (this.#perSecond.size > RequestLog.MAX_SECONDS) {
      const oldest = this.#perSecond.keys().next().value
      if (oldest !== undefined) this.#perSecond.delete(oldest)
    }
    const name = route ?? UNKNOWN_ROUTE
    this.#byRoute.set(name, (this.#byRoute.get(name) ?? 0) + 1)
  }

  counts(): RequestCounts {
    return {
      total: this.#total,
      perSecond: [...this.#perSecond].sort(([a], [b]) => a - b),
      byRoute: Object.fromEntries(this.#byRoute)
    }
  }
}
