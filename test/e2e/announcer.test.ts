import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CommandResult, PassingView, SessionView } from '../../src/shared/contract'
import { newPage, screenshot } from '../helpers/browser'
import { connectScreen, startHeadlessWithScreens, type Cleanups } from '../helpers/headless-screens'
import { tempFolder } from '../helpers/station'

const cleanups: Cleanups = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 })

/** A chip code per bib: what the announcer must never see. */
const chipOf = (bib: number) => `E20000170${bib}C0DE`
const NAMES: Record<number, string> = { 112: 'Ana Díaz', 113: 'Bo Li' }
const nameOf = (bib: number) => NAMES[bib] ?? `Runner ${bib}`

function valueOf<T>(result: unknown): T {
  const answer = result as CommandResult<'status.get'> | { ok: true; value: T }
  if (!answer.ok) throw new Error(JSON.stringify(answer.error))
  return answer.value as T
}

/** The time of day as the screen shows it, on this machine's clock (the page runs on the same one). */
const timeOfDay = (iso: string) => new Date(iso).toTimeString().slice(0, 8)

/** h:mm:ss since the session's start, whole seconds, as a race clock reads. */
function elapsed(from: string, to: string): string {
  const seconds = Math.floor((Date.parse(to) - Date.parse(from)) / 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`
}

describe("the announcer's screen (viewer)", () => {
  it(
    'shows the last finisher large with name, time of day and time since the start, the ten before, and no chip or diagnostics',
    { timeout: 120_000 },
    async () => {
      const folder = tempFolder('rufus-announcer-')
      const participants = join(folder, 'participants.csv')
      const bibs = Array.from({ length: 13 }, (_, i) => 101 + i)
      writeFileSync(
        participants,
        ['chip,bib,name', ...bibs.map(bib => `${chipOf(bib)},${bib},${nameOf(bib)}`)].join('\n')
      )
      const station = await startHeadlessWithScreens(folder, cleanups, [
        '--participants',
        participants,
        '--line-field',
        'chip'
      ])
      const control = await connectScreen(station.urls.station)
      cleanups.push(async () => control.socket.close())
      for (const bib of bibs.slice(0, 12)) {
        station.write(`${chipOf(bib)}\r\n`)
        await station.process.waitForLine(new RegExp(`passing.*bib ${bib}\\b`))
      }
      // Runner 105 crosses the line again: not a new finisher.
      valueOf<PassingView>(await control.command('passings.manual', { bib: '105' }))

      const page = await newPage()
      await page.goto(station.urls.viewer)
      const last = page.getByTestId('last-finisher')
      await poll(() => last.getByTestId('finisher-bib').textContent()).toBe('112')
      const sessions = valueOf<SessionView[]>(await control.command('sessions.list', {}))
      const start = sessions.find(s => !s.closed)?.openedAt ?? ''
      const recent = valueOf<PassingView[]>(await control.command('passings.recent', { limit: 50 }))
      const at = recent.find(p => p.bib === '112')?.timestamp ?? ''
      await poll(() => last.textContent()).toContain('Ana Díaz')
      expect(await last.getByTestId('finisher-time').textContent()).toBe(timeOfDay(at))
      expect(await last.getByTestId('finisher-elapsed').textContent()).toBe(elapsed(start, at))

      // Readable from two metres: the bib and the name are large.
      const size = (testId: string) =>
        last
          .getByTestId(testId)
          .evaluate(e => Number.parseFloat(e.ownerDocument.defaultView?.getComputedStyle(e).fontSize ?? ''))
      expect(await size('finisher-bib')).toBeGreaterThanOrEqual(96)
      expect(await size('finisher-name')).toBeGreaterThanOrEqual(40)

      const previous = page.getByTestId('previous-finishers').getByTestId('finisher-bib')
      await poll(() => previous.allTextContents()).toEqual([
        '111',
        '110',
        '109',
        '108',
        '107',
        '106',
        '105',
        '104',
        '103',
        '102'
      ])

      // No chip codes, no reader or sync diagnostics, no export for the viewer.
      const shown = await page.evaluate<string>('document.body.innerText')
      for (const bib of bibs) expect(shown).not.toContain(chipOf(bib))
      expect(await page.getByTestId('reader').count()).toBe(0)
      expect(await page.getByTestId('sync-counts').count()).toBe(0)
      expect(shown).not.toMatch(/Chip|errors|readRate|Laptop clock/)
      await screenshot(page, 'announcer')

      // The next finisher takes the top place; the one before moves down.
      station.write(`${chipOf(113)}\r\n`)
      await poll(() => last.getByTestId('finisher-bib').textContent()).toBe('113')
      await poll(() => previous.first().textContent()).toBe('112')
      expect(await last.textContent()).toContain('Bo Li')

      // In Spanish, for a Spanish-speaking announcer.
      await control.command('settings.set', { language: 'es' })
      await poll(() => page.getByTestId('last-finisher-title').textContent()).toBe('Última llegada')
      await screenshot(page, 'announcer-es')

      // Export stays with the entry and station screens: not offered here, and refused to the viewer's socket.
      await page.getByRole('button', { name: 'Pasos' }).click()
      await page.getByRole('grid').waitFor()
      expect(await page.getByRole('button', { name: /CSV/ }).count()).toBe(0)
      const viewer = await connectScreen(station.urls.viewer)
      cleanups.push(async () => viewer.socket.close())
      const sessionId = sessions.find(s => !s.closed)?.id ?? 0
      const refused = (await viewer.command('export.csv', { sessionId })) as CommandResult<'export.csv'>
      expect(refused.ok).toBe(false)
      expect(refused.ok ? null : refused.error.code).toBe('forbidden')
      const entry = await connectScreen(station.urls.entry)
      cleanups.push(async () => entry.socket.close())
      expect(((await entry.command('export.csv', { sessionId })) as CommandResult<'export.csv'>).ok).toBe(
        true
      )
    }
  )
})
