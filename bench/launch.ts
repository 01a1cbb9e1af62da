import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { SerialPort } from 'serialport'
import { ptyPair } from '../test/helpers/pty'
import { projectRoot } from '../src/core/platform/project-root'
import { percentile, round, table, type BenchSection } from './report'
import { headlessArgs } from '../test/helpers/headless-args'
import { sessionWithPassings } from '../test/helpers/journal-fill'
import { Journal } from '../src/core/journal/journal'
import { CsvMirror } from '../src/core/journal/csv-mirror'

const ROOT = projectRoot()

/** A tree of the project to launch: this one, or an older commit for the baseline. */
interface Tree {
  readonly label: string
  readonly root: string
}

/** How a run ends: a clean stop, or SIGKILL of its process group (the next run then starts after a crash). */
type Ending = 'SIGTERM' | 'SIGKILL'

/**
 * Time from starting the headless station process (as `npm run station` does: its esbuild bundle) to its reader
 * port being open and to its first committed passing, with a reader already talking. With `data`, it runs on
 * that data folder (kept between runs); otherwise on a new, empty one.
 */
async function launchOnce(
  tree: Tree,
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
      join(tree.root, 'scripts/run.mjs'),
      'src/headless/cli.ts',
      ...headlessArgs(data ?? join(folder, 'data'), pty.a, ['--json'])
    ],
    {
      cwd: tree.root,
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

/** Node alone, from start to exit with nothing to run: the floor under every launch, at the machine's load then. */
async function bareNodeOnce(): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise(done => child.once('exit', done))
  return performance.now() - started
}

/**
 * The project as it was at a git commit, beside this one, for the baseline: its sources and scripts, and its own
 * node_modules of links to this tree's packages, so its bundle (kept under node_modules/.cache) is its own.
 */
function treeAt(ref: string): Tree & { remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'rufus-launch-base-'))
  const tar = execFileSync(
    'git',
    ['archive', '--format=tar', ref, 'src', 'scripts', 'bench', 'package.json', 'tsconfig.json'],
    { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 }
  )
  execFileSync('tar', ['-x', '-C', root], { input: tar })
  const modules = join(root, 'node_modules')
  mkdirSync(modules)
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== '.cache') symlinkSync(join(ROOT, 'node_modules', name), join(modules, name))
  }
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT, encoding: 'utf8' }).trim()
  return {
    label: `baseline: ${commit}`,
    root,
    remove: () => rmSync(root, { recursive: true, force: true })
  }
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
const RUNS = 9

/** `npm run bench -- launch [--baseline <git ref>] [--runs n]`. */
export async function launchBench(args: readonly string[] = []): Promise<BenchSection> {
  const { values } = parseArgs({
    args: [...args],
    options: { baseline: { type: 'string' }, runs: { type: 'string' } },
    strict: true
  })
  const runs = Number(values.runs ?? RUNS)
  const trees: Array<Tree & { remove?: () => void }> = [{ label: 'this tree', root: ROOT }]
  if (values.baseline !== undefined) trees.push(treeAt(values.baseline))
  // Each tree makes its bundle if a source changed, as the first run after an edit does.
  for (const tree of trees) await launchOnce(tree)
  const big = await folderWithPassings(BIG_JOURNAL)
  const cells = trees.flatMap(tree => {
    const empty = mkdtempSync(join(tmpdir(), 'rufus-launch-empty-'))
    const copy = mkdtempSync(join(tmpdir(), 'rufus-launch-big-copy-'))
    cpSync(big.data, join(copy, 'data'), { recursive: true })
    return [
      {
        tree,
        journal: 'new journal',
        data: join(empty, 'data'),
        folder: empty,
        open: [] as number[],
        capture: [] as number[]
      },
      {
        tree,
        journal: `${BIG_JOURNAL.toLocaleString('en')} passings`,
        data: join(copy, 'data'),
        folder: copy,
        open: [] as number[],
        capture: [] as number[]
      }
    ]
  })
  big.remove()
  const loads: number[] = []
  const bare: number[] = []
  // The runs whose kill the measured ones restart from.
  for (const cell of cells) await launchOnce(cell.tree, cell.data, 'SIGKILL')
  // Interleaved, so that a change in the machine's load falls on every cell alike.
  for (let i = 0; i < runs; i += 1) {
    for (const cell of cells) {
      loads.push(loadavg()[0] ?? Number.NaN)
      const run = await launchOnce(cell.tree, cell.data, 'SIGKILL')
      cell.open.push(run.openMs)
      cell.capture.push(run.captureMs)
    }
    bare.push(await bareNodeOnce())
  }
  const rows = cells.flatMap(cell => [
    [cell.tree.label, cell.journal, 'serial port open', ...medianAndWorst(cell.open)],
    [cell.tree.label, cell.journal, 'first passing committed', ...medianAndWorst(cell.capture)]
  ])
  rows.push(['Node alone (`node -e ""`)', '—', 'exit', ...medianAndWorst(bare)])
  for (const cell of cells) rmSync(cell.folder, { recursive: true, force: true })
  for (const tree of trees) tree.remove?.()
  const sortedLoads = loads.sort((a, b) => a - b)
  return {
    id: 'launch',
    title: 'Headless station: launch to first capture',
    command: `npm run bench -- launch${args.length > 0 ? ` ${args.join(' ')}` : ''}`,
    body: `From starting the process to its reader port being open and to its first committed passing, with the reader
already sending (${runs} runs each, interleaved; each run starts right after the previous one on the same folder
was killed, SIGKILL of its process group, as a supervisor restarts a crashed station):

${table(['tree', 'journal', 'until', 'median ms', 'worst ms'], rows)}

The machine's 1-minute load average during the runs (2 cores): min ${round(sortedLoads[0] ?? Number.NaN, 2)}, median
${round(percentile(sortedLoads, 50), 2)}, max ${round(sortedLoads.at(-1) ?? Number.NaN, 2)}.

All include starting Node and \`scripts/run.mjs\` (what \`npm run station\` runs: an esbuild bundle, rebuilt only when
a source file changed). ${trees.length > 1 ? 'The baseline is the project at the commit named, beside this tree, bundled by its own `scripts/run.mjs`. ' : ''}Before its
ports open, this tree loads only what capture needs (the journal, the decoders, the serial ports; zod and the CSV
packages are inside its bundle); the settings (conf), the first cloud request (fetch) and the screens wait until
capture has begun (\`docs/headless-service.md\`). "Node alone" is the floor under every row at the machine's load
then. The ${BIG_JOURNAL.toLocaleString('en')} passings were written in bulk to the open session, with its CSV copy
complete; nothing that reads the whole session runs before the first capture.`
  }
}
