import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { SerialPort } from 'serialport'
import { afterEach, describe, expect, it } from 'vitest'
import type { PassingEvent } from '../../src/shared/events'
import { newPage, screenshot } from '../helpers/browser'
import { emulator, KEYS } from '../helpers/emulator'
import { headlessArgs } from '../helpers/headless-args'
import { spawnTs, type Spawned } from '../helpers/process'
import { pairingUrls } from '../helpers/headless-screens'
import { ptyPair, type PtyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const BIB_BOX = /^Bib \(Enter records/

/** Waits for a condition with room for a machine shared with other test runs. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 })
const ENTRY_QUEUE_KEY = 'rufus-station.entry-queue.v1'

interface Headless {
  readonly process: Spawned
  readonly urls: { station: string; entry: string }
  readonly port: number
  passings(): PassingEvent[]
  stop(): Promise<void>
}

/** The headless station over a PTY, its events as JSON lines, its screens on `port` (0: any). */
async function headless(data: string, pty: PtyPair, apiUrl: string, port = 0, extra: string[] = []) {
  const spawned = spawnTs(
    'src/headless/cli.ts',
    headlessArgs(data, pty.a, ['--http-port', String(port), '--json', ...extra], apiUrl),
    { RUFUS_API_KEY: KEYS.readWrite.apiKey }
  )
  const stop = async () => {
    if (spawned.child.exitCode === null) spawned.child.kill('SIGTERM')
    await spawned.exited()
  }
  cleanups.push(stop)
  const { station, entry } = await pairingUrls(spawned)
  const result: Headless = {
    process: spawned,
    urls: { station, entry },
    port: Number(new URL(station).port),
    passings: () =>
      spawned.lines
        .map(line => JSON.parse(line) as { type: string })
        .filter((event): event is PassingEvent => event.type === 'passing'),
    stop
  }
  return result
}

async function openReader(pty: PtyPair): Promise<SerialPort> {
  const reader = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false })
  await new Promise<void>((resolve, reject) => reader.open(error => (error ? reject(error) : resolve())))
  cleanups.push(() => new Promise(resolve => reader.close(resolve)))
  return reader
}

async function setup() {
  const folder = tempFolder('rufus-e2e-manual-')
  const cloud = await emulator()
  const pty = await ptyPair(folder)
  cleanups.push(() => pty.stop())
  return { folder, cloud, pty, data: join(folder, 'data') }
}

/** The accessible name of whatever has the focus. */
const focused = (page: Page) =>
  page.evaluate<string>(`document.activeElement?.getAttribute('aria-label') ?? ''`)

