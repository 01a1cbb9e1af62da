import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../src/core/platform/project-root'

export interface BenchSection {
  readonly id: string
  readonly title: string
  readonly command: string
  /** Markdown body: tables and notes. */
  readonly body: string
  /** False for a run too short to stand as a result (printed, not written to docs/benchmarks.md). */
  readonly record?: boolean
}

const FILE = join(projectRoot(), 'docs', 'benchmarks.md')
const HEADER = `# Benchmarks

Measured on the project's build machine (2 cores). Each section names the command that produced it, when (UTC) and
on which Node; numbers within a section come from one run, so comparisons inside it are fair.
`

/** Replaces (or appends) one section of docs/benchmarks.md, leaving the others as they were. */
export function writeSection(section: BenchSection): void {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER
  const start = `<!-- bench:${section.id} -->`
  const end = `<!-- /bench:${section.id} -->`
  const block = `${start}\n## ${section.title}\n\nCommand: \`${section.command}\` — run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}.\n\n${section.body.trim()}\n${end}`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`
  writeFileSync(FILE, next)
}

export function table(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? Number.NaN
}

export function round(value: number, digits = 1): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}
