import type { Locator, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { newPage, screenshot } from '../helpers/browser'
import { emulator, KEYS } from '../helpers/emulator'
import { startHeadlessWithScreens, type Cleanups } from '../helpers/headless-screens'
import { tempFolder } from '../helpers/station'

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000 })

const row = (page: Page, bib: string) =>
  page.locator('table[aria-label="Last passings"] tr', {
    has: page.locator('td.bib', { hasText: new RegExp(`^${bib}$`) })
  })

/** How a control is drawn: faded and with a "not allowed" pointer when disabled. */
const look = (control: Locator) =>
  control.evaluate(e => {
    const style = e.ownerDocument.defaultView?.getComputedStyle(e)
    return { opacity: Number(style?.opacity), cursor: style?.cursor }
  })

async function stationWithCloud(prefix: string) {
  const cloud = await emulator({ faults: { rejectBibPattern: '^666$' } })
  const station = await startHeadlessWithScreens(
    tempFolder(prefix),
    cleanups,
    ['--upload-grace', '0'],
    undefined,
    { apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey }
  )
  return { cloud, station }
}

describe('one word per passing state, with the reason in words', () => {
  it(
    'a passing the cloud refuses reads "refused" in the counter and in its row, before and after a reload',
    { timeout: 120_000 },
    async () => {
      const { station } = await stationWithCloud('rufus-states-')
      const page = await newPage()
      await page.goto(station.urls.station)
      await page.getByLabel('Sync status').waitFor()
      station.write('5\r\n666\r\n7\r\n')
      await poll(() => page.getByTestId('sync-counts').textContent()).toMatch(
        /^2 in the cloud · 0 waiting to upload · 1 refused/
      )
      const state = (bib: string) => row(page, bib).getByTestId('passing-state')
      await poll(() => state('666').textContent()).toMatch(/^refused/)
      await poll(() => state('5').textContent()).toBe('in the cloud')
      // Why, in words, on the row itself (not only in a tooltip).
      const reason = row(page, '666').getByTestId('passing-reason')
      expect(((await reason.textContent()) ?? '').length).toBeGreaterThan(10)
      await screenshot(page, 'refused-passing')
      await page.reload()
      await poll(() => state('666').textContent()).toMatch(/^refused/)
      expect(await page.getByText('quarantined').count()).toBe(0)
    }
  )
})

describe('errors that stay, disabled controls, column names, session names', () => {
  it(
    'an unbind refusal stays until dismissed; a disabled button looks disabled; the Sessions columns say times; a new session asks its name',
    { timeout: 120_000 },
    async () => {
      const { station } = await stationWithCloud('rufus-errors-')
      const page = await newPage()
      await page.goto(station.urls.station)
      await page.getByRole('button', { name: 'Sessions & device' }).click()

      // The columns that hold times say so.
      const headers = page.getByRole('table', { name: 'Sessions & device' }).locator('th')
      await poll(() => headers.allTextContents()).toContain('First passing at')
      expect(await headers.allTextContents()).toContain('Last passing at')
      expect(await headers.allTextContents()).not.toContain('First #')

      // Disabled until the device's name is typed, and drawn so.
      const unbindForm = page.getByRole('form', { name: 'Unbind the device' })
      await poll(() => unbindForm.count()).toBe(1)
      const unbind = unbindForm.getByRole('button', { name: 'Unbind the device' })
      expect(await unbind.isDisabled()).toBe(true)
      const disabled = await look(unbind)
      const enabled = await look(page.getByRole('button', { name: 'Open a new session' }))
      expect(disabled.opacity).toBeLessThanOrEqual(0.6)
      expect(disabled.cursor).toBe('not-allowed')
      expect(enabled.opacity).toBe(1)

      // This key may not unbind: the refusal stays on screen while other commands succeed.
      const name = (await unbindForm.locator('b').textContent()) ?? ''
      await unbindForm.getByRole('textbox').fill(name)
      await unbind.click()
      const banner = page.getByTestId('error-banner')
      await poll(() => banner.count()).toBe(1)
      const said = (await banner.textContent()) ?? ''
      expect(said).toMatch(/unbind/i)
      await page.getByRole('button', { name: 'Passings' }).click()
      await page.getByRole('grid').waitFor()
      await page.getByRole('button', { name: 'Sessions & device' }).click()
      await poll(() => headers.count()).toBeGreaterThan(0)
      await page.waitForTimeout(2000)
      expect(await banner.textContent()).toBe(said)
      await screenshot(page, 'error-stays')
      await banner.getByRole('button', { name: 'Dismiss the message' }).click()
      expect(await banner.count()).toBe(0)

      // Opening a session asks its name first.
      await page.getByRole('button', { name: 'Open a new session' }).click()
      const opening = page.getByRole('dialog', { name: 'Open a new session' })
      const alias = opening.getByRole('textbox', { name: 'Name of the session' })
      await poll(() => alias.evaluate(e => e === e.ownerDocument.activeElement)).toBe(true)
      await alias.fill('WAVE 2')
      await alias.press('Enter')
      const sessions = page.getByRole('table', { name: 'Sessions & device' })
      await poll(() => sessions.locator('tr.active').textContent()).toMatch(/^WAVE 2/)

      // So does "close and open the next".
      await page.getByRole('button', { name: 'Close this session' }).click()
      const closing = page.getByRole('alertdialog', { name: 'Close this session' })
      const next = closing.getByRole('textbox', { name: 'Name of the next session' })
      expect(await next.inputValue()).not.toBe('')
      await next.fill('WAVE 3')
      await closing.getByRole('button', { name: 'Close and open' }).click()
      await poll(() => sessions.locator('tr.active').textContent()).toMatch(/^WAVE 3/)
      await poll(() => sessions.textContent()).toMatch(/WAVE 2.*closed/)
    }
  )
})
