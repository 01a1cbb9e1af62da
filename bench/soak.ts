import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { projectRoot } from '../src/core/platform/project-root'
import { startEmulator } from '../src/emulator/server'
import { headlessArgs } from '../test/helpers/headless-args'
import { openSerialWriter, ptyPair } from '../test/helpers/pty'
import { percentile, round, table, type BenchSection } from './report'
import { between, cpuShare, heapGrowthMbPerHour, systemShare, type ProbeSample } from './soak-stats'

const ROOT = projectRoot()
const PROBE = join(ROOT, 'bench', 'soak-probe.mjs')
const KEY = { apiKey: 'ror-soak', access: 'READ_WRITE', canUnbind: true, company: 'soak' } as const
const MB = 1024 * 1024

export interface SoakOptions {
  readonly loadSeconds: number
  /** Reads per second during the load, one bib per line on the line protocol. */
  readonly rate: number
  readonly idleSeconds: number
  readonly sampleSeconds: number
  /** The first part of the load left out of the heap regression (JIT, caches and pools filling up). */
  readonly warmupSeconds: number
  /** A folder for the station's CPU profile (`--cpu-prof`), to see where its time goes. */
  readonly profileDir?: string
}

export const FULL_SOAK: SoakOptions = {
  loadSeconds: 600,
  rate: 600,
  idleSeconds: 60,
  sampleSeconds: 5,
  warmupSeconds: 60
}
export const SHORT_SOAK: SoakOptions = {
  loadSeconds: 20,
  rate: 600,
  idleSeconds: 10,
  sampleSeconds: 2,
  warmupSeconds: 4
}

export interface PhasedSample extends ProbeSample {
  readonly phase: 'load' | 'idle'
  /** The machine's 1-minute load average when the sample was taken. */
  readonly machineLoad: number
  /** Times the station's main thread has gone to sleep and woken up so far (Linux; NaN elsewhere). */
  readonly wakeups: number
}

export interface SoakReport {
  readonly options: SoakOptions
  readonly node: string
  readonly samples: readonly PhasedSample[]
  /** Reads written to the serial line, passings the station reported committed, and synced to the emulator. */
  readonly sent: number
  readonly committed: number
  readonly synced: number
  /** Requests the station made to the emulator, all of them and those that uploaded passings. */
  readonly cloudRequests: number
  readonly uploadRequests: number
  readonly heapGrowthMbPerHour: number
  readonly heapFirstSteadyMb: number
  readonly heapEndMb: number
  readonly rssMaxMb: number
  /** Share of one core (0.05 = 5 %). */
  readonly cpuLoad: number
  /** Of which in the kernel. */
  readonly cpuLoadSystem: number
  readonly cpuIdle: number
  /** Event-loop wake-ups per second while idle (the probe's own sampling adds a few). */
  readonly idleWakeupsPerSecond: number
  /** Event-loop delay during the load: the median and the worst of the per-sample p99s. */
  readonly loopP99MedianMs: number
  readonly loopP99WorstMs: number
  readonly machineLoad: { readonly min: number; readonly median: number; readonly max: number }
}

/** The station's stdout (`--json`): counts what capture and sync report. */
function watchEvents(child: ChildProcess) {
  const seen = { committed: 0, synced: 0, readerOpen: false }
  let opened: () => void = () => undefined
  const readerOpen = new Promise<void>(resolve => (opened = resolve))
  createInterface({ input: child.stdout! }).on('line', line => {
    if (line.startsWith('{"type":"passing"')) seen.committed += 1
    else if (line.startsWith('{"type":"sync"')) seen.synced = (JSON.parse(line) as { synced: number }).synced
    else if (line.startsWith('{"type":"reader"') && line.includes('"state":"open"')) opened()
  })
  return { seen, readerOpen }
}

