import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Journal } from '../../src/core/journal/journal'
import { collectPages, sessionPassingPages } from '../../src/core/rufus/paging'
import type { PrintedEvent } from '../../src/shared/events'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { headlessArgs } from '../helpers/headless-args'
import { jsonEvents, killGroup, spawnBundled, untilWhileRunning, type Spawned } from '../helpers/process'
import { openSerialWriter, ptyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'

// The headless `--new-session <alias>` and the unattended defaults, with real processes: the bundled headless
// station on a socat PTY, the emulator over loopback, the journal read from its SQLite file between runs.

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function rig() {
  const folder = tempFolder('rufus-new-session-')
  const pty = await ptyPair(folder)
  cleanups.push(() => pty.stop())
  const reader = await openSerialWriter(pty.b)
  cleanups.push(() => new Promise<void>(done => (reader.isOpen ? reader.close(() => done()) : done())))
  const cloud = await emulator()
  const data = join(folder, 'data')
  const start = async (flags: readonly string[] = []): Promise<Spawned> => {
    const station = spawnBundled(
      'src/headless/cli.ts',
      headlessArgs(data, pty.a, ['--json', '--dedup-window', '0', ...flags], cloud.apiUrl),
      { RUFUS_API_KEY: KEYS.readWrite.apiKey }
    )
    cleanups.push(() => killGroup(station))
    await station.waitForLine(/"type":"reader".*"state":"open"/)
    return station
  }
  /** Sends bibs one at a time and waits for each to be captured. */
  const capture = async (station: Spawned, bibs: readonly string[]) => {
    for (const bib of bibs) {
      const before = jsonEvents(station, 'passing').length
      reader.write(`${bib}\r\n`)
      await untilWhileRunning(() => jsonEvents(station, 'passing').length > before, `bib ${bib}`, station)
    }
  }
  const journal = <T>(read: (journal: Journal) => T): T => {
    const opened = new Journal(join(data, 'journal.sqlite'))
    try {
      return read(opened)
    } finally {
      opened.close()
    }
  }
  /** The bibs in the cloud, per local session alias, read with another key of the company. */
  const cloudBibs = async (): Promise<Array<{ alias: string; bibs: string[] }>> => {
    const sessions = journal(j => j.sessions())
    const client = clientFor(cloud, KEYS.admin)
    return Promise.all(
      sessions.map(async s => ({
        alias: s.alias,
        bibs: s.token
          ? (await collectPages(sessionPassingPages(client, s.token))).map(p => p.bib ?? '').sort()
          : []
      }))
    )
  }
  return { cloud, data, start, capture, journal, cloudBibs }
}

function notices(station: Spawned): PrintedEvent[] {
  return station.lines.flatMap(line => {
    try {
      const event = JSON.parse(line) as PrintedEvent
      return event.type === 'info' || event.type === 'warning' || event.type === 'error' ? [event] : []
    } catch {
      return []
    }
  })
}

function codes(station: Spawned): string[] {
  return notices(station).map(n => ('code' in n ? String(n.code) : ''))
}

/** Waits until the station reports every passing of its data folder synced, nothing pending or blocked. */
async function untilAllSynced(station: Spawned, count: number): Promise<void> {
  await untilWhileRunning(
    () => {
      const sync = jsonEvents(station, 'sync').at(-1)
      return sync?.synced === count && sync.pending === 0 && sync.inFlight === 0
    },
    `${count} synced`,
    station,
    30_000,
    20
  )
}

async function stop(station: Spawned): Promise<number | null> {
  station.child.kill('SIGTERM')
  return station.exited()
}

describe('headless --new-session <alias>', () => {
  it('closes the open session (its passings still upload, even after a kill) and opens the new one; both sessions reach the cloud', async () => {
    const { start, capture, journal, cloudBibs } = await rig()
    const first = await start()
    await capture(first, ['11', '12', '13'])
    // Killed at once: the first session's passings may not be in the cloud yet.
    killGroup(first)
    await first.exited()
    const second = await start(['--new-session', 'WAVE 2'])
    const opened = notices(second).find(n => 'code' in n && n.code === 'station.new-session')
    expect(opened && 'params' in opened ? opened.params : null).toMatchObject({
      alias: 'WAVE 2',
      closed: 'FINISH'
    })
    await capture(second, ['21', '22'])
    await untilAllSynced(second, 5)
    expect(await stop(second)).toBe(0)
    expect(journal(j => j.sessions().map(s => [s.alias, s.closedAtUs !== null]))).toEqual([
      ['FINISH', true],
      ['WAVE 2', false]
    ])
    expect(await cloudBibs()).toEqual([
      { alias: 'FINISH', bibs: ['11', '12', '13'] },
      { alias: 'WAVE 2', bibs: ['21', '22'] }
    ])
  })

  it('restarted twice in a row quickly with the same --new-session (a supervisor), opens it once and says so', async () => {
    const { start, capture, journal, cloudBibs } = await rig()
    const first = await start()
    await capture(first, ['11'])
    killGroup(first)
    await first.exited()
    const second = await start(['--new-session', 'WAVE 2'])
    killGroup(second)
    await second.exited()
    const third = await start(['--new-session', 'WAVE 2'])
    expect(codes(third)).toContain('station.new-session-kept')
    expect(codes(third)).not.toContain('station.new-session')
    await capture(third, ['21'])
    await untilAllSynced(third, 2)
    expect(await stop(third)).toBe(0)
    expect(journal(j => j.sessions().map(s => s.alias))).toEqual(['FINISH', 'WAVE 2'])
    expect(await cloudBibs()).toEqual([
      { alias: 'FINISH', bibs: ['11'] },
      { alias: 'WAVE 2', bibs: ['21'] }
    ])
  })

  it('with an alias an earlier session already has: opens a new session all the same, warns, and each goes up on its own', async () => {
    const { start, capture, journal, cloudBibs } = await rig()
    const first = await start()
    await capture(first, ['11'])
    expect(await stop(first)).toBe(0)
    const second = await start(['--new-session', 'WAVE 2'])
    await capture(second, ['21'])
    expect(await stop(second)).toBe(0)
    const third = await start(['--new-session', 'FINISH'])
    const reused = notices(third).find(n => 'code' in n && n.code === 'station.session-alias-reused')
    expect(reused && 'params' in reused ? reused.params : null).toEqual({ alias: 'FINISH', earlier: 1 })
    await capture(third, ['31'])
    await untilAllSynced(third, 3)
    expect(await stop(third)).toBe(0)
    expect(journal(j => j.sessions().map(s => s.alias))).toEqual(['FINISH', 'WAVE 2', 'FINISH'])
    const inCloud = await cloudBibs()
    expect(inCloud.map(s => s.bibs)).toEqual([['11'], ['21'], ['31']])
    expect(new Set(journal(j => j.sessions().map(s => s.token))).size).toBe(3)
  })

  it('killed at any moment of the switch, it leaves the old session open or the new one, never none and never two', async () => {
    const { data, start, journal } = await rig()
    const first = await start()
    killGroup(first)
    await first.exited()
    for (const delayMs of [0, 30, 60, 90, 120, 150, 200, 300]) {
      const station = spawnBundled(
        'src/headless/cli.ts',
        headlessArgs(data, '/dev/null', ['--json', '--new-session', 'WAVE 2']),
        { RUFUS_API_KEY: 'k' }
      )
      cleanups.push(() => killGroup(station))
      await new Promise(resolve => setTimeout(resolve, delayMs))
      killGroup(station)
      await station.exited()
      const sessions = journal(j => j.sessions())
      const open = sessions.filter(s => s.closedAtUs === null)
      expect(open, `killed after ${delayMs} ms`).toHaveLength(1)
      expect(
        sessions.filter(s => s.alias === 'WAVE 2').length,
        `killed after ${delayMs} ms`
      ).toBeLessThanOrEqual(1)
      if (sessions.length === 2) expect(open[0]?.alias).toBe('WAVE 2')
    }
    const last = await start(['--new-session', 'WAVE 2'])
    expect(await stop(last)).toBe(0)
    expect(journal(j => j.sessions().map(s => [s.alias, s.closedAtUs !== null]))).toEqual([
      ['FINISH', true],
      ['WAVE 2', false]
    ])
  })

  it('refuses an empty alias before touching the data folder (exit 2)', async () => {
    const folder = tempFolder('rufus-new-session-')
    const station = spawnBundled(
      'src/headless/cli.ts',
      headlessArgs(join(folder, 'data'), '/dev/null', ['--new-session', ' ']),
      {
        RUFUS_API_KEY: 'k'
      }
    )
    expect(await station.exited()).toBe(2)
    expect(station.stderr()).toContain('--new-session needs a session name')
  })
})

describe('the headless station never waits for a person', () => {
  it('by default, a cloud session closed elsewhere goes on in a new one and an unbound device binds again, each said as an event', async () => {
    const { cloud, start, capture, journal } = await rig()
    const station = await start()
    expect(codes(station)).toContain('station.unattended')
    await capture(station, ['11'])
    await untilAllSynced(station, 1)
    const admin = clientFor(cloud, KEYS.admin)
    const firstToken = journal(j => j.openedSession()?.token) ?? ''
    await admin.closeSession(firstToken)
    await capture(station, ['12'])
    await untilAllSynced(station, 2)
    const deviceid = journal(j => j.device()?.deviceid) ?? ''
    await admin.unbindDevice(deviceid)
    await capture(station, ['13'])
    // Everything goes up again into the new binding: three passings.
    await untilAllSynced(station, 3)
    const last = jsonEvents(station, 'sync').at(-1)
    expect(last?.blocked).toBeNull()
    const words = notices(station).map(n => ('message' in n ? String(n.message) : ''))
    expect(words.some(w => /closed elsewhere; continuing in a new cloud session/.test(w))).toBe(true)
    expect(words.some(w => /unbound in RUFUS Cloud; binding again/.test(w))).toBe(true)
    expect(await stop(station)).toBe(0)
  })
})