/** The entry screen's local queue, as kept in the page's localStorage. */
const storedQueue = (page: Page) =>
  page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(ENTRY_QUEUE_KEY)})`)

async function expectFocusInBibBox(page: Page): Promise<void> {
  await poll(() => focused(page)).toMatch(BIB_BOX)
}

const bibCell = (page: Page, bib: string) => page.locator('td.bib', { hasText: new RegExp(`^${bib}$`) })

const row = (page: Page, bib: string) =>
  page.locator('table[aria-label="Last passings"] tr', { has: bibCell(page, bib) })

describe('no passing lost between sessions', () => {
  it(
    'closing the session while a reader sends: every read is a passing, the screen names the new session',
    { timeout: 90_000 },
    async () => {
      const { cloud, pty, data } = await setup()
      const station = await headless(data, pty, cloud.apiUrl, 0, ['--upload-grace', '0'])
      const reader = await openReader(pty)
      const page = await newPage()
      await page.goto(station.urls.station)
      await page.getByRole('button', { name: 'Sessions & device' }).click()
      const total = 400
      let sent = 0
      const writing = (async () => {
        while (sent < total) {
          sent += 1
          reader.write(`${sent}\r\n`)
          await new Promise(resolve => setTimeout(resolve, 8))
        }
      })()
      await poll(() => station.passings().length).toBeGreaterThan(20)
      await page.getByRole('button', { name: 'Close this session' }).click()
      // It asks first, and offers to open the next at once; "close only" is the hostile choice.
      const dialog = page.getByRole('alertdialog', { name: 'Close this session' })
      await poll(() => dialog.textContent()).toContain('Close and open FINISH 2')
      await dialog.getByRole('button', { name: 'Close only' }).click()
      const closedAt = sent
      await writing
      expect(closedAt).toBeLessThan(total)
      await poll(() => station.passings().length).toBe(total)
      const bibs = station.passings().map(p => Number(p.bib))
      expect(new Set(bibs).size).toBe(total)
      expect(Math.max(...bibs)).toBe(total)
      const sessions = new Set(station.passings().map(p => p.session))
      expect(sessions.size).toBe(2)
      await page.getByRole('button', { name: 'Finish line' }).click()
      await poll(() => page.getByLabel('Sync status').textContent()).toContain('Session: FINISH 2')
      await poll(() => page.getByRole('log', { name: 'Station messages' }).textContent()).toContain(
        'No session was open when reads arrived: session "FINISH 2" was opened for them.'
      )
    }
  )
})

describe('an entry screen cut off from the station', () => {
  it(
    'keeps what is typed through a station restart, then sends it in order with each keypress time',
    { timeout: 90_000 },
    async () => {
      const { cloud, pty, data } = await setup()
      let station = await headless(data, pty, cloud.apiUrl, 0, ['--upload-grace', '0'])
      const page = await newPage()
      await page.goto(station.urls.entry)
      const box = page.getByRole('textbox', { name: BIB_BOX })
      await box.fill('101')
      await box.press('Enter')
      await poll(() => station.passings().map(p => p.bib)).toEqual(['101'])

      await station.stop()
      await poll(() => page.getByTestId('station-down').textContent()).toContain(
        'Station unreachable: what you type is kept on this device'
      )
      await poll(() => page.getByTestId('cloud-link').textContent()).toContain(
        'unknown while the station is unreachable'
      )
      for (const bib of ['102', '103', '', '104']) {
        await box.fill(bib)
        await box.press('Enter')
      }
      await poll(() => page.getByTestId('entries-waiting').textContent()).toBe(' 4 kept on this device')
      await screenshot(page, 'entry-station-down')
      const queued = JSON.parse((await storedQueue(page)) ?? '[]') as Array<{
        bib: string | null
        deviceMs: number
        offsetMs: number | null
      }>
      expect(queued.map(e => e.bib)).toEqual(['102', '103', null, '104'])

      // Same data folder and port; the page is opened again from the new pairing (it keeps its local queue).
      station = await headless(data, pty, cloud.apiUrl, station.port, ['--upload-grace', '0'])
      await page.goto(station.urls.entry)
      await poll(() => station.passings().length).toBe(4)
      const arrived = station.passings()
      expect(arrived.map(p => p.bib)).toEqual(['102', '103', null, '104'])
      expect(arrived.map(p => p.num_passing)).toEqual([2, 3, 4, 5])
      // Each passing carries its keypress time (the device clock plus its offset to the station's).
      expect(arrived.map(p => p.timestamp)).toEqual(
        queued.map(e => new Date(e.deviceMs + (e.offsetMs ?? 0)).toISOString())
      )
      await poll(() => storedQueue(page)).toBe('[]')
    }
  )
})

describe('manual timing at the keyboard', () => {
  it(
    'void then undo, a fix form that holds through 300 passings, a refused bib that keeps its time, pinned times without a bib, and the focus back in the bib box after each',
    { timeout: 120_000 },
    async () => {
      const { cloud, pty, data } = await setup()
      const station = await headless(data, pty, cloud.apiUrl)
      const reader = await openReader(pty)
      const page = await newPage()
      await page.goto(station.urls.entry)
      const box = page.getByRole('textbox', { name: BIB_BOX })
      await expectFocusInBibBox(page)
      await page.keyboard.type('5')
      await page.keyboard.press('Enter')
      await row(page, '5').waitFor()
      await expectFocusInBibBox(page)
      // The same bib again: it already passed, and it is the same as the last entry. Esc clears the box.
      await page.keyboard.type('5')
      await poll(() => page.getByTestId('bib-check').textContent()).toBe(
        ' · already has a passing in this session · same bib as the last entry'
      )
      await page.keyboard.press('Escape')
      expect(await box.inputValue()).toBe('')

      // Void, then undo.
      await row(page, '5').getByRole('button', { name: 'Void 1' }).click()
      await poll(() => row(page, '5').getAttribute('class')).toBe('state-void')
      await expectFocusInBibBox(page)
      await poll(() => page.getByTestId('undo-toast').textContent()).toContain('Voided #1')
      await page.getByTestId('undo-toast').getByRole('button', { name: 'Undo' }).click()
      await poll(() => row(page, '5').getAttribute('class')).not.toBe('state-void')
      await expectFocusInBibBox(page)

      // A fix form stays open, on its row, with its input, while 300 passings arrive.
      const fix = page.getByRole('textbox', { name: 'Bib 1' })
      // Clicked again if the form did not open: on a loaded machine a reconnect re-creates the row's buttons, and
      // a click between its mousedown and mouseup is lost (the hold through 300 passings is what this tests).
      await poll(async () => {
        if ((await fix.count()) === 0) {
          await row(page, '5')
            .getByRole('button', { name: 'Fix bib 1' })
            .click({ timeout: 2000 })
            .catch(() => undefined)
        }
        return fix.count()
      }).toBe(1)
      await fix.fill('55')
      reader.write(Array.from({ length: 300 }, (_, i) => `${1000 + i}\r\n`).join(''))
      await poll(() => station.passings().length).toBe(301)
      await poll(() => page.getByTestId('new-rows').textContent()).toBe('300 new: show them')
      expect(await fix.inputValue()).toBe('55')
      expect(await page.locator('tbody tr[data-num]').first().getAttribute('data-num')).toBe('1')
      // Esc cancels and gives the bib box back.
      await fix.press('Escape')
      await poll(() => fix.count()).toBe(0)
      await expectFocusInBibBox(page)
      await page.mouse.move(0, 0)
      await bibCell(page, '1299').waitFor()

      // The last rows with the keyboard alone: ↑ to the newest, ↓ down the list, Enter to fix, Enter to save.
      await box.press('ArrowUp')
      await poll(() =>
        page.evaluate<string | null>(`document.activeElement?.getAttribute('data-num') ?? null`)
      ).toBe('301')
      await page.keyboard.press('ArrowDown')
      await page.keyboard.press('Enter')
      const keyboardFix = page.getByRole('textbox', { name: 'Bib 300' })
      await keyboardFix.fill('3000')
      await keyboardFix.press('Enter')
      await expectFocusInBibBox(page)
      await poll(() => page.getByTestId('undo-toast').textContent()).toContain('Bib fixed on #300')
      await row(page, '3000').waitFor()

      // A refused bib keeps its time and says why; corrected, it goes with the first keypress time.
      await page.keyboard.type('X'.repeat(36))
      await page.keyboard.press('Enter')
      const refused = page.getByTestId('rejected-entry')
      await poll(() => refused.textContent()).toMatch(/bib/i)
      await expectFocusInBibBox(page)
      const [kept] = JSON.parse((await storedQueue(page)) ?? '[]') as Array<{
        deviceMs: number
        offsetMs: number | null
        rejected: string
      }>
      expect(kept?.rejected).toMatch(/32/)
      const correction = refused.getByRole('textbox')
      await correction.fill('77')
      await correction.press('Enter')
      await poll(() => station.passings().find(p => p.bib === '77')?.timestamp).toBe(
        new Date((kept?.deviceMs ?? 0) + (kept?.offsetMs ?? 0)).toISOString()
      )
      await poll(() => refused.count()).toBe(0)
      await expectFocusInBibBox(page)

      // Enter alone: a time without a bib, pinned until it gets one, however many passings follow.
      await box.press('Enter')
      const pinned = page.getByTestId('unfilled')
      await poll(() => pinned.count()).toBe(1)
      const heldNum = (await pinned.getAttribute('data-num')) ?? ''
      reader.write(Array.from({ length: 150 }, (_, i) => `${2000 + i}\r\n`).join(''))
      await poll(() => station.passings().length).toBe(453)
      await page.mouse.move(0, 0)
      await bibCell(page, '2149').waitFor()
      expect(await pinned.count()).toBe(1)
      await screenshot(page, 'pinned-times-without-bib')
      const heldBib = page.getByRole('textbox', { name: `Bib for #${heldNum}` })
      await heldBib.fill('88')
      await heldBib.press('Enter')
      await poll(() => pinned.count()).toBe(0)
      await expectFocusInBibBox(page)
      await page.getByRole('button', { name: 'Passings' }).click()
      expect(await page.getByTestId('unfilled').count()).toBe(0)
    }
  )
})

