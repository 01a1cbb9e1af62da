import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import type { CommandResult, PassingView, StationSnapshot } from '../../src/shared/contract'
import { newPage, screenshot } from '../helpers/browser'
import { emulator, KEYS } from '../helpers/emulator'
import { connectScreen, startHeadlessWithScreens, type Cleanups } from '../helpers/headless-screens'
import { tempFolder } from '../helpers/station'

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000 })

function valueOf<N extends 'status.get' | 'passings.recent' | 'export.csv'>(result: unknown) {
  const answer = result as CommandResult<N>
  if (!answer.ok) throw new Error(JSON.stringify(answer.error))
  return answer.value
}

const TOTAL = 5050

describe('the passings browser', () => {
  it(
    "opens on the open session's first page, pages with the keyboard, filters whole bibs, searches by local time, exports local times and names",
    { timeout: 180_000 },
    async () => {
      const folder = tempFolder('rufus-browser-')
      const cloud = await emulator()
      const participants = join(folder, 'participants.csv')
      writeFileSync(participants, 'chip,bib,name\nC1,1,Ana Díaz\nC2,12,Bo Li\n')
      const station = await startHeadlessWithScreens(
        folder,
        cleanups,
        ['--participants', participants, '--upload-grace', '0'],
        undefined,
        { apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey }
      )
      station.write(Array.from({ length: TOTAL }, (_, i) => `${i + 1}\r\n`).join(''))
      const control = await connectScreen(station.urls.station)
      cleanups.push(async () => control.socket.close())
      const synced = async () =>
        valueOf<'status.get'>(await control.command('status.get', {})) as StationSnapshot
      await expect.poll(async () => (await synced()).sync.synced, { timeout: 90_000 }).toBe(TOTAL)

      const page = await newPage()
      await page.goto(station.urls.station)
      await page.getByRole('button', { name: 'Passings' }).click()
      // No click on "Load": the open session's first page is there.
      const legend = page.getByTestId('browser-legend')
      await poll(() => legend.textContent()).toMatch(/^5000 rows · Page 1 of 2/)
      await page.locator('[role=row][data-num="1"]').waitFor()

      // Page Down, Page Up, End and Home page through the session.
      const grid = page.getByRole('grid')
      await grid.focus()
      await page.keyboard.press('PageDown')
      await poll(() => legend.textContent()).toMatch(/^50 rows · Page 2 of 2/)
      await page.locator('[role=row][data-num="5001"]').waitFor()
      await page.keyboard.press('PageUp')
      await poll(() => legend.textContent()).toMatch(/^5000 rows · Page 1 of 2/)
      await page.keyboard.press('End')
      await poll(() => legend.textContent()).toMatch(/^50 rows · Page 2 of 2/)
      await page.keyboard.press('Home')
      await poll(() => legend.textContent()).toMatch(/^5000 rows · Page 1 of 2/)

      // The bib filter matches whole bibs; a prefix only when asked (a trailing * or the checkbox).
      const filter = page.getByRole('textbox', { name: 'Filter by bib' })
      await filter.fill('1')
      await poll(() => legend.textContent()).toMatch(/^1 row ·/)
      expect(await page.locator('[role=row]').first().getAttribute('data-num')).toBe('1')
      await filter.fill('1*')
      // 1, 10–19, 100–199, 1000–1999 on the first page.
      await poll(() => legend.textContent()).toMatch(/^1111 rows/)
      await filter.fill('1')
      await page.getByRole('checkbox', { name: 'Bibs starting with it' }).check()
      await poll(() => legend.textContent()).toMatch(/^1111 rows/)
      await page.getByRole('checkbox', { name: 'Bibs starting with it' }).uncheck()
      await filter.fill('')

      // The device's passings by time take the local time of day.
      const recent = valueOf<'passings.recent'>(
        await control.command('passings.recent', { limit: 500 })
      ) as PassingView[]
      const firstAt = new Date(Date.parse(recent.at(-1)?.timestamp ?? '') - 60_000)
      const hhmm = firstAt.toTimeString().slice(0, 5)
      const byTime = page.getByRole('form', { name: 'Device passings by time' })
      await byTime.getByRole('textbox', { name: 'From' }).fill(hhmm)
      await byTime.getByRole('button', { name: 'Load' }).click()
      await poll(() => page.getByTestId('device-passings-count').textContent()).toMatch(/^5000\b/)
      await screenshot(page, 'passings-browser-first-page')
      expect(await page.getByRole('alert').count()).toBe(0)

      // The export adds each passing's local time and the runner's name.
      const sessionId = (await synced()).session?.id ?? 0
      const file = valueOf<'export.csv'>(await control.command('export.csv', { sessionId })) as {
        csv: string
      }
      const rows = parse(file.csv, { bom: true, columns: true }) as Array<Record<string, string>>
      expect(rows).toHaveLength(TOTAL)
      const first = rows.find(r => r['bib'] === '1')
      expect(first?.['name']).toBe('Ana Díaz')
      expect(rows.find(r => r['bib'] === '12')?.['name']).toBe('Bo Li')
      expect(rows.find(r => r['bib'] === '2')?.['name']).toBe('')
      const local = new Date(first?.['timestamp_utc'] ?? '')
      const pad = (n: number, w = 2) => String(n).padStart(w, '0')
      expect(first?.['local_time']).toBe(
        `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${local.toTimeString().slice(0, 8)}.${pad(local.getMilliseconds(), 3)}`
      )
    }
  )
})
