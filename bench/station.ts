import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Journal } from '../src/core/journal/journal'
import { createLineDecoder } from '../src/core/reader/line-decoder'
import { RufusClient } from '../src/core/rufus/client'
import { Station } from '../src/core/station/station'
import { startEmulator } from '../src/emulator/server'
import type { StationEvent } from '../src/shared/events'
import { percentile, round, table, type BenchSection } from './report'

const KEY = { apiKey: 'ror-bench', access: 'READ_WRITE', canUnbind: true, company: 'bench' } as const
const encoder = new TextEncoder()

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'rufus-bench-'))
}

function open(
  dataFolder: string,
  listener: (e: StationEvent) => void,
  extra: Partial<Parameters<typeof Station.open>[0]> = {}
) {
  return Station.open(
    { dataFolder, apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false, ...extra },
    listener
  )
}

/** Reads at a steady rate, one line per chunk, with commit latency measured from the arrival stamp. */
async function paced(rate: number, seconds: number): Promise<{ latencies: number[]; count: number }> {
  const data = folder()
  const latencies: number[] = []
  const station = open(data, event => {
    if (event.type === 'passing') {
      latencies.push((station.clock.nowUs() - Date.parse(event.timestamp) * 1000) / 1000)
    }
  })
  try {
    const total = rate * seconds
    const started = performance.now()
    let sent = 0
    await new Promise<void>(resolve => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate))
        for (; sent < due; sent += 1) station.ingest('bench', encoder.encode(`${sent}\r\n`))
        if (sent >= total) {
          clearInterval(timer)
          resolve()
        }
      }, 1)
    })
    await new Promise(resolve => setTimeout(resolve, 50))
    return { latencies, count: latencies.length }
  } finally {
    await station.close()
    rmSync(data, { recursive: true, force: true })
  }
}