describe('checks while a bib is typed', () => {
  it(
    'shows the runner or "not in participants", and a bib unlike every participant bib needs a second Enter that keeps the first time',
    { timeout: 90_000 },
    async () => {
      const { folder, cloud, pty, data } = await setup()
      const participants = join(folder, 'participants.csv')
      writeFileSync(participants, 'chip,bib,name\nE1,101,Ana Díaz\nE2,102,Bo Li\n')
      const station = await headless(data, pty, cloud.apiUrl, 0, ['--participants', participants])
      const page = await newPage()
      await page.goto(station.urls.entry)
      const box = page.getByRole('textbox', { name: BIB_BOX })
      const check = page.getByTestId('bib-check')
      await box.fill('101')
      await poll(() => check.textContent()).toBe('Ana Díaz')
      await box.fill('109')
      await poll(() => check.textContent()).toBe('not in participants')
      await box.fill('1O2')
      await poll(() => check.textContent()).toBe('not in participants')
      const beforeFirst = Date.now()
      await box.press('Enter')
      const afterFirst = Date.now()
      await poll(() => check.textContent()).toContain(
        'unlike every bib in the participants list: press Enter again to record it'
      )
      expect(await box.inputValue()).toBe('1O2')
      expect(station.passings()).toEqual([])
      await box.press('Enter')
      await poll(() => station.passings().map(p => p.bib)).toEqual(['1O2'])
      // Stamped at the first Enter (same machine: the page's clock is the station's, within a few ms).
      const recorded = Date.parse(station.passings()[0]?.timestamp ?? '')
      expect(recorded).toBeGreaterThanOrEqual(beforeFirst - 50)
      expect(recorded).toBeLessThanOrEqual(afterFirst + 50)
      await expectFocusInBibBox(page)

      // Two bibs pasted at once would become one joined bib: refused, with the reason, and nothing recorded.
      await page.evaluate(`(() => {
        const data = new DataTransfer()
        data.setData('text/plain', '12\\n13')
        const paste = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
        document.activeElement.dispatchEvent(paste)
      })()`)
      await poll(() => page.getByTestId('paste-refused').count()).toBe(1)
      expect(await box.inputValue()).toBe('')
      await box.fill('103')
      await poll(() => page.getByTestId('paste-refused').count()).toBe(0)
      expect(station.passings().map(p => p.bib)).toEqual(['1O2'])
    }
  )
})
