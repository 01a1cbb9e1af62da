import { inEnglish, type StationMessage } from '../../src/shared/messages'
import { afterEach, describe, expect, it } from 'vitest'
import { StationService } from '../../src/core/app/station-service'
import { startStationHttp, type StationHttpServer } from '../../src/headless/http-server'
import { ensureRendererBuilt } from '../../src/headless/renderer-build'
import { newPage, screenshot } from '../helpers/browser'
import { emulator, KEYS } from '../helpers/emulator'
import { lines, openStation } from '../helpers/station'

const servers: StationHttpServer[] = []
const services: StationService[] = []
afterEach(async () => {
  for (const service of services.splice(0)) service.stop()
  for (const server of servers.splice(0)) await server.close()
})

async function serve(station: ReturnType<typeof openStation>['station'], apiUrl: string) {
  const service = new StationService({
    station,
    runtime: 'headless',
    apiUrl,
    keySet: true,
    keyStorage: 'command-line'
  })
  services.push(service)
  const server = await startStationHttp({
    service,
    rendererDir: ensureRendererBuilt(() => undefined),
    port: 0
  })
  servers.push(server)
  return { service, server }
}

describe('passings browser in a real browser', () => {
  it(
    'browses a 100,000-passing session by range and page, and flags a passing removed from the cloud',
    { timeout: 240_000 },
    async () => {
      const cloud = await emulator()
      const { station, log } = openStation({
        apiUrl: cloud.apiUrl,
        apiKey: KEYS.readWrite.apiKey,
        batchSize: 5000
      })
      for (let start = 1; start <= 100_000; start += 1000) {
        station.ingest('bulk', lines(...Array.from({ length: 1000 }, (_, i) => start + i)))
      }
      await log.untilSynced(100_000, 180_000)
      const { service, server } = await serve(station, cloud.apiUrl)
      const page = await newPage()
      await page.goto(server.urls.viewer)
      await page.getByRole('button', { name: 'Passings' }).click()
      // Waits, not timing assertions: a loaded machine may take seconds to answer the first page.
      const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 })
      await poll(() => page.getByRole('combobox', { name: 'Session' }).inputValue()).not.toBe('')
      await page.getByRole('button', { name: 'Last page' }).click()
      await page.locator('[role=row][data-num="95001"]').waitFor({ timeout: 20_000 })
      await poll(() => page.getByRole('status').filter({ hasText: 'rows' }).textContent()).toMatch(
        /^5000 rows/
      )
      // The list is virtualised: the last row exists only once scrolled to.
      expect(await page.locator('[role=row]').count()).toBeLessThan(100)
      await page.getByRole('grid').evaluate(grid => grid.scrollTo(0, grid.scrollHeight))
      await page.locator('[role=row][data-num="100000"]').waitFor()
      // Someone removes passing 42 in the cloud.
      expect(cloud.store.deletePassing(station.currentSession().token ?? '', 42)).toBe(1)
      await page.getByRole('textbox', { name: 'First #' }).fill('40')
      await page.getByRole('textbox', { name: 'Last #' }).fill('45')
      await page.getByRole('spinbutton', { name: 'Page' }).fill('1')
      await page.getByRole('button', { name: 'Load' }).first().click()
      const missing = page.locator('[role=row][data-num="42"]')
      await poll(() => missing.getAttribute('data-status')).toBe('missing-in-cloud')
      expect(await page.locator('[role=row][data-num="41"]').getAttribute('data-status')).toBe('ok')
      await screenshot(page, 'passings-browser')
      const compared = await service.compareSession(station.currentSession().id)
      expect(compared.missingInCloud).toEqual([42])
    }
  )
})

describe('paired screens', () => {
  it('a read-only screen sees passings but cannot record or change anything', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(5))
    await log.untilSynced(1)
    const { server } = await serve(station, cloud.apiUrl)
    const page = await newPage()
    await page.goto(server.urls.viewer)
    // The viewer is the announcer's screen: the last finisher, large.
    await page.getByTestId('last-finisher').getByTestId('finisher-bib').filter({ hasText: /^5$/ }).waitFor()
    expect(await page.getByText('This screen is paired read-only.').count()).toBe(1)
    expect(await page.getByRole('textbox', { name: /^Bib \(Enter records/ }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Setup' }).count()).toBe(0)
    // The page's own socket, asking for what a read-only pairing may not do.
    const refused = await page.evaluate(`new Promise(resolve => {
      const socket = new WebSocket('ws://' + location.host + '/ws' + location.search)
      socket.onmessage = event => {
        const message = JSON.parse(event.data)
        if (message.type === 'result') resolve(message.result.error ? message.result.error.message : 'accepted')
      }
      socket.onopen = () => socket.send(JSON.stringify({ id: 1, name: 'passings.manual', args: { bib: '9' } }))
    })`)
    expect(refused).toEqual({ code: 'command.read-only', params: {} })
    expect(inEnglish(refused as StationMessage)).toBe('This screen is paired read-only.')
    await screenshot(page, 'announcer-read-only')
  })
})
