import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { StationService } from '../src/core/app/station-service'
import { Station } from '../src/core/station/station'
import { startEmulator } from '../src/emulator/server'
import type { StationEvent } from '../src/shared/events'
import { SerialLink } from '../src/simulator/serial-link'
import { SIMULATED_READERS } from '../src/simulator/readers'
import { startStationHttp } from '../src/headless/http-server'
import { ensureRendererBuilt } from '../src/headless/renderer-build'
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/chromium'
import { ptyPair } from '../test/helpers/pty'
import { percentile, round, table, type BenchSection } from './report'

const KEY = { apiKey: 'ror-bench-ui', access: 'READ_WRITE', canUnbind: true, company: 'bench' } as const

/**
 * From a byte written on the serial port to the row on screen at 600 reads/s; then, on a 100,000-passing
 * session, the first page of the passings browser on screen and long tasks while scrolling all 100,000 rows.
 */
export async function uiBench(): Promise<BenchSection> {
  const folder = mkdtempSync(join(tmpdir(), 'rufus-bench-ui-'))
  const cloud = await startEmulator({ port: 0, keys: [KEY] })
  const pty = await ptyPair(folder)
  let synced = 0
  const waiters: Array<() => void> = []
  const station = Station.open(
    {
      dataFolder: join(folder, 'data'),
      apiUrl: cloud.apiUrl,
      apiKey: KEY.apiKey,
      batchSize: 5000,
      dedup: { windowMs: 0, mode: 'first' }
    },
    (event: StationEvent) => {
      service.onStationEvent(event)
      if (event.type === 'sync') {
        synced = event.synced
        for (const waiter of waiters.splice(0)) waiter()
      }
    }
  )
  const service = new StationService({
    station,
    runtime: 'headless',
    apiUrl: cloud.apiUrl,
    keySet: true,
    keyStorage: 'memory'
  })
  const server = await startStationHttp({
    service,
    rendererDir: ensureRendererBuilt(() => undefined),
    port: 0
  })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  try {
    station.addReader({ id: 'scanner', path: pty.a, baudRate: 115200, protocol: 'line' })
    const link = new SerialLink(pty.b, SIMULATED_READERS['line']!())
    link.start()
    // The benchmark's probes are string scripts, which the page's CSP forbids (rightly); only the probes bypass it.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true })
    await page.goto(server.urls.viewer)
    await page.getByText('Finish line').first().waitFor()
    // The page notes when each bib's row appears; Node notes when its bytes were written. Same machine clock.
    await page.evaluate(`(() => {
      window.__seen = {}
      new MutationObserver(() => {
        for (const cell of document.querySelectorAll('td.bib')) {
          const bib = cell.textContent
          if (!(bib in window.__seen)) window.__seen[bib] = Date.now()
        }
      }).observe(document.body, { childList: true, subtree: true })
    })()`)
    while (!link.connected) await new Promise(resolve => setTimeout(resolve, 10))
    const written = new Map<string, number>()
    const total = 3000
    let sent = 0
    const started = Date.now()
    await new Promise<void>(resolve => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * 600))
        let text = ''
        for (; sent < due; sent += 1) {
          const bib = String(100_000 + sent)
          written.set(bib, Date.now())
          text += `${bib}\r\n`
        }
        if (text) link.send(new TextEncoder().encode(text))
        if (sent >= total) {
          clearInterval(timer)
          resolve()
        }
      }, 2)
    })
    await page.waitForFunction(`Object.keys(window.__seen).includes('${100_000 + total - 1}')`, undefined, {
      timeout: 30_000
    })
    const seen = (await page.evaluate('window.__seen')) as Record<string, number>
    const latencies = [...written]
      .filter(([bib]) => seen[bib] !== undefined)
      .map(([bib, at]) => (seen[bib] as number) - at)
      .sort((a, b) => a - b)
    await link.stop()

    // A 100,000-passing session in the cloud and the journal.
    const encoder = new TextEncoder()
    for (let start = 0; start < 97_000; start += 1000) {
      station.ingest(
        'bulk',
        encoder.encode(Array.from({ length: 1000 }, (_, i) => `${start + i}\r\n`).join(''))
      )
    }
    while (synced < 100_000) await new Promise<void>(resolve => waiters.push(resolve))
    const browse = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true })
    await browse.goto(server.urls.viewer)
    await browse.getByRole('button', { name: 'Passings' }).click()
    await browse.waitForFunction(`document.querySelector('select[aria-label="Session"]').value !== ''`)
    const firstPageMs = await browse.evaluate(`(async () => {
      const started = performance.now()
      document.querySelector('form[aria-label="Range"] button[type="submit"]').click()
      while (!document.querySelector('[role=row][data-num="1"]')) await new Promise(r => requestAnimationFrame(r))
      return performance.now() - started
    })()`)
    await browse.getByRole('button', { name: 'All pages' }).click()
    await browse.waitForFunction(
      `document.querySelector('.legend').textContent.startsWith('100000 rows')`,
      undefined,
      { timeout: 60_000 }
    )
    const scroll = (await browse.evaluate(`(async () => {
      const tasks = []
      new PerformanceObserver(list => tasks.push(...list.getEntries().map(e => e.duration))).observe({ type: 'longtask' })
      const grid = document.querySelector('[role=grid]')
      const started = performance.now()
      const frames = []
      let last = performance.now()
      for (let y = 0; y < grid.scrollHeight; y += grid.scrollHeight / 600) {
        grid.scrollTop = y
        await new Promise(r => requestAnimationFrame(r))
        const now = performance.now()
        frames.push(now - last)
        last = now
      }
      await new Promise(r => setTimeout(r, 100))
      frames.sort((a, b) => a - b)
      return { tasks, ms: performance.now() - started, frames: frames.length, p99: frames[Math.floor(frames.length * 0.99)], rendered: document.querySelectorAll('[role=row]').length }
    })()`)) as { tasks: number[]; ms: number; frames: number; p99: number; rendered: number }
    return {
      id: 'ui',
      title: 'User interface in Chromium (headless station, WebSocket)',
      command: 'npm run bench -- ui',
      body: `${table(
        ['measure', 'result'],
        [
          [
            'byte on the serial port → row on screen at 600 reads/s (3000 reads), median',
            `${round(percentile(latencies, 50), 0)} ms`
          ],
          ['… p99', `${round(percentile(latencies, 99), 0)} ms`],
          ['… rows seen on screen', `${latencies.length} of ${total}`],
          [
            'first page of the passings browser on screen (5000 rows from the cloud + journal)',
            `${round(Number(firstPageMs), 0)} ms`
          ],
          [
            'scrolling all 100,000 rows in 600 steps: long tasks (>50 ms)',
            `${scroll.tasks.length}${scroll.tasks.length ? ` (longest ${round(Math.max(...scroll.tasks), 0)} ms)` : ''}`
          ],
          ['… frame interval p99 while scrolling', `${round(scroll.p99, 1)} ms`],
          ['… rows in the DOM at any time', String(scroll.rendered)]
        ]
      )}

Updates reach screens coalesced every 250 ms, which bounds the latency from below; at 600 reads/s the page gets
four messages a second, whatever the read rate. Headless Chromium without a GPU on this 2-core machine.`
    }
  } finally {
    await browser.close()
    service.stop()
    await server.close()
    await station.close()
    await cloud.close()
    await pty.stop()
    rmSync(folder, { recursive: true, force: true })
  }
}
