import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { resolve } from 'node:path'
import type { StationEvent } from '../../src/shared/events'

export const ROOT = resolve(import.meta.dirname, '../..')

export interface Spawned {
  readonly child: ChildProcessWithoutNullStreams
  /** Resolves with the first stdout line matching the pattern (rejects if the process exits first). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>
  readonly lines: string[]
  readonly stderr: () => string
  exited(): Promise<number | null>
}

/** Runs one of the project's TypeScript commands, compiled on the fly by tsx. */
export function spawnTs(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  // tsx as an in-process loader: a signal sent to the child reaches the program itself.
  return spawnNode(['--import', 'tsx', resolve(ROOT, script), ...args], env)
}

/**
 * Runs a command exactly as `npm run station` does (an esbuild bundle, rebuilt when a source changed), in a
 * process group of its own so a test can kill the whole group at once, as a power cut or a crash would.
 */
export function spawnBundled(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  return spawnNode([resolve(ROOT, 'scripts/run.mjs'), script, ...args], env, true)
}

/**
 * Like `spawnBundled`, but under a parent that never reaps its children (a shell that became `sleep`): once
 * killed, the station stays a zombie, its pid still "alive" to anyone who asks, as under a hung supervisor.
 * `child` is that parent; the station is its only child.
 */
export function spawnBundledUnreaped(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {}
): Spawned {
  const command = `"$0" "${resolve(ROOT, 'scripts/run.mjs')}" "$@" & exec sleep 600`
  return spawnNode(['-c', command, process.execPath, script, ...args], env, true, '/bin/sh')
}

function spawnNode(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  detached = false,
  program = process.execPath
): Spawned {
  const child = spawn(program, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached
  })
  const lines: string[] = []
  let stderr = ''
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = []
  createInterface({ input: child.stdout }).on('line', line => {
    lines.push(line)
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(line)) waiter.resolve(line)
      else waiters.push(waiter)
    }
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exit = new Promise<number | null>(done => child.once('exit', code => done(code)))
  return {
    child,
    lines,
    stderr: () => stderr,
    exited: () => exit,
    waitForLine(pattern, timeoutMs = 20_000) {
      const seen = lines.find(line => pattern.test(line))
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr: ${stderr}`)),
          timeoutMs
        )
        void exit.then(code =>
          reject(new Error(`process exited (${code}) before a line matching ${pattern}; stderr: ${stderr}`))
        )
        waiters.push({
          pattern,
          resolve: line => {
            clearTimeout(timer)
            resolvePromise(line)
          }
        })
      })
    }
  }
}

/** Waits until a headless station (`--json`) reports every passing synced, then stops it; resolves its exit code. */
export async function stopWhenAllSynced(station: Spawned): Promise<number | null> {
  await station.waitForLine(
    /"type":"sync","pending":0,"held":0,"synced":[1-9]\d*,"quarantined":0,"conflict":0,"inFlight":0/,
    60_000
  )
  station.child.kill('SIGTERM')
  return station.exited()
}

/** Kills a process's whole group at once (`spawnBundled` gives it one), as a crash or a power cut would. */
export function killGroup(spawned: Spawned): void {
  try {
    process.kill(-(spawned.child.pid ?? 0), 'SIGKILL')
  } catch {
    // already gone
  }
}

/** The `--json` events of one type a headless station printed so far; a line cut short by a kill is skipped. */
export function jsonEvents<T extends StationEvent['type']>(
  spawned: Spawned,
  type: T
): Array<StationEvent & { type: T }> {
  const found: Array<StationEvent & { type: T }> = []
  for (const line of spawned.lines) {
    if (!line.includes(`"type":"${type}"`)) continue
    try {
      const event = JSON.parse(line) as StationEvent
      if (event.type === type) found.push(event as StationEvent & { type: T })
    } catch {
      // a line cut by the kill
    }
  }
  return found
}

/**
 * Polls `check` until it holds, failing at once if the process exits first and after `timeoutMs` otherwise (both
 * with its stderr).
 */
export async function untilWhileRunning(
  check: () => boolean,
  what: string,
  spawned: Spawned,
  timeoutMs = 20_000,
  intervalMs = 2
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (spawned.child.exitCode !== null) {
      throw new Error(`process exited (${spawned.child.exitCode}) before ${what}: ${spawned.stderr()}`)
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${spawned.stderr()}`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}
