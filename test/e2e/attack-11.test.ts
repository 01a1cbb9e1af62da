import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { PassingEvent } from '../../src/shared/events'
import { newPage } from '../helpers/browser'
import { emulator, KEYS } from '../helpers/emulator'
import { headlessArgs } from '../helpers/headless-args'
import { spawnTs } from '../helpers/process'
import { pairingUrls } from '../helpers/headless-screens'
import { ptyPair, type PtyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const BIB_BOX = /^Bib \(Enter records/
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 })

async function headless(data: string, pty: PtyPair, apiUrl: string, port = 0) {
  const spawned = spawnTs(
    'src/headless/cli.ts',
    headlessArgs(data, pty.a, ['--http-port', String(port), '--json', '--upload-grace', '0'], apiUrl),
    { RUFUS_API_KEY: KEYS.readWrite.apiKey }
  )
  const stop = async () => {
    if (spawned.child.exitCode === null) spawned.child.kill('SIGKILL')
    await spawned.exited()
  }
  cleanups.push(stop)
  const { station, entry } = await pairingUrls(spawned)
  return {
    urls: { station, entry },
    port: Number(new URL(station).port),
    pid: spawned.child.pid ?? 0,
    passings: () =>
      spawned.lines
        .map(line => JSON.parse(line) as { type: string })
        .filter((event): event is PassingEvent => event.type === 'passing'),
    stop
  }
}

describe('attack 11: an entry screen through a long station outage', () => {
  it(
    'sends every entry typed during the outage once the station is back, without another keypress',
    { timeout: 120_000 },
    async () => {
      const folder = tempFolder('rufus-e2e-atk11-')
      const cloud = await emulator()
      const pty = await ptyPair(folder)
      cleanups.push(() => pty.stop())
      const data = join(folder, 'data')
      let station = await headless(data, pty, cloud.apiUrl)
      const page = await newPage()
      await page.goto(station.urls.entry)
      const box = page.getByRole('textbox', { name: BIB_BOX })
      await box.waitFor()
      // kill -9: the station dies mid-race.
      await station.stop()
      await poll(() => page.getByTestId('station-down').count()).toBe(1)
      const typed = 150
      for (let i = 1; i <= typed; i += 1) {
        await page.keyboard.type(String(i))
        await page.keyboard.press('Enter')
      }
      await poll(() => page.getByTestId('entries-waiting').textContent()).toBe(
        ` ${typed} kept on this device`
      )
      station = await headless(data, pty, cloud.apiUrl, station.port)
      await page.goto(station.urls.entry)
      // Nothing more is typed: the race is over, the timer waits for the queue to empty.
      // Room for a shared, loaded machine: 150 entries go one at a time, within the screen's command rate.
      await expect.poll(() => station.passings().length, { timeout: 60_000 }).toBe(typed)
      expect(station.passings().map(p => p.bib)).toEqual(
        Array.from({ length: typed }, (_, i) => String(i + 1))
      )
      await poll(() => page.getByTestId('entries-waiting').count()).toBe(0)
    }
  )
})

describe('attack 11: a station that hangs (or a Wi-Fi that drops packets) without closing the connection', () => {
  it(
    'the entry screen says it is cut off, keeps what is typed, and sends it once when the station answers again',
    { timeout: 90_000 },
    async () => {
      const folder = tempFolder('rufus-e2e-atk11-')
      const cloud = await emulator()
      const pty = await ptyPair(folder)
      cleanups.push(() => pty.stop())
      const station = await headless(join(folder, 'data'), pty, cloud.apiUrl)
      const page = await newPage()
      await page.goto(station.urls.entry)
      const box = page.getByRole('textbox', { name: BIB_BOX })
      await box.fill('1')
      await box.press('Enter')
      await poll(() => station.passings().map(p => p.bib)).toEqual(['1'])
      // The station stops answering, but its TCP connection stays open (SIGSTOP; a phone on a flaky Wi-Fi).
      process.kill(station.pid, 'SIGSTOP')
      let stopped = true
      cleanups.push(async () => {
        if (stopped) process.kill(station.pid, 'SIGCONT')
      })
      for (const bib of ['2', '3']) {
        await box.fill(bib)
        await box.press('Enter')
      }
      await poll(() => page.getByTestId('station-down').count()).toBe(1)
      await box.fill('4')
      await box.press('Enter')
      process.kill(station.pid, 'SIGCONT')
      stopped = false
      await poll(() => station.passings().length).toBe(4)
      await poll(() => page.getByTestId('station-down').count()).toBe(0)
      await poll(() => page.getByTestId('entries-waiting').count()).toBe(0)
      expect(station.passings().map(p => p.bib)).toEqual(['1', '2', '3', '4'])
    }
  )
})
