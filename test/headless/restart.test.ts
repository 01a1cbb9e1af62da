import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import { LOCK_DATABASE } from '../../src/core/journal/folder-lock'
import { Journal } from '../../src/core/journal/journal'
import { collectPages, sessionPassingPages } from '../../src/core/rufus/paging'
import type { PassingEvent } from '../../src/shared/events'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { headlessArgs } from '../helpers/headless-args'
import {
  jsonEvents,
  killGroup,
  spawnBundled,
  spawnBundledUnreaped,
  stopWhenAllSynced,
  untilWhileRunning,
  type Spawned
} from '../helpers/process'
import { openSerialWriter, ptyPair, type PtyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'

const RESTARTS = 20

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function startStation(args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const station = spawnBundled('src/headless/cli.ts', args, { RUFUS_API_KEY: KEYS.readWrite.apiKey, ...env })
  cleanups.push(() => killGroup(station))
  return station
}

function passings(station: Spawned): PassingEvent[] {
  return jsonEvents(station, 'passing')
}

/** A reader that keeps sending: one new bib every 5 ms, numbered so each can be traced to the cloud. */
async function sendingReader(pty: PtyPair): Promise<{ sent: () => number; stop: () => Promise<void> }> {
  const port = await openSerialWriter(pty.b, 115200)
  let n = 0
  const timer = setInterval(() => port.write(`${++n}\r\n`), 5)
  const stop = async () => {
    clearInterval(timer)
    if (port.isOpen) await new Promise(done => port.close(done))
  }
  cleanups.push(stop)
  return { sent: () => n, stop }
}

async function setup() {
  const folder = tempFolder('rufus-restart-')
  const pty = await ptyPair(folder)
  cleanups.push(() => pty.stop())
  return { folder, pty, data: join(folder, 'data') }
}

describe('restart after a crash', () => {
  it(
    `captures again at once after ${RESTARTS} SIGKILLs of the whole process with a new start within 50 ms, and the cloud gets every reported passing once`,
    { timeout: 240_000 },
    async () => {
      const { pty, data } = await setup()
      const cloud = await emulator()
      const args = headlessArgs(data, pty.a, ['--json'], cloud.apiUrl)
      const reader = await sendingReader(pty)
      const reported = new Map<string, number>()
      const startToCapture: number[] = []
      const killToStart: number[] = []
      let killedAt: number | null = null
      for (let run = 0; run <= RESTARTS; run += 1) {
        const startedAt = performance.now()
        if (killedAt !== null) killToStart.push(startedAt - killedAt)
        const station = startStation(args)
        await untilWhileRunning(() => passings(station).length > 0, `run ${run} to capture`, station)
        if (killedAt !== null) startToCapture.push(performance.now() - startedAt)
        if (run === RESTARTS) {
          reader.stop()
          station.child.kill('SIGTERM')
          expect(await station.exited()).toBe(0)
          for (const passing of passings(station)) reported.set(passing.bib ?? '', passing.num_passing)
          break
        }
        // Kill at a different moment each time: after 1 to 40 further captures.
        const extra = 1 + ((run * 7) % 40)
        await untilWhileRunning(
          () => passings(station).length > extra,
          `run ${run} to capture ${extra} more`,
          station
        )
        killGroup(station)
        killedAt = performance.now()
        void station.exited().then(() => {
          for (const passing of passings(station)) reported.set(passing.bib ?? '', passing.num_passing)
        })
        await new Promise(resolve => setImmediate(resolve))
      }
      expect(Math.max(...killToStart)).toBeLessThan(50)

      // A last clean run uploads what the killed ones could not.
      expect(await stopWhenAllSynced(startStation(args))).toBe(0)

      const journal = new Journal(join(data, 'journal.sqlite'))
      const [session] = journal.sessions()
      const local = journal.passingsOfSession(session?.id ?? 0)
      journal.close()
      const remote = await collectPages(
        sessionPassingPages(clientFor(cloud, KEYS.read), session?.token ?? '')
      )
      const remoteByBib = new Map<string, number>()
      for (const passing of remote) remoteByBib.set(passing.bib, (remoteByBib.get(passing.bib) ?? 0) + 1)
      expect(reported.size).toBeGreaterThan(RESTARTS * 2)
      for (const [bib, num] of reported) {
        expect(remoteByBib.get(bib), `passing ${num} (bib ${bib}) in the cloud`).toBe(1)
        expect(remote.find(p => p.bib === bib)?.num_passing).toBe(num)
      }
      expect(remote.length).toBe(local.length)
      expect([...remoteByBib.values()].every(count => count === 1)).toBe(true)
      const sorted = [...startToCapture].sort((a, b) => a - b)
      console.log(
        `restart after SIGKILL, start -> first capture (ms): median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)}, worst ${sorted.at(-1)?.toFixed(0)}; kill -> start worst ${Math.max(...killToStart).toFixed(1)} ms; ${reported.size} passings reported, ${reader.sent()} lines sent`
      )
    }
  )

  it('starts at once while the killed station is still a zombie nobody has reaped', async () => {
    const { pty, data } = await setup()
    const args = headlessArgs(data, pty.a, ['--json'])
    const parent = spawnBundledUnreaped('src/headless/cli.ts', args, { RUFUS_API_KEY: 'k' })
    cleanups.push(() => killGroup(parent))
    await sendingReader(pty)
    await untilWhileRunning(() => passings(parent).length > 0, 'the first station to capture', parent)
    const killed = Number(
      execFileSync('pgrep', ['-P', String(parent.child.pid)], { encoding: 'utf8' }).trim()
    )
    process.kill(killed, 'SIGKILL')
    const next = startStation(args, { RUFUS_API_KEY: 'k' })
    await untilWhileRunning(() => passings(next).length > 0, 'the new station to capture', next)
    // The old pid is still in the process table: a pid check would have refused this start.
    expect(execFileSync('ps', ['-o', 'stat=', '-p', String(killed)], { encoding: 'utf8' }).trim()).toMatch(
      /^Z/
    )
    next.child.kill('SIGTERM')
    expect(await next.exited()).toBe(0)
  })

  it('starts on a lock database left damaged (not a database), and a second live station is still refused', async () => {
    const { pty, data } = await setup()
    mkdirSync(data, { recursive: true, mode: 0o700 })
    // A power cut or a bad sector can leave any bytes in the lock database; it holds nothing worth keeping.
    writeFileSync(join(data, LOCK_DATABASE), randomBytes(4096))
    const first = startStation(headlessArgs(data, pty.a, ['--json']))
    await sendingReader(pty)
    await untilWhileRunning(() => passings(first).length > 0, 'the station to capture', first)
    const second = startStation(headlessArgs(data, join(data, '..', 'ttyB'), ['--json']))
    expect(await second.exited()).toBe(3)
    expect(second.stderr()).toMatch(/Another RUFUS Station .*is already using the data folder/)
    expect(second.stderr()).not.toMatch(/journal/)
    first.child.kill('SIGTERM')
    expect(await first.exited()).toBe(0)
  })

  it('refuses a second live station on the same folder in plain words, and the first keeps capturing', async () => {
    const { pty, data } = await setup()
    const first = startStation(headlessArgs(data, pty.a, ['--json']))
    await sendingReader(pty)
    await untilWhileRunning(() => passings(first).length > 0, 'the first station to capture', first)
    const second = startStation(headlessArgs(data, join(data, '..', 'ttyB'), ['--json']))
    expect(await second.exited()).toBe(3)
    expect(second.stderr()).toMatch(
      new RegExp(
        `Another RUFUS Station \\(process ${first.child.pid}\\) is already using the data folder .*data\\. Close it first\\.`
      )
    )
    const before = passings(first).length
    await untilWhileRunning(
      () => passings(first).length > before + 20,
      'the first station to keep capturing',
      first
    )
    first.child.kill('SIGTERM')
    expect(await first.exited()).toBe(0)
  })
})
