import { inEnglish } from '../../src/shared/messages'
import { describe, expect, it } from 'vitest'
import { describePort, findPortPath } from '../../src/core/reader/port-identity'
import { BadFrameSampler } from '../../src/core/reader/bad-frame-sampler'
import { ReaderHealth } from '../../src/core/reader/reader-health'

describe('finding a USB reader again', () => {
  const ftdi = { vendorId: '0403', productId: '6001' }
  it('keeps the path while it exists, else follows the serial number, else a unique vendor/product id', () => {
    const identity = { path: 'COM3', serialNumber: 'A1B2', ...ftdi }
    expect(findPortPath(identity, [{ path: 'COM3', ...ftdi }])).toBe('COM3')
    expect(
      findPortPath(identity, [
        { path: 'COM4', ...ftdi, serialNumber: 'ZZZ' },
        { path: 'COM7', ...ftdi, serialNumber: 'A1B2' }
      ])
    ).toBe('COM7')
    expect(
      findPortPath({ path: 'COM3', ...ftdi }, [{ path: 'COM9', vendorId: '0403', productId: '6001' }])
    ).toBe('COM9')
    expect(
      findPortPath({ path: 'COM3', ...ftdi }, [
        { path: 'COM8', ...ftdi },
        { path: 'COM9', ...ftdi }
      ])
    ).toBe('COM3')
    expect(findPortPath({ path: '/dev/pts/4' }, [])).toBe('/dev/pts/4')
  })

  it('names ports for people', () => {
    expect(describePort({ path: 'COM3', manufacturer: 'FTDI', serialNumber: 'A1B2', ...ftdi })).toBe(
      'COM3 — FTDI (0403:6001, serial A1B2)'
    )
    expect(describePort({ path: '/dev/ttyS0' })).toBe('/dev/ttyS0')
  })
})

describe('reader health', () => {
  it('reports reads per second, decode errors, details, and silence after a quiet spell', () => {
    let now = 0
    const health = new ReaderHealth('r', '/dev/x', 'r2000', 10_000, () => now)
    health.setState('open', null)
    now = 1000
    health.reads(10, 250)
    health.badFrame('bad checksum')
    health.status({ key: 'readRate', value: 40 })
    now = 2000
    expect(health.snapshot()).toMatchObject({
      state: 'open',
      readsPerSecond: 2,
      decodeErrors: 1,
      lastDecodeError: 'bad checksum',
      clockOffsetMs: 250,
      lastReadAgeMs: 1000,
      details: { readRate: 40 }
    })
    now = 9000
    expect(health.checkSilence()).toBe(false)
    now = 10_500
    expect(health.checkSilence()).toBe(true)
    const silence = health.snapshot().message
    expect(silence && inEnglish(silence)).toMatch(/Nothing received for 11 s/)
    health.bytes()
    expect(health.snapshot().state).toBe('open')
  })
})

describe('bad-frame sampling', () => {
  it('counts every bad frame, reports a few per second per port, then the totals once the window has passed', () => {
    const sampler = new BadFrameSampler({ perWindow: 3, windowMs: 1000 })
    const reports = Array.from({ length: 10 }, (_, i) => sampler.offer('a', `bad ${i}`, 100 + i))
    expect(reports.filter(r => r !== null).map(r => r?.total)).toEqual([1, 2, 3])
    expect(sampler.offer('b', 'other port', 150)).toMatchObject({ port: 'b', total: 1 })
    expect(sampler.due(900)).toEqual([])
    expect(sampler.hasUnreported).toBe(true)
    expect(sampler.due(1100)).toEqual([{ port: 'a', reason: 'bad 9', total: 10, unreported: 7 }])
    expect(sampler.hasUnreported).toBe(false)
    expect(sampler.offer('a', 'again', 1200)).toMatchObject({ total: 11, unreported: 0 })
  })

  it('keeps only the details the protocols name, and the latest other one', () => {
    const health = new ReaderHealth('r', '/dev/x', 'rrbox', 10_000, () => 0)
    for (let code = 0; code < 1000; code += 1) health.status({ key: `info${code}`, value: code })
    health.status({ key: 'batteryPercent', value: '87' })
    expect(health.snapshot().details).toEqual({ batteryPercent: '87', other: 'info999: 999' })
  })
})
