import { describe, expect, it } from 'vitest'
import { AnchoredClock } from '../../src/core/time/anchored-clock'
import { CloudOffsetEstimator } from '../../src/core/time/cloud-offset'
import { backoffDelay } from '../../src/core/sync/backoff'

function fakeSources(startWallMs: number) {
  const state = { wallMs: startWallMs, monoNs: 5_000_000_000n }
  return {
    state,
    sources: { wallMs: () => state.wallMs, monoNs: () => state.monoNs },
    advance(ms: number) {
      state.wallMs += ms
      state.monoNs += BigInt(ms) * 1_000_000n
    }
  }
}

describe('anchored clock', () => {
  it('follows the monotonic clock with microsecond resolution', () => {
    const fake = fakeSources(1_700_000_000_000)
    const clock = new AnchoredClock(fake.sources)
    fake.state.monoNs += 1_234_567n
    expect(clock.nowUs()).toBe(1_700_000_000_000_000 + 1234)
  })

  it('does not write a wall-clock jump into its time, and reports the jump once', () => {
    const fake = fakeSources(1_700_000_000_000)
    const clock = new AnchoredClock(fake.sources, 1000)
    fake.advance(500)
    expect(clock.checkJump()).toBeNull()
    fake.state.wallMs += 3600_000
    const before = clock.nowUs()
    const jump = clock.checkJump()
    expect(jump?.jumpMs).toBe(3600_000)
    expect(clock.nowUs()).toBe(before)
    expect(clock.checkJump()).toBeNull()
    fake.state.wallMs -= 7200_000
    expect(clock.checkJump()?.jumpMs).toBe(-3600_000)
    clock.reanchor()
    expect(clock.nowUs()).toBe(fake.state.wallMs * 1000)
  })
})

describe('cloud clock offset', () => {
  it('bounds the offset from whole-second Date headers and narrows it with more samples', () => {
    const estimator = new CloudOffsetEstimator()
    // True offset: +2300 ms. Server writes floor(local + 2300) to the second.
    const sample = (localMs: number) => ({
      serverMs: Math.floor((localMs + 2300) / 1000) * 1000,
      sentAtMs: localMs - 10,
      receivedAtMs: localMs + 10
    })
    const first = estimator.add(sample(10_000))
    expect(Math.abs(first.offsetMs - 2300)).toBeLessThanOrEqual(first.uncertaintyMs)
    let last = first
    for (const t of [10_250, 10_500, 10_690, 10_710, 11_020]) last = estimator.add(sample(t))
    expect(last.uncertaintyMs).toBeLessThan(first.uncertaintyMs)
    expect(Math.abs(last.offsetMs - 2300)).toBeLessThanOrEqual(last.uncertaintyMs)
    expect(last.uncertaintyMs).toBeLessThanOrEqual(30)
  })

  it('follows a clock that moved instead of reporting an impossible interval', () => {
    const estimator = new CloudOffsetEstimator()
    estimator.add({ serverMs: 10_000, sentAtMs: 9_990, receivedAtMs: 10_010 })
    const moved = estimator.add({ serverMs: 70_000, sentAtMs: 10_990, receivedAtMs: 11_010 })
    expect(moved.offsetMs).toBeGreaterThan(58_000)
  })
})

describe('backoff', () => {
  const options = { baseMs: 500, maxMs: 60_000, factor: 2 }
  it('grows exponentially with equal jitter and a cap', () => {
    expect(backoffDelay(0, options, 0)).toBe(250)
    expect(backoffDelay(0, options, 1)).toBe(500)
    expect(backoffDelay(3, options, 0.5)).toBe(3000)
    expect(backoffDelay(20, options, 1)).toBe(60_000)
    expect(backoffDelay(20, options, 0)).toBe(30_000)
  })
  it('honours a longer Retry-After, and not a shorter one', () => {
    expect(backoffDelay(0, options, 0, 7000)).toBe(7000)
    expect(backoffDelay(5, options, 1, 10)).toBe(16_000)
  })
})
