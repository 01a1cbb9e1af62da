/**
 * A wall clock anchored to a monotonic source.
 *
 * Passings are stamped from `nowUs()`, which moves only with the monotonic clock, so a wall-clock jump
 * (NTP step, a timer changing the time, DST bugs) is never written into passings. `checkJump()` compares the two
 * and reports each jump once; re-anchoring is an explicit decision (`reanchor()`), taken when a session opens.
 */
export interface ClockSources {
  /** Wall clock, milliseconds since the epoch. */
  readonly wallMs: () => number
  /** Monotonic clock, nanoseconds from an arbitrary origin. */
  readonly monoNs: () => bigint
}

export const SYSTEM_CLOCK_SOURCES: ClockSources = {
  wallMs: () => Date.now(),
  monoNs: () => process.hrtime.bigint()
}

export interface ClockJump {
  /** Wall clock minus anchored clock, in milliseconds (positive: the wall clock jumped forward). */
  readonly jumpMs: number
  readonly atUs: number
}

export class AnchoredClock {
  readonly #sources: ClockSources
  readonly #jumpThresholdMs: number
  #anchorWallUs = 0
  #anchorMonoNs = 0n
  #reportedDriftMs = 0

  constructor(sources: ClockSources = SYSTEM_CLOCK_SOURCES, jumpThresholdMs = 1000) {
    this.#sources = sources
    this.#jumpThresholdMs = jumpThresholdMs
    this.reanchor()
  }

  /** Microseconds since the epoch, moving with the monotonic clock from the last anchor. */
  nowUs(): number {
    const elapsedUs = Number((this.#sources.monoNs() - this.#anchorMonoNs) / 1000n)
    return this.#anchorWallUs + elapsedUs
  }

  /** Takes the wall clock as the truth again (after the timer has checked it). */
  reanchor(): void {
    this.#anchorWallUs = Math.round(this.#sources.wallMs() * 1000)
    this.#anchorMonoNs = this.#sources.monoNs()
    this.#reportedDriftMs = 0
  }

  /** Reports a jump of the wall clock away from the anchored time once per new jump, else null. */
  checkJump(): ClockJump | null {
    const atUs = this.nowUs()
    const driftMs = this.#sources.wallMs() - atUs / 1000
    if (Math.abs(driftMs - this.#reportedDriftMs) < this.#jumpThresholdMs) return null
    this.#reportedDriftMs = driftMs
    return { jumpMs: Math.round(driftMs), atUs }
  }
}
