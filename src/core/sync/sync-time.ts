import { timerDelay } from '../time/timer-delay'

/** Where the sync engine reads the time. The station passes its clocks; tests pass a clock that moves on command. */
export interface SyncClock {
  /** Wall-clock ms since the epoch: when something happened, for the journal and the status. */
  nowMs(): number
  /** The station's capture clock, µs since the epoch: what passing times are measured in (the grace period). */
  nowUs(): number
}

/** Waits `ms`, then calls `done`; returns a function that cancels the wait. */
export type WaitTimer = (ms: number, done: () => void) => () => void

export const systemClock: SyncClock = {
  nowMs: () => Date.now(),
  nowUs: () => Date.now() * 1000
}

/** A Node timer, with the delay clamped to what Node honours. */
export const realTimer: WaitTimer = (ms, done) => {
  const timer = setTimeout(done, timerDelay(ms))
  return () => clearTimeout(timer)
}
