import { describe, expect, it } from 'vitest'
import { runSoak, SHORT_SOAK } from '../../bench/soak'

// The soak's short mode, as CI runs it: a real headless station over a PTY, syncing to the emulator. Only that
// the report is made, with every figure finite and the counts consistent; the goals are the bench's, not a test's.
describe('soak benchmark, short mode', () => {
  it(
    'reports heap, RSS, CPU and loop delay for the load and the idle phase',
    { timeout: 180_000 },
    async () => {
      const report = await runSoak(SHORT_SOAK)
      const loadSamples = report.samples.filter(s => s.phase === 'load')
      const idleSamples = report.samples.filter(s => s.phase === 'idle')
      expect(loadSamples.length).toBeGreaterThanOrEqual(SHORT_SOAK.loadSeconds / SHORT_SOAK.sampleSeconds)
      expect(idleSamples.length).toBeGreaterThanOrEqual(SHORT_SOAK.idleSeconds / SHORT_SOAK.sampleSeconds)
      for (const sample of report.samples) {
        expect(sample.heapUsed).toBeGreaterThan(0)
        expect(sample.rss).toBeGreaterThanOrEqual(sample.heapUsed)
        expect(Number.isFinite(sample.cpuUs)).toBe(true)
      }
      const times = report.samples.map(s => s.atMs)
      expect(times).toEqual([...times].sort((a, b) => a - b))
      for (const figure of [
        report.heapGrowthMbPerHour,
        report.heapFirstSteadyMb,
        report.heapEndMb,
        report.rssMaxMb,
        report.cpuLoad,
        report.cpuIdle,
        report.loopP99MedianMs,
        report.loopP99WorstMs,
        report.machineLoad.median
      ]) {
        expect(Number.isFinite(figure)).toBe(true)
      }
      expect(report.cpuLoad).toBeGreaterThan(0)
      expect(report.cpuIdle).toBeGreaterThanOrEqual(0)
      // Every read sent was committed (unique bibs: nothing is a duplicate), and sync never claims more.
      expect(report.sent).toBe(SHORT_SOAK.loadSeconds * SHORT_SOAK.rate)
      expect(report.committed).toBe(report.sent)
      expect(report.synced).toBeLessThanOrEqual(report.committed)
    }
  )
})