/** Asks the probe inside the station for one sample (a forced GC first), answered over IPC. */
function sampler(child: ChildProcess) {
  const waiting: Array<(sample: ProbeSample) => void> = []
  child.on('message', (message: { probe?: string; sample?: ProbeSample }) => {
    if (message.probe === 'sample' && message.sample) waiting.shift()?.(message.sample)
  })
  return {
    sample: () =>
      new Promise<ProbeSample>(resolve => {
        waiting.push(resolve)
        child.send({ probe: 'sample' })
      }),
    loopMonitor: (on: boolean) => child.send({ probe: 'loop', on })
  }
}

/** Voluntary context switches of the process's main thread: each is one sleep of its event loop. */
function wakeupsOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN)
  } catch {
    return Number.NaN
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/**
 * The headless station as a real child process (`--json`, bundled as `npm run station` runs it), reading a
 * socat PTY fed at `rate` reads/s for `loadSeconds`, syncing to the emulator on loopback, then left idle.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const folder = mkdtempSync(join(tmpdir(), 'rufus-soak-'))
  const cloud = await startEmulator({ port: 0, keys: [KEY] })
  const pty = await ptyPair(folder)
  const writer = await openSerialWriter(pty.b, 115_200)
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      ...(options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : []),
      '--import',
      pathToFileURL(PROBE).href,
      join(ROOT, 'scripts/run.mjs'),
      'src/headless/cli.ts',
      ...headlessArgs(join(folder, 'data'), pty.a, ['--json', '--baud', '115200'], cloud.apiUrl)
    ],
    {
      cwd: ROOT,
      env: { ...process.env, RUFUS_API_KEY: KEY.apiKey },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc']
    }
  )
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', code => reject(new Error(`the station exited (${code}) during the soak: ${stderr}`)))
  )
  exited.catch(() => undefined)
  const { seen, readerOpen } = watchEvents(child)
  const probe = sampler(child)
  const samples: PhasedSample[] = []
  let sent = 0
  let cloudCounts: { requests: number; uploads: number }
  let feeding: NodeJS.Timeout | undefined
  try {
    await Promise.race([readerOpen, exited])
    const started = Date.now()
    const loadEnds = started + options.loadSeconds * 1000
    // One write per 10 ms tick with every read then due, as a reader's serial line delivers them.
    const feed = () => {
      const due = Math.floor(((Math.min(Date.now(), loadEnds) - started) / 1000) * options.rate)
      if (due <= sent) return
      let lines = ''
      for (; sent < due; sent += 1) lines += `${sent + 1}\r\n`
      writer.write(lines)
    }
    feeding = setInterval(feed, 10)
    const take = async (phase: PhasedSample['phase']) => {
      const sample = await Promise.race([probe.sample(), exited])
      samples.push({
        ...sample,
        phase,
        machineLoad: loadavg()[0] ?? Number.NaN,
        wakeups: wakeupsOf(child.pid)
      })
    }
    const every = options.sampleSeconds * 1000
    const schedule: Array<{ at: number; phase: PhasedSample['phase']; boundary?: true }> = []
    for (let at = started; at < loadEnds; at += every) schedule.push({ at, phase: 'load' })
    // The feed stops at the boundary, sampled there; the delay monitor is off for the idle phase.
    schedule.push({ at: loadEnds, phase: 'load', boundary: true })
    for (let at = loadEnds + every; at <= loadEnds + options.idleSeconds * 1000; at += every) {
      schedule.push({ at, phase: 'idle' })
    }
    for (const step of schedule) {
      await Promise.race([sleep(step.at - Date.now()), exited])
      if (step.boundary) {
        feed()
        clearInterval(feeding)
      }
      await take(step.phase)
      if (step.boundary) probe.loopMonitor(false)
    }
  } finally {
    clearInterval(feeding)
    cloudCounts = { requests: cloud.stats.requests, uploads: cloud.stats.insertPassingsRequests }
    child.kill('SIGTERM')
    await new Promise(resolve => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)))
    await new Promise(resolve => writer.close(resolve))
    await pty.stop()
    await cloud.close()
    rmSync(folder, { recursive: true, force: true })
  }
  return summarize(options, samples, {
    sent,
    committed: seen.committed,
    synced: seen.synced,
    cloudRequests: cloudCounts.requests,
    uploadRequests: cloudCounts.uploads
  })
}

function summarize(
  options: SoakOptions,
  samples: readonly PhasedSample[],
  counts: Pick<SoakReport, 'sent' | 'committed' | 'synced' | 'cloudRequests' | 'uploadRequests'>
): SoakReport {
  const load = samples.filter(s => s.phase === 'load')
  const idle = samples.filter(s => s.phase === 'idle')
  const first = samples[0]?.atMs ?? 0
  const steady = between(load, first + options.warmupSeconds * 1000, Number.POSITIVE_INFINITY)
  // The idle share counts from the last load sample (the feed stopped there) to the end.
  const idleSpan = [...load.slice(-1), ...idle]
  const p99s = load
    .slice(1)
    .map(s => s.loopP99Ms)
    .sort((a, b) => a - b)
  const machine = samples.map(s => s.machineLoad).sort((a, b) => a - b)
  return {
    options,
    node: process.version,
    samples,
    ...counts,
    heapGrowthMbPerHour: heapGrowthMbPerHour(steady),
    heapFirstSteadyMb: (steady[0]?.heapUsed ?? Number.NaN) / MB,
    heapEndMb: (samples.at(-1)?.heapUsed ?? Number.NaN) / MB,
    rssMaxMb: Math.max(...samples.map(s => s.rss)) / MB,
    cpuLoad: cpuShare(load),
    cpuLoadSystem: systemShare(load),
    cpuIdle: cpuShare(idleSpan),
    idleWakeupsPerSecond: perSecond(idleSpan, s => s.wakeups),
    loopP99MedianMs: percentile(p99s, 50),
    loopP99WorstMs: p99s.at(-1) ?? Number.NaN,
    machineLoad: {
      min: machine[0] ?? Number.NaN,
      median: percentile(machine, 50),
      max: machine.at(-1) ?? Number.NaN
    }
  }
}

function perSecond(samples: readonly PhasedSample[], count: (s: PhasedSample) => number): number {
  const first = samples[0]
  const last = samples.at(-1)
  if (!first || !last || last.atMs <= first.atMs) return Number.NaN
  return ((count(last) - count(first)) * 1000) / (last.atMs - first.atMs)
}

const percent = (share: number) => `${round(share * 100, 2)} %`

/** One row per minute (or per sample in a run shorter than three minutes), and one where the load stops. */
function timeline(report: SoakReport): string {
  const first = report.samples[0]?.atMs ?? 0
  const step = report.options.loadSeconds + report.options.idleSeconds >= 180 ? 60_000 : 0
  let lastShown = Number.NEGATIVE_INFINITY
  let previous = report.samples[0]
  const rows: Array<Array<string | number>> = []
  report.samples.forEach((sample, i) => {
    const last = i === report.samples.length - 1
    const boundary = sample.phase === 'load' && report.samples[i + 1]?.phase === 'idle'
    if (i > 0 && !last && !boundary && sample.atMs - lastShown < step) return
    const since = previous && previous !== sample ? [previous, sample] : []
    rows.push([
      round((sample.atMs - first) / 1000, 0),
      sample.phase,
      round(sample.heapUsed / MB, 2),
      round(sample.rss / MB, 1),
      since.length > 0 ? percent(cpuShare(since)) : '—',
      sample.phase === 'load' && i > 0 ? round(sample.loopP99Ms, 1) : '—',
      round(sample.machineLoad, 2)
    ])
    lastShown = sample.atMs
    previous = sample
  })
  return table(
    ['s', 'phase', 'heap after GC MB', 'RSS MB', 'CPU since previous row', 'loop p99 ms', 'load avg'],
    rows
  )
}

function body(report: SoakReport): string {
  const o = report.options
  return `The headless station as a child process (\`--json\`, started as \`npm run station\` starts it), reading a socat
PTY fed at ${o.rate} reads/s (one bib per line, ${o.rate / 100} lines per 10 ms write) for ${round(o.loadSeconds / 60, 1)} min,
syncing to the emulator on loopback, then ${o.idleSeconds} s idle. Every ${o.sampleSeconds} s a probe preloaded only
by this bench (\`bench/soak-probe.mjs\`, \`--expose-gc\`) forces a full GC and reports the heap, RSS, CPU time and
event-loop delay (\`monitorEventLoopDelay\`, 20 ms resolution, off while idle); the forced GCs' own CPU time is
left out.

${table(
  ['measure', 'result', 'goal'],
  [
    [
      `heap growth after GC, least squares over the load after its first ${o.warmupSeconds} s`,
      `${round(report.heapGrowthMbPerHour, 2)} MB/h`,
      '< 5 MB/h'
    ],
    [
      'heap after GC: first steady sample → end of idle',
      `${round(report.heapFirstSteadyMb, 2)} → ${round(report.heapEndMb, 2)} MB`,
      ''
    ],
    ['RSS, largest', `${round(report.rssMaxMb, 1)} MB`, ''],
    [
      `CPU, share of one core at ${o.rate} reads/s (of which in the kernel)`,
      `${percent(report.cpuLoad)} (${percent(report.cpuLoadSystem)})`,
      '≤ 10 %'
    ],
    [
      `CPU, share of one core idle (${o.idleSeconds} s after the feed stops)`,
      percent(report.cpuIdle),
      '< 1 %'
    ],
    [
      'requests to the cloud (of which uploads of passings), per second of the whole run',
      `${round(report.cloudRequests / (o.loadSeconds + o.idleSeconds), 1)} (${round(report.uploadRequests / (o.loadSeconds + o.idleSeconds), 1)})`,
      ''
    ],
    ['main thread wake-ups per second while idle', round(report.idleWakeupsPerSecond, 1), ''],
    [
      'event-loop delay p99 under load, median / worst of the samples',
      `${round(report.loopP99MedianMs, 1)} / ${round(report.loopP99WorstMs, 1)} ms`,
      ''
    ],
    [
      'reads sent → passings committed → synced',
      `${report.sent} → ${report.committed} → ${report.synced}`,
      'all equal'
    ],
    [
      "machine's 1-min load average (2 cores), min / median / max",
      `${round(report.machineLoad.min, 2)} / ${round(report.machineLoad.median, 2)} / ${round(report.machineLoad.max, 2)}`,
      ''
    ]
  ]
)}

${timeline(report)}`
}

function soakOptions(args: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      short: { type: 'boolean', default: false },
      minutes: { type: 'string' },
      rate: { type: 'string' },
      'idle-seconds': { type: 'string' },
      'sample-seconds': { type: 'string' },
      profile: { type: 'string' }
    },
    strict: true
  })
  const base = values.short ? SHORT_SOAK : FULL_SOAK
  const number = (value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback
    const parsed = Number(value)
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`soak: ${value} is not a positive number`)
    return parsed
  }
  const loadSeconds = values.minutes === undefined ? base.loadSeconds : number(values.minutes, 0) * 60
  return {
    loadSeconds,
    rate: number(values.rate, base.rate),
    idleSeconds: number(values['idle-seconds'], base.idleSeconds),
    sampleSeconds: number(values['sample-seconds'], base.sampleSeconds),
    warmupSeconds: Math.min(base.warmupSeconds, loadSeconds / 5),
    profileDir: values.profile
  }
}

/**
 * `npm run bench -- soak [--short] [--minutes n] [--rate r] [--idle-seconds s] [--sample-seconds s]
 * [--profile <dir>]`.
 */
export async function soakBench(args: readonly string[] = []): Promise<BenchSection> {
  const options = soakOptions(args)
  const report = await runSoak(options)
  const full = options.loadSeconds >= FULL_SOAK.loadSeconds && options.idleSeconds >= FULL_SOAK.idleSeconds
  return {
    id: 'soak',
    title: 'Headless station: soak at a steady read rate, then idle',
    command: `npm run bench -- soak${args.length > 0 ? ` ${args.join(' ')}` : ''}`,
    body: body(report),
    // A shorter run is a check, not a result: printed, not written over the full one in docs/benchmarks.md.
    record: full
  }
}
