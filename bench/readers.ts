import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createDecoder, PROTOCOLS, type Protocol } from '../src/core/reader/protocols'
import { r2000Inventory } from '../src/core/reader/protocols/r2000'
import { RRBOX } from '../src/core/reader/protocols/rrbox'
import { Journal } from '../src/core/journal/journal'
import { Station } from '../src/core/station/station'
import { SIMULATED_READERS } from '../src/simulator/readers'
import { crossingReads } from '../src/simulator/traffic'
import { seededRandom } from '../src/shared/random'
import { percentile, round, table, type BenchSection } from './report'

/** The bytes a reader of this protocol sends for `crossings` runners (several reads each for UHF readers). */
function traffic(protocol: Protocol, crossings: number): { chunks: Uint8Array[]; reads: number } {
  const reader = SIMULATED_READERS[protocol]!()
  const random = seededRandom(3)
  const now = Date.now()
  const chunks: Uint8Array[] = []
  let reads = 0
  if (protocol === 'rrbox') {
    chunks.push(...reader.onBytes(new TextEncoder().encode(RRBOX.epochRefSet(Math.floor(now / 1000))), now))
  }
  for (let c = 0; c < crossings; c += 1) {
    for (const read of crossingReads(c + 1, c * 0.1, reader.readsPerCrossing, random)) {
      const bytes = reader.onRead(read, now + read.atS * 1000)
      reads += 1
      if (bytes) chunks.push(bytes)
    }
    if (protocol === 'r2000') chunks.push(...reader.onBytes(r2000Inventory(), now))
    if (protocol === 'rrbox' && (c + 1) % 100 === 0) {
      chunks.push(...reader.onBytes(new TextEncoder().encode(RRBOX.passingGet(c - 98)), now))
    }
  }
  return { chunks, reads }
}

function openStation(
  protocol: Protocol,
  data: string,
  onPassing: (timestamp: string) => void = () => undefined
) {
  return Station.open(
    {
      dataFolder: data,
      apiUrl: 'http://127.0.0.1:9/v0',
      apiKey: 'k',
      sync: false,
      decoderFor: () =>
        createDecoder(protocol, { timy: { utcOffsetMinutes: -new Date().getTimezoneOffset() } }),
      dedup: { windowMs: 2000, mode: 'first' }
    },
    event => {
      if (event.type === 'passing') onPassing(event.timestamp)
    }
  )
}

/** Decode + duplicate suppression + journal, in group commits of 50 chunks, on one core. */
async function throughput(
  protocol: Protocol
): Promise<{ readsPerS: number; passings: number; reads: number }> {
  const data = mkdtempSync(join(tmpdir(), 'rufus-bench-reader-'))
  const { chunks, reads } = traffic(protocol, protocol === 'rrbox' ? 5000 : 20_000)
  let passings = 0
  const station = openStation(protocol, data, () => (passings += 1))
  const started = performance.now()
  for (let i = 0; i < chunks.length; i += 50) {
    for (const chunk of chunks.slice(i, i + 50)) station.ingest('bench', chunk)
    station.decoderContext('bench')
  }
  const seconds = (performance.now() - started) / 1000
  await station.close()
  rmSync(data, { recursive: true, force: true })
  return { readsPerS: reads / seconds, passings, reads }
}

/** Reads at 600/s as a UHF reader sends them; latency from arrival to the passing being committed. */
async function latencyAt600(protocol: Protocol): Promise<number[]> {
  const data = mkdtempSync(join(tmpdir(), 'rufus-bench-reader-'))
  const { chunks } = traffic(protocol, 2400)
  const station = openStation(protocol, data)
  let sent = 0
  const started = performance.now()
  const perChunkMs = 6000 / chunks.length
  await new Promise<void>(resolve => {
    const timer = setInterval(() => {
      const due = Math.min(chunks.length, Math.floor((performance.now() - started) / perChunkMs))
      for (; sent < due; sent += 1) {
        station.ingest('bench', chunks[sent] as Uint8Array)
      }
      if (sent >= chunks.length) {
        clearInterval(timer)
        resolve()
      }
    }, 1)
  })
  await station.close()
  // A passing's time is its chunk's arrival stamp; captured_at is stamped in the committing transaction.
  const journal = new Journal(join(data, 'journal.sqlite'))
  const latencies = journal.passingsOfSession(1).map(p => (p.capturedAtUs - p.timeUs) / 1000)
  journal.close()
  rmSync(data, { recursive: true, force: true })
  return latencies.sort((a, b) => a - b)
}

export async function readersBench(): Promise<BenchSection> {
  const rows: Array<Array<string | number>> = []
  for (const protocol of PROTOCOLS) {
    const result = await throughput(protocol)
    rows.push([protocol, result.reads, result.passings, round(result.readsPerS, 0)])
  }
  const latency = await latencyAt600('r2000')
  return {
    id: 'readers',
    title: 'Readers: decode + duplicate suppression + journal, per protocol',
    command: 'npm run bench -- readers',
    body: `Simulated traffic (UHF readers: 4 reads per crossing; 2 s first-read window), fed in group commits of 50 chunks,
one core:

${table(['protocol', 'reads', 'passings', 'reads/s'], rows)}

R2000 reads at 600 reads/s (150 crossings/s), from a chunk's arrival stamp to the stamp taken inside the transaction that stores its passing (the fsync after it is not included; the station bench above includes it):
median **${round(percentile(latency, 50), 2)} ms**, p99 **${round(percentile(latency, 99), 2)} ms** over ${latency.length} passings.

A serial line carries at most ~550 R2000 reads/s at 115200 baud (~43/s for the RR box at 19200), so every
decoder runs well above what its cable can deliver.`
  }
}
