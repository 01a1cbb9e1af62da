import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/process'
import { everyQuirkCases } from './cases'
import { buildBundles, runCase, type MatrixCase } from './harness'
import { summary, type MatrixReport } from './report'
import { brokenLines, verdicts, type Verdict } from './verdict'

// The real headless station against the real emulator in every other reading of the docs: each switch alone and
// pairwise sets of compatible switches, each with faults and with --legacy; the station is killed between batches
// and switches to a new session (--new-session) mid-run. Cases run side by side in one process (each has its own
// emulator, PTY pair and folders); every case's outcome, and every invariant it breaks, goes to the log and to
// test-artifacts/matrix/every-quirk.md. A case that fails is a reading the station does not handle yet: the table
// says why, and no invariant is relaxed to make it pass.

/** The station's request ceiling (`RequestCeiling`'s default), as the cloud must count it. */
const CEILING_PER_SECOND = 10
/** Cases at once: each is two processes that mostly wait on each other; four keep two cores busy. */
const CONCURRENCY = Number(process.env['MATRIX_CONCURRENCY'] ?? 4)
const ARTIFACT = join(ROOT, 'test-artifacts', 'matrix', 'every-quirk.md')

interface Outcome {
  readonly report: MatrixReport | null
  readonly error: string | null
  readonly verdicts: readonly Verdict[]
}

const cases = everyQuirkCases()
const outcomes = new Map<string, Outcome>()
let elapsedMs = 0

async function runOne(matrixCase: MatrixCase): Promise<Outcome> {
  try {
    const report = await runCase(matrixCase)
    return { report, error: null, verdicts: verdicts(report, CEILING_PER_SECOND) }
  } catch (error) {
    return {
      report: null,
      error: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
      verdicts: []
    }
  }
}

/** Runs every case, `CONCURRENCY` at a time, in the order given. */
async function runAll(): Promise<void> {
  const started = performance.now()
  const queue = [...cases]
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) outcomes.set(next.name, await runOne(next))
  }
  await Promise.all(Array.from({ length: Math.max(1, CONCURRENCY) }, worker))
  elapsedMs = performance.now() - started
}

function table(): string {
  const rows = cases.map(c => {
    const outcome = outcomes.get(c.name)
    const broken = outcome?.error ?? (outcome ? brokenLines(outcome.verdicts) : 'not run')
    const state = broken === '' ? 'pass' : 'FAIL'
    const report = outcome?.report
    const seconds = report ? (report.elapsedMs / 1000).toFixed(1) : '—'
    const peak = report ? String(report.requestRate.peakPerSecond) : '—'
    return `| ${c.name} | ${state} | ${seconds} | ${peak} | ${broken.replace(/\n/g, '<br>').replace(/\|/g, '\\|')} |`
  })
  const failed = rows.filter(r => r.includes('| FAIL |')).length
  return [
    `# Every-quirk matrix: ${cases.length} cases, ${failed} failing, ${(elapsedMs / 1000).toFixed(0)} s with ${CONCURRENCY} at once`,
    '',
    '| case | result | s | peak requests/s | invariants broken |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    ''
  ].join('\n')
}

describe('the matrix, every reading of the docs', () => {
  beforeAll(async () => {
    await buildBundles()
    await runAll()
  }, 900_000)

  afterAll(() => {
    if (outcomes.size === 0) return
    const text = table()
    mkdirSync(join(ROOT, 'test-artifacts', 'matrix'), { recursive: true })
    writeFileSync(ARTIFACT, text)
    console.log(text)
  })

  for (const matrixCase of cases) {
    it(matrixCase.name, () => {
      const outcome = outcomes.get(matrixCase.name)
      expect(outcome, 'the case ran').toBeDefined()
      expect(outcome?.error ?? null, 'the harness ran the case to its end').toBeNull()
      const report = outcome?.report as MatrixReport
      // The harness did what the case says: a station per batch, faults injected.
      expect(report.stationStarts).toBe(matrixCase.batches.length)
      expect(report.faultsInjected['server-error'] ?? 0).toBeGreaterThan(0)
      expect(brokenLines(outcome?.verdicts ?? []), summary(report)).toBe('')
    })
  }
})
