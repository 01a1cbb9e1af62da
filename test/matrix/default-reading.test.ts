import { beforeAll, describe, expect, it } from 'vitest'
import { casesFor, DEFAULT_READING } from './cases'
import { buildBundles, runCase } from './harness'
import {
  expectAllSynced,
  expectCleanStop,
  expectCopiesWhereJournalSays,
  expectEveryPassingOnceInCloud,
  expectEveryReportedPassingJournaled
} from './invariants'
import { summary } from './report'

// The real headless station against the real emulator in its default reading: killed between batches, with and
// without --legacy, with and without server errors and dropped answers. The next issue runs the same variants for
// every other reading.

describe('the matrix, default reading', () => {
  beforeAll(buildBundles, 120_000)
  for (const matrixCase of casesFor(DEFAULT_READING)) {
    it(matrixCase.name, { timeout: 90_000 }, async () => {
      const report = await runCase(matrixCase)
      console.log(summary(report))
      // The harness did what the case says: every batch ran in a station of its own, and faults were injected.
      expect(report.stationStarts).toBe(matrixCase.batches.length)
      if (matrixCase.faults) {
        expect(report.faultsInjected['server-error']).toBeGreaterThan(0)
        expect(report.faultsInjected['drop-after-apply']).toBeGreaterThan(0)
      }
      expectEveryReportedPassingJournaled(report)
      expectEveryPassingOnceInCloud(report)
      expectCopiesWhereJournalSays(report)
      expectAllSynced(report)
      expectCleanStop(report)
    })
  }
})
