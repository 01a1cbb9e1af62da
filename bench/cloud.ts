import { performance } from 'node:perf_hooks'
import { RufusClient } from '../src/core/rufus/client'
import { collectPages, sessionPassingPages } from '../src/core/rufus/paging'
import { startEmulator } from '../src/emulator/server'
import { round, table, type BenchSection } from './report'

const KEY = { apiKey: 'ror-bench', access: 'READ_WRITE', canUnbind: true, company: 'bench' } as const

function passings(from: number, count: number) {
  const base = Date.UTC(2026, 10, 28, 9)
  return Array.from({ length: count }, (_, i) => ({
    bib: String(1000 + ((from + i) % 5000)),
    chip: `E200${String(from + i).padStart(12, '0')}`,
    num_passing: from + i,
    timestamp: new Date(base + (from + i) * 37).toISOString()
  }))
}

/** Emulator insert throughput by batch size, and reading a 100,000-passing session page by page. */
export async function cloudBench(): Promise<BenchSection> {
  const cloud = await startEmulator({ port: 0, keys: [KEY] })
  try {
    const client = new RufusClient({ baseUrl: cloud.apiUrl, apiKey: KEY.apiKey, timeoutMs: 60_000 })
    const { deviceid } = await client.bindDevice({ model: 'bench', serial_number: 'bench-1' })
    const rows: Array<[string, number, string, string]> = []
    for (const [batch, total] of [
      [1, 2000],
      [100, 50_000],
      [5000, 100_000]
    ] as const) {
      const token = await client.insertSession(deviceid, `batch-${batch}`)
      const started = performance.now()
      for (let n = 1; n <= total; n += batch) await client.insertPassings(token, passings(n, batch))
      const seconds = (performance.now() - started) / 1000
      rows.push([`${batch}`, total, round(total / seconds, 0), round((seconds * 1000 * batch) / total, 2)])
    }
    const token = (await client.activeSession(deviceid))?.token_session ?? ''
    const readStarted = performance.now()
    const all = await collectPages(sessionPassingPages(client, token))
    const readMs = performance.now() - readStarted
    if (all.length !== 100_000) throw new Error(`read ${all.length} passings, expected 100000`)
    return {
      id: 'cloud',
      title: 'RUFUS Cloud emulator: insert throughput and paged read',
      command: 'npm run bench -- cloud',
      body: `${table(['batch size', 'passings sent', 'passings/s', 'ms per request'], rows)}

Reading the 100,000-passing session page by page (20 pages of 5000, validated by the client): **${round(readMs, 0)} ms**
(${round(100_000 / (readMs / 1000), 0)} passings/s).

Client and emulator share one process and loopback, so these are upper bounds of the local stack, not of RUFUS
Cloud. Batch size 1 is how the only public RUFUS client sends passings.`
    }
  } finally {
    await cloud.close()
  }
}