/** As fast as input can be given: group commit (the station) against one transaction per read (baseline). */
async function flatOut(reads: number): Promise<{ grouped: number; perRead: number }> {
  const data = folder()
  let committed = 0
  let done: () => void = () => undefined
  const finished = new Promise<void>(resolve => (done = resolve))
  const station = open(data, event => {
    if (event.type === 'passing' && ++committed === reads) done()
  })
  const started = performance.now()
  for (let i = 0; i < reads; i += 10) {
    station.ingest('bench', encoder.encode(Array.from({ length: 10 }, (_, j) => `${i + j}\r\n`).join('')))
    if (i % 1000 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  await finished
  const grouped = reads / ((performance.now() - started) / 1000)
  await station.close()
  rmSync(data, { recursive: true, force: true })

  const baselineFolder = folder()
  const journal = new Journal(join(baselineFolder, 'journal.sqlite'))
  journal.openSession('baseline', 0)
  const decoder = createLineDecoder({ field: 'bib' })
  const baselineReads = Math.min(reads, 5000)
  const baseStarted = performance.now()
  for (let i = 0; i < baselineReads; i += 1) {
    journal.appendRawChunks([
      { port: 'bench', connection: 1, bytes: encoder.encode(`${i}\r\n`), receivedAtUs: Date.now() * 1000 }
    ])
    journal.decodePending(
      () => decoder,
      { dedup: { windowMs: 0, mode: 'first' }, bibPolicy: 'chip' },
      Date.now() * 1000
    )
  }
  const perRead = baselineReads / ((performance.now() - baseStarted) / 1000)
  journal.close()
  rmSync(baselineFolder, { recursive: true, force: true })
  return { grouped, perRead }
}

/** Uploads a backlog through an emulator with added latency, against one passing per request. */
async function backlog(
  passings: number,
  latencyMs: number
): Promise<{ batchedS: number; singlePerS: number; singleSample: number }> {
  const cloud = await startEmulator({ port: 0, keys: [KEY], faults: { latencyMs } })
  const data = folder()
  try {
    let synced = 0
    let done: () => void = () => undefined
    const finished = new Promise<void>(resolve => (done = resolve))
    let captured = 0
    let allCaptured: () => void = () => undefined
    const capturedAll = new Promise<void>(resolve => (allCaptured = resolve))
    const station = Station.open(
      {
        dataFolder: data,
        apiUrl: cloud.apiUrl,
        apiKey: KEY.apiKey,
        sync: false,
        batchSize: 5000,
        idlePollMs: 50
      },
      event => {
        if (event.type === 'passing' && ++captured === passings) allCaptured()
        if (event.type === 'sync') {
          synced = event.synced
          if (synced === passings && event.pending === 0) done()
        }
      }
    )
    for (let i = 0; i < passings; i += 100) {
      station.ingest('bench', encoder.encode(Array.from({ length: 100 }, (_, j) => `${i + j}\r\n`).join('')))
      if (i % 5000 === 0) await new Promise(resolve => setImmediate(resolve))
    }
    await capturedAll
    const started = performance.now()
    station.startSync()
    await finished
    const batchedS = (performance.now() - started) / 1000
    await station.close()

    // The one-per-request way, on a sample (100,000 of them would take over an hour at this latency).
    const client = new RufusClient({ baseUrl: cloud.apiUrl, apiKey: KEY.apiKey })
    const { deviceid } = await client.bindDevice({ model: 'bench', serial_number: 'single' })
    const token = await client.insertSession(deviceid, 'single')
    const sample = 200
    const singleStarted = performance.now()
    for (let n = 1; n <= sample; n += 1) {
      await client.insertPassings(token, [
        { bib: String(n), num_passing: n, timestamp: new Date().toISOString() }
      ])
    }
    const singlePerS = sample / ((performance.now() - singleStarted) / 1000)
    return { batchedS, singlePerS, singleSample: sample }
  } finally {
    await cloud.close()
    rmSync(data, { recursive: true, force: true })
  }
}

export async function stationBench(): Promise<BenchSection> {
  const rows: Array<Array<string | number>> = []
  const steady = await paced(600, 10)
  const sorted = [...steady.latencies].sort((a, b) => a - b)
  rows.push([
    '600 reads/s for 10 s, one read per chunk',
    steady.count,
    round(percentile(sorted, 50), 2),
    round(percentile(sorted, 99), 2),
    round(sorted.at(-1) ?? Number.NaN, 2)
  ])
  const flat = await flatOut(100_000)
  const upload = await backlog(100_000, 50)
  const singleTotalS = 100_000 / upload.singlePerS
  return {
    id: 'station',
    title: 'Station core: capture, commit latency, and backlog upload',
    command: 'npm run bench -- station',
    body: `Capture to commit (time from a chunk's arrival stamp to its passing being reported committed; journal with
synchronous=FULL in WAL, group commit every 5 ms):

${table(['load', 'passings', 'median ms', 'p99 ms', 'max ms'], rows)}

Flat out, 100,000 reads fed as fast as the event loop allows:

${table(
  ['way of committing', 'reads/s'],
  [
    ['group commit (the station)', round(flat.grouped, 0)],
    ['baseline: one transaction pair per read (5,000 reads)', round(flat.perRead, 0)]
  ]
)}

Backlog of 100,000 passings uploaded through the emulator with ${50} ms added to every request:

${table(
  ['way of sending', 'time for 100,000', 'passings/s'],
  [
    [
      'the station: batches of 5000, read-back only when needed',
      `${round(upload.batchedS, 1)} s`,
      round(100_000 / upload.batchedS, 0)
    ],
    [
      `one passing per request (measured on ${upload.singleSample}, extrapolated)`,
      `${round(singleTotalS / 60, 1)} min`,
      round(upload.singlePerS, 1)
    ]
  ]
)}

The station uploads the backlog **${round(singleTotalS / upload.batchedS, 0)}×** faster than one passing per request.
Launch to first capture is measured separately (\`npm run bench -- launch\`).`
  }
}
