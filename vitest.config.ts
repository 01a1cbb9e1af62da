import { defineConfig } from 'vitest/config'
import { SummaryReporter } from './test/support/summary-reporter.ts'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn servers and PTYs; two workers match the two cores here.
    maxWorkers: 2,
    allowOnly: false,
    reporters: ['default', new SummaryReporter()]
  }
})
