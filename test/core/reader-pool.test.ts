import { afterEach, describe, expect, it } from 'vitest'
import type { StationEvent } from '../../src/shared/events'
import type { Read } from '../../src/core/reader/decoder'
import { ReaderPool } from '../../src/core/station/reader-pool'

const pools: ReaderPool[] = []
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close()
})

function pool() {
  const events: StationEvent[] = []
  let counter = 0
  const readers = new ReaderPool({
    nextConnectionNumber: () => (counter += 1),
    badFrameCount: () => ({ count: 0, lastReason: null }),
    sink: { ingest: () => undefined, decoderContext: () => ({}) },
    nowUs: () => 1_000_000,
    emit: event => events.push(event)
  })
  pools.push(readers)
  return { readers, events }
}

const read = (clockOffsetMs?: number): Read => ({
  chip: 'E2',
  bib: null,
  timeUs: 1,
  chunkId: 1,
  offset: 0,
  ...(clockOffsetMs === undefined ? {} : { clockOffsetMs })
})

const nothing = { badFrames: [], reads: [], statuses: [] }

describe('the reader pool', () => {
  it('numbers each opening of a port from the journal counter; a port first seen gets one', () => {
    const { readers } = pool()
    expect(readers.connectionOf('A')).toBe(1)
    expect(readers.connectionOf('A')).toBe(1)
    expect(readers.connectionOf('B')).toBe(2)
    expect(readers.nextConnection('A')).toBe(3)
    expect(readers.connectionOf('A')).toBe(3)
  })

  it('a port no reader was added for is decoded as the line protocol, one decoder per port', () => {
    const { readers } = pool()
    const decoder = readers.decoderFor('X')
    expect(readers.decoderFor('X')).toBe(decoder)
    expect(readers.decoderFor('Y')).not.toBe(decoder)
  })

  it('warns once per reader whose clock is a second or more from the laptop', () => {
    const { readers, events } = pool()
    readers.committed({
      ...nothing,
      reads: [
        { port: 'A', read: read(999) },
        { port: 'B', read: read() }
      ]
    })
    expect(events).toEqual([])
    readers.committed({
      ...nothing,
      reads: [
        { port: 'A', read: read(-1500) },
        { port: 'A', read: read(5000) }
      ]
    })
    readers.committed({
      ...nothing,
      reads: [
        { port: 'A', read: read(7000) },
        { port: 'B', read: read(1000) }
      ]
    })
    expect(events).toEqual([
      { type: 'warning', code: 'clock.reader-off', params: { port: 'A', offsetMs: -1500 } },
      { type: 'warning', code: 'clock.reader-off', params: { port: 'B', offsetMs: 1000 } }
    ])
  })

  it('reports a few bad frames per port at once and only counts the rest', () => {
    const { readers, events } = pool()
    const bad = (port: string) => ({ port, reason: 'bad checksum', chunkId: 1, offset: 0, bytes: 1 })
    readers.committed({ ...nothing, badFrames: [bad('A'), bad('A'), bad('A'), bad('A'), bad('A'), bad('B')] })
    expect(events.map(e => (e.type === 'bad-frame' ? [e.port, e.total] : e.type))).toEqual([
      ['A', 1],
      ['A', 2],
      ['A', 3],
      ['B', 1]
    ])
  })

  it('reader options: the station line field and the laptop zone, unless a reader says otherwise', () => {
    const { readers } = pool()
    const options = readers.protocolOptions({ line: { field: 'chip' } })
    expect(options.line).toMatchObject({ field: 'chip', utcOffsetMinutes: -new Date().getTimezoneOffset() })
    expect(readers.protocolOptions().line?.field).toBe('bib')
  })
})
