import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { SerialPort } from 'serialport'
import { ptyPair } from '../test/helpers/pty'
import { projectRoot } from '../src/core/platform/project-root'
import { percentile, round, table, type BenchSection } from './report'
import { headlessArgs } from '../test/helpers/headless-args'

const ROOT = projectRoot()

/** How the command is started: as `npm run station` does (bundled), or compiled on the fly by tsx (baseline). */
type Runner = 'bundle' | 'tsx'

/** Time from starting the headless station process to its first committed passing, with a reader already talking. */
async function launchOnce(runner: Runner): Promise<{ openMs: number; captureMs: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'rufus-launch-'))
  const pty = await ptyPair(folder)
  const writer = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false })
  await new Promise<void>((done, fail) => writer.open(error => (error ? fail(error) : done())))
  let n = 0
  const feeding = setInterval(() => writer.write(`${++n}\r\n`), 5)
  const started = performance.now()
  const child = spawn(
    process.execPath,
    [
      ...(runner === 'bundle'
        ? [join(ROOT, 'scripts/run.mjs'), 'src/station/cli.ts']
        : ['--import', 'tsx', join(ROOT, 'src/station/cli.ts')]),
      ...headlessArgs(join(folder, 'data'), pty.a, ['--json'])
    ],
    {
      cwd: ROOT,
      env: { ...process.env, RUFUS_API_KEY: 'k' },
      stdio: ['ignore', 'pipe', 'ignore']
    }
  )
  let openMs = 0
  const captureMs = await new Promise<number>(done => {
    createInterface({ input: child.stdout }).on('line', line => {
      if (openMs === 0 && line.includes('"state":"open"')) openMs = performance.now() - started
      if (line.includes('"type":"passing"')) done(performance.now() - started)
    })
  })
  clearInterval(feeding)
  child.kill('SIGTERM')
  await new Promise(done => child.once('exit', done))
  await new Promise(done => writer.close(done))
  await pty.stop()
  rmSync(folder, { recursive: true, force: true })
  return { openMs, captureMs }
}

export async function launchBench(): Promise<BenchSection> {
  const rows: Array<Array<string | number>> = []
  await launchOnce('bundle') // makes the bundle if a source changed, as the first run after an edit does
  for (const runner of ['bundle', 'tsx'] as const) {
    const runs = []
    for (let i = 0; i < 7; i += 1) runs.push(await launchOnce(runner))
    const capture = runs.map(r => r.captureMs).sort((a, b) => a - b)
    const open = runs.map(r => r.openMs).sort((a, b) => a - b)
    const label =
      runner === 'bundle'
        ? '`npm run station` (bundled once, cached)'
        : 'baseline: compiled on the fly by tsx'
    rows.push([
      label,
      'serial port open',
      round(percentile(open, 50), 0),
      round(open.at(-1) ?? Number.NaN, 0)
    ])
    rows.push([
      label,
      'first passing committed',
      round(percentile(capture, 50), 0),
      round(capture.at(-1) ?? Number.NaN, 0)
    ])
  }
  return {
    id: 'launch',
    title: 'Headless station: launch to first capture',
    command: 'npm run bench -- launch',
    body: `From starting the process to its reader port being open and to its first committed passing, with the reader
already sending (7 runs each):

${table(['started as', 'until', 'median ms', 'worst ms'], rows)}

Both include starting Node. \`npm run station\` runs a bundle made by esbuild (\`scripts/run.mjs\`), rebuilt only
when a source file changed.`
  }
}
