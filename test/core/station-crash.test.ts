import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Journal } from '../../src/core/journal/journal'
import { collectPages, sessionPassingPages } from '../../src/core/rufus/paging'
import { outgoingTimestamp } from '../../src/core/sync/reconcile'
import type { StationEvent } from '../../src/shared/events'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { spawnTs, stopWhenAllSynced, type Spawned } from '../helpers/process'
import { ptyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'
import { headlessArgs } from '../helpers/headless-args'

const CYCLES = 8

function events(process: Spawned): StationEvent[] {
  const parsed: StationEvent[] = []
  for (const line of process.lines) {
    try {
      parsed.push(JSON.parse(line) as StationEvent)
    } catch {
      // The last line may be cut by SIGKILL.
    }
  }
  return parsed
}

describe('crash safety of the headless station', () => {
  it(
    'loses nothing it reported captured across repeated SIGKILLs, numbers without gaps, and syncs exactly',
    { timeout: 180_000 },
    async () => {
      const folder = tempFolder('rufus-crash-')
      const data = join(folder, 'data')
      const pty = await ptyPair(folder)
      const cloud = await emulator()
      const args = headlessArgs(data, pty.a, ['--json', '--line-field', 'bib'], cloud.apiUrl)
      const env = { RUFUS_API_KEY: KEYS.readWrite.apiKey }
      const simulator = spawnTs('src/simulator/cli.ts', [
        '--protocol',
        'line',
        '--serial',
        pty.b,
        '--rate',
        '400',
        '--seed',
        '11'
      ])
      const reported = new Map<number, string | null>()
      let seed = 12345
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        return seed / 2 ** 31
      }
      try {
        for (let cycle = 0; cycle < CYCLES; cycle += 1) {
          const station = spawnTs('src/headless/cli.ts', args, env)
          await station.waitForLine(/"type":"reader".*"state":"open"/)
          // Kill at a random moment: after a random number of further captures.
          const target = 20 + Math.floor(random() * 200)
          const before = station.lines.filter(l => l.includes('"type":"passing"')).length
          await station.waitForLine(/"type":"passing"/)
          await new Promise<void>((resolve, reject) => {
            const check = setInterval(() => {
              if (station.lines.filter(l => l.includes('"type":"passing"')).length >= before + target) {
                clearInterval(check)
                resolve()
              }
              if (station.child.exitCode !== null) {
                clearInterval(check)
                reject(new Error(`station exited: ${station.stderr()}`))
              }
            }, 2)
          })
          station.child.kill('SIGKILL')
          await station.exited()
          for (const event of events(station)) {
            if (event.type === 'passing') {
              expect(reported.has(event.num_passing) ? reported.get(event.num_passing) : event.bib).toBe(
                event.bib
              )
              reported.set(event.num_passing, event.bib)
            }
          }
        }
        simulator.child.kill('SIGTERM')
        await simulator.exited()

        // A last, clean run drains the backlog.
        const last = spawnTs('src/headless/cli.ts', args, env)
        await last.waitForLine(/"type":"reader".*"state":"open"/)
        expect(await stopWhenAllSynced(last)).toBe(0)

        const journal = new Journal(join(data, 'journal.sqlite'))
        const sessions = journal.sessions()
        expect(sessions).toHaveLength(1)
        const local = journal.passingsOfSession(sessions[0]?.id ?? 0)
        journal.close()
        expect(reported.size).toBeGreaterThan(CYCLES * 20)
        for (const [num, bib] of reported) expect(local[num - 1]?.bib).toBe(bib)
        expect(local.map(p => p.num)).toEqual(local.map((_, i) => i + 1))
        expect(local.every(p => p.state === 'synced')).toBe(true)
        const remote = await collectPages(
          sessionPassingPages(clientFor(cloud, KEYS.read), sessions[0]?.token ?? '')
        )
        expect(remote.map(p => [p.num_passing, p.bib, p.timestamp])).toEqual(
          local.map(p => [p.num, p.bib, outgoingTimestamp(p.timeUs)])
        )
      } finally {
        if (simulator.child.exitCode === null) simulator.child.kill('SIGKILL')
        await pty.stop()
      }
    }
  )
})
