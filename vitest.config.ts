import { defineConfig } from 'vitest/config'
import { SummaryReporter } from './test/support/summary-reporter.ts'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn stations, emulators, PTYs and Chromium, which use the two cores by themselves: one file
    // at a time keeps their waits steady (two workers made a loaded machine miss deadlines now and then).
    maxWorkers: 1,
    allowOnly: false,
    reporters: ['default', new SummaryReporter()]
  }
})
