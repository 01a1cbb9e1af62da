import type { Locator, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { newPage, PHONE, screenshot } from '../helpers/browser'
import { startHeadlessWithScreens, type Cleanups } from '../helpers/headless-screens'
import { tempFolder } from '../helpers/station'

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Waits with room for a machine shared with other test runs. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 })

/** How far the page reaches sideways beyond the window (0: no sideways scrolling). */
const sidewaysOverflow = (page: Page) =>
  page.evaluate<number>(`(document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth`)

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox()
  if (!found) throw new Error('not on the page')
  return found
}

const ROWS = 'table[aria-label="Last passings"] tbody tr[data-num]'

describe('the screens on a phone (390×844)', () => {
  it(
    'entry: no sideways scrolling, the bib box then the last passings first, every target at least 44 px',
    { timeout: 120_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-phone-'), cleanups)
      for (const bib of ['101', '102', '103']) await station.captures(bib)
      const page = await newPage(PHONE)
      await page.goto(station.urls.entry)
      const bibBox = page.getByRole('textbox', { name: /^Bib \(Enter records/ })
      await page.locator(ROWS).first().waitFor()
      await poll(() => page.locator(ROWS).count()).toBe(3)
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0)

      // First on the screen: the bib box, then the newest passing, both within the first screenful.
      const bibAt = await box(bibBox)
      const newest = await box(page.locator(ROWS).first())
      const status = await box(page.getByLabel('Sync status'))
      expect(bibAt.y).toBeLessThan(newest.y)
      expect(newest.y + newest.height).toBeLessThanOrEqual(844)
      expect(newest.y).toBeLessThan(status.y)

      // Large targets a thumb can hit, all inside the screen's width.
      const targets = [
        bibBox,
        page.getByRole('button', { name: 'Fix bib 3' }),
        page.getByRole('button', { name: 'Void 3' }),
        ...(await page.locator('nav button').all())
      ]
      for (const target of targets) {
        const at = await box(target)
        expect(at.height, await target.evaluate(e => e.outerHTML)).toBeGreaterThanOrEqual(44)
        expect(at.width, await target.evaluate(e => e.outerHTML)).toBeGreaterThanOrEqual(44)
        expect(at.x + at.width).toBeLessThanOrEqual(390)
      }
      await screenshot(page, 'phone-entry')

      // A correction on the phone still works and keeps the page inside the screen.
      await page.getByRole('button', { name: 'Fix bib 3' }).tap()
      const fix = page.getByRole('textbox', { name: 'Bib 3' })
      expect((await box(fix)).height).toBeGreaterThanOrEqual(44)
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0)
    }
  )

  it(
    'viewer (the announcer): no sideways scrolling, the last finisher on the first screen',
    {
      timeout: 120_000
    },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-phone-viewer-'), cleanups)
      for (const bib of ['201', '202']) await station.captures(bib)
      const page = await newPage(PHONE)
      await page.goto(station.urls.viewer)
      const last = page.getByTestId('last-finisher')
      await poll(() => last.textContent()).toContain('202')
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0)
      const at = await box(last)
      expect(at.y + at.height).toBeLessThanOrEqual(844)
      for (const target of await page.locator('nav button').all()) {
        expect((await box(target)).height).toBeGreaterThanOrEqual(44)
      }
      await screenshot(page, 'phone-announcer')
    }
  )
})

describe('the finish-line screen on a 1366×768 laptop', () => {
  it('shows at least 15 passings without scrolling', { timeout: 120_000 }, async () => {
    const station = await startHeadlessWithScreens(tempFolder('rufus-laptop-'), cleanups)
    station.write(Array.from({ length: 30 }, (_, i) => `${300 + i}\r\n`).join(''))
    await station.process.waitForLine(/passing.*\b329\b/)
    const page = await newPage({ viewport: { width: 1366, height: 768 } })
    await page.goto(station.urls.station)
    await poll(() => page.locator(ROWS).count()).toBe(30)
    const wholeRowsInView = await page.evaluate<number>(`(() => {
      let count = 0
      for (const row of document.querySelectorAll(${JSON.stringify(ROWS)})) {
        const r = row.getBoundingClientRect()
        if (r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0) count += 1
      }
      return count
    })()`)
    await screenshot(page, 'finish-line-1366')
    expect(wholeRowsInView).toBeGreaterThanOrEqual(15)
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0)
  })
})
