import type { Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { newPage } from '../helpers/browser'
import { connectScreen, startHeadlessWithScreens, type Cleanups } from '../helpers/headless-screens'
import { tempFolder } from '../helpers/station'

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/**
 * Everything a screen shows a person: its visible text, the labels a screen reader says (aria-label), tooltips,
 * placeholders and the choices of its lists. Digits become `#`, so a time or a count read a moment later is the
 * same text.
 */
function shownText(page: Page): Promise<string[]> {
  // Run in the page, which has the DOM this file's types do not.
  return page.evaluate<string[]>(`(() => {
    const shown = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement
      const text = (node.textContent ?? '').trim()
      if (text && parent && parent.tagName !== 'OPTION' && parent.offsetParent !== null) shown.push(text)
    }
    for (const element of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      for (const name of ['aria-label', 'title', 'placeholder']) {
        const value = element.getAttribute(name)
        if (value) shown.push(value)
      }
    }
    for (const option of document.querySelectorAll('option')) shown.push(option.textContent ?? '')
    return shown.map(text => text.replace(/\\d+/g, '#'))
  })()`)
}

/** Words that read the same in English and Spanish: names, and what the station shows as it was given. */
const SAME_IN_BOTH = [
  /^RUFUS (Station|Cloud)$/,
  /^#\. RUFUS Cloud$/,
  /^Chip$/,
  /^(English|Español)$/,
  /^(Impinj R#|RACE RESULT USB Timing Box|ALGE Timy|Chafon UHFReader#)/,
  /^FINISH( #)?( \(#\))?$/,
  /^RS-[#A-F]+$/,
  /^\/[\w/.#-]+$/, // serial port paths
  /^line$/, // the protocol's own name, as the reader list shows it
  /^manual$/, // a typed passing's source: the same word in Spanish
  /^#-#-#T#:#:#\.#Z$/, // a time in the form the field takes
  // The sync engine still words its state in English (docs/architecture.md, "What still speaks English").
  /^The connection to RUFUS Cloud failed; working offline, passings are safe here\.$/
]

describe('the screens in Spanish', () => {
  it(
    'show no English of their own on any screen (texts, labels, lists, times)',
    { timeout: 120_000 },
    async () => {
      const station = await startHeadlessWithScreens(tempFolder('rufus-languages-'), cleanups)
      await station.captures('101')
      const control = await connectScreen(station.urls.station)
      cleanups.push(async () => control.socket.close())
      // A time without a bib, and a notice (reads with no session open open the next one), so both are on screen.
      await control.command('passings.manual', { bib: null })
      await control.command('session.close', {})
      await station.captures('102')
      const page = await newPage()
      // The station's own screens, then the announcer's (the viewer pairing), which has screens of its own.
      const screens = [
        ...(['live', 'browser', 'sessions', 'setup'] as const).map(name => ({
          url: station.urls.station,
          name
        })),
        ...(['announcer', 'browser', 'sessions'] as const).map(name => ({ url: station.urls.viewer, name }))
      ]
      const seen: Record<'en' | 'es', string[][]> = { en: [], es: [] }
      for (const language of ['en', 'es'] as const) {
        await control.command('settings.set', { language })
        for (const url of new Set(screens.map(s => s.url))) {
          await page.goto(url)
          const tabs = page.locator('nav button')
          const count = screens.filter(s => s.url === url).length
          await expect.poll(() => tabs.count(), { timeout: 20_000 }).toBe(count)
          for (let i = 0; i < count; i += 1) {
            await tabs.nth(i).click()
            await page.waitForLoadState('networkidle')
            // A reader's row shows its age, which needs a second to read as one.
            await page.waitForTimeout(1500)
            seen[language].push(await shownText(page))
          }
        }
      }
      const leaks = screens.flatMap((screen, i) => {
        const spanish = new Set(seen.es[i])
        return [...new Set(seen.en[i])]
          .filter(text => spanish.has(text) && /[A-Za-z]{2}/.test(text))
          .filter(text => !SAME_IN_BOTH.some(name => name.test(text)))
          .map(text => `${screen.name}: ${text}`)
      })
      expect(leaks).toEqual([])
    }
  )
})
