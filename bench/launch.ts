import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { SerialPort } from 'serialport'
import { ptyPair } from '../test/helpers/pty'
import { percentile, round, table, type BenchSection } from './report'

const ROOT = resolve(import.meta.dirname, '..')

/** Time from starting the headless station process to its first committed passing, with a reader already talking. */
async function launchOnce(): Promise<{ openMs: number; captureMs: number }> {
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
      '--import',
      'tsx',
      join(ROOT, 'src/station/cli.ts'),
      '--headless',
      '--json',
      '--data',
      join(folder, 'data'),
      '--api-url',
      'http://127.0.0.1:9/v0',
      '--serial',
      pty.a
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
  const runs = []
  for (let i = 0; i < 7; i += 1) runs.push(await launchOnce())
  const capture = runs.map(r => r.captureMs).sort((a, b) => a - b)
  const open = runs.map(r => r.openMs).sort((a, b) => a - b)
  return {
    id: 'launch',
    title: 'Headless station: launch to first capture',
    command: 'npm run bench -- launch',
    body: `${table(
      ['from process start to', 'median ms', 'worst of 7 ms'],
      [
        ['serial port open', round(percentile(open, 50), 0), round(open.at(-1) ?? Number.NaN, 0)],
        [
          'first passing committed (reader already sending)',
          round(percentile(capture, 50), 0),
          round(capture.at(-1) ?? Number.NaN, 0)
        ]
      ]
    )}

Includes starting Node and compiling TypeScript on the fly with tsx (a packaged app starts from built JavaScript).`
  }
}
