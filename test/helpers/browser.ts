import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import { afterAll } from 'vitest'
import { CHROMIUM, CHROMIUM_ARGS } from './chromium'
import { ROOT } from './process'

export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots')
let browser: Browser | null = null

afterAll(async () => {
  await browser?.close()
  browser = null
})

/**
 * A page in Debian's Chromium, headless, with the network flags this machine needs (Playwright gives it a fresh
 * profile); 1280×800 unless `options` say otherwise (a phone: `PHONE`).
 */
export async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  if (!browser) {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...options })
  page.on('pageerror', error => {
    throw error
  })
  return page
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
}

/** A phone held upright (390×844 CSS pixels, touch, the page's own viewport meta honoured). */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true
}
