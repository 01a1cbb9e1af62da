/** What to report about one bad frame: nothing (counted only), or an event carrying the totals so far. */
export interface BadFrameReport {
  readonly port: string
  readonly reason: string
  /** Bad frames from this port since the station started. */
  readonly total: number
  /** Bad frames from this port counted but not reported since the last report. */
  readonly unreported: number
}

export interface BadFrameSamplerOptions {
  /** Reports per port per window; further bad frames are only counted. */
  readonly perWindow: number
  readonly windowMs: number
}

export const DEFAULT_BAD_FRAME_SAMPLING: BadFrameSamplerOptions = { perWindow: 3, windowMs: 1000 }

interface PortTally {
  windowStartMs: number
  reportedInWindow: number
  total: number
  unreported: number
  lastReason: string
}

/**
 * Bad frames are counted, every one, but reported at most a few times a second per port: 2 MB of line noise
 * must not become a million events for the screens and the log. Pure; the caller passes the time.
 */
export class BadFrameSampler {
  readonly #o: BadFrameSamplerOptions
  readonly #ports = new Map<string, PortTally>()

  constructor(options: BadFrameSamplerOptions = DEFAULT_BAD_FRAME_SAMPLING) {
    this.#o = options
  }

  /** Counts a bad frame; returns a report when this one may be shown. */
  offer(port: string, reason: string, nowMs: number): BadFrameReport | null {
    let tally = this.#ports.get(port)
    if (!tally) {
      tally = { windowStartMs: nowMs, reportedInWindow: 0, total: 0, unreported: 0, lastReason: reason }
      this.#ports.set(port, tally)
    }
    tally.total += 1
    tally.lastReason = reason
    if (nowMs - tally.windowStartMs >= this.#o.windowMs) {
      tally.windowStartMs = nowMs
      tally.reportedInWindow = 0
    }
    if (tally.reportedInWindow >= this.#o.perWindow) {
      tally.unreported += 1
      return null
    }
    tally.reportedInWindow += 1
    return this.#report(port, tally)
  }

  /** Reports for ports with frames counted but not shown once their window has passed (the flood's totals). */
  due(nowMs: number): BadFrameReport[] {
    const reports: BadFrameReport[] = []
    for (const [port, tally] of this.#ports) {
      if (tally.unreported === 0 || nowMs - tally.windowStartMs < this.#o.windowMs) continue
      tally.windowStartMs = nowMs
      tally.reportedInWindow = 1
      reports.push(this.#report(port, tally))
    }
    return reports
  }

  /** Whether some counted frames still wait for a report. */
  get hasUnreported(): boolean {
    for (const tally of this.#ports.values()) if (tally.unreported > 0) return true
    return false
  }

  #report(port: string, tally: PortTally): BadFrameReport {
    const report = { port, reason: tally.lastReason, total: tally.total, unreported: tally.unreported }
    tally.unreported = 0
    return report
  }
}
