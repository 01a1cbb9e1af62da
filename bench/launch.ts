import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { SerialPort } from 'serialport'
import { ptyPair } from '../test/helpers/pty'
import { projectRoot } from '../src/core/platform/project-root'
import { percentile, round, table, type BenchSection } from './report'
import { headlessArgs } from '../test/helpers/headless-args'
import { sessionWithPassings } from '../test/helpers/journal-fill'
import { Journal } from '../src/core/journal/journal'
import { CsvMirror } from '../src/core/journal/csv-mirror'

const ROOT = projectRoot()

/** How the command is started: as `npm run station` does (bundled), or compiled on the fly by tsx (baseline). */
type Runner = 'bundle' | 'tsx'

/** How a run ends: a clean stop, or SIGKILL of its process group (the next run then starts after a crash). */
type Ending = 'SIGTERM' | 'SIGKILL'

/**
 * Time from starting the headless station process to its first committed passing, with a reader already
 * talking. With `data`, it runs on that data folder (kept between runs); otherwise on a new, empty one.
 */
async function launchOnce(
  runner: Runner,
  data?: string,
  ending: Ending = 'SIGTERM'
): Promise<{ openMs: number; captureMs: number }> {
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
        ? [join(ROOT, 'scripts/run.mjs'), 'src/headless/cli.ts']
        : ['--import', 'tsx', join(ROOT, 'src/headless/cli.ts')]),
      ...headlessArgs(data ?? join(folder, 'data'), pty.a, ['--json'])
    ],
    {
      cwd: ROOT,
      env: { ...process.env, RUFUS_API_KEY: 'k' },
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: ending === 'SIGKILL'
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
  if (ending === 'SIGKILL') process.kill(-(child.pid ?? 0), 'SIGKILL')
  else child.kill('SIGTERM')
  await new Promise(done => child.once('exit', done))
  await new Promise(done => writer.close(done))
  await pty.stop()
  rmSync(folder, { recursive: true, force: true })
  return { openMs, captureMs }
}

/**
 * A data folder whose open session already holds `count` passings, with its CSV copy complete, as a station
 * leaves it after a long day offline (written in bulk: capturing them one by one would take hours).
 */
async function folderWithPassings(count: number): Promise<{ data: string; remove: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'rufus-launch-big-'))
  const data = join(root, 'data')
  mkdirSync(data)
  const session = sessionWithPassings(data, count)
  const reopened = new Journal(join(data, 'journal.sqlite'))
  await new CsvMirror(data).catchUp({ ...session, nextNum: count + 1 }, (id, afterNum, limit) =>
    reopened.passingsOfSession(id, afterNum, limit)
  )
  reopened.close()
  return { data, remove: () => rmSync(root, { recursive: true, force: true }) }
}

function medianAndWorst(values: number[]): [string, string] {
  const sorted = [...values].sort((a, b) => a - b)
  return [round(percentile(sorted, 50), 0), round(sorted.at(-1) ?? Number.NaN, 0)]
}

const BIG_JOURNAL = 1_000_000

export async function launchBench(): Promise<BenchSection> {
  const rows: Array<Array<string | number>> = []
  await launchOnce('bundle') // makes the bundle if a source changed, as the first run after an edit does
  for (const runner of ['bundle', 'tsx'] as const) {
    const runs = []
    for (let i = 0; i < 7; i += 1) runs.push(await launchOnce(runner))
    const label =
      runner === 'bundle'
        ? '`npm run station` (bundled once, cached)'
        : 'baseline: compiled on the fly by tsx'
    rows.push([label, 'serial port open', ...medianAndWorst(runs.map(r => r.openMs))])
    rows.push([label, 'first passing committed', ...medianAndWorst(runs.map(r => r.captureMs))])
  }
  // The same launch on an empty journal and on one of a million passings, each run after the previous one
  // was killed (SIGKILL of its process group): what a station takes to capture again after a crash.
  const emptyFolder = mkdtempSync(join(tmpdir(), 'rufus-launch-empty-'))
  const big = await folderWithPassings(BIG_JOURNAL)
  const folders = [
    {
      label: '`npm run station`, new journal, after SIGKILL',
      data: join(emptyFolder, 'data'),
      runs: [] as number[]
    },
    {
      label: `\`npm run station\`, ${BIG_JOURNAL.toLocaleString('en')} passings, after SIGKILL`,
      data: big.data,
      runs: [] as number[]
    }
  ]
  // The runs whose kill the measured ones restart from.
  for (const folder of folders) await launchOnce('bundle', folder.data, 'SIGKILL')
  // Interleaved, so that a change in the machine's load falls on both alike.
  for (let i = 0; i < 7; i += 1) {
    for (const folder of folders)
      folder.runs.push((await launchOnce('bundle', folder.data, 'SIGKILL')).captureMs)
  }
  for (const folder of folders)
    rows.push([folder.label, 'first passing committed', ...medianAndWorst(folder.runs)])
  big.remove()
  rmSync(emptyFolder, { recursive: true, force: true })
  return {
    id: 'launch',
    title: 'Headless station: launch to first capture',
    command: 'npm run bench -- launch',
    body: `From starting the process to its reader port being open and to its first committed passing, with the reader
already sending (7 runs each):

${table(['started as', 'until', 'median ms', 'worst ms'], rows)}

All include starting Node. \`npm run station\` runs a bundle made by esbuild (\`scripts/run.mjs\`), rebuilt only
when a source file changed. The rows "after SIGKILL" start on a data folder whose previous station was killed
(SIGKILL of its process group) the moment it had captured: the folder lock is the operating system's, so the new
start takes it as soon as the old process is gone. The ${BIG_JOURNAL.toLocaleString('en')} passings were written in
bulk to the open session, with its CSV copy complete; nothing that reads the whole session runs before the first
capture (counts are kept by the journal, the CSV copy catches up from its last row a second after the start).`
  }
}
