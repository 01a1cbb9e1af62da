import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EMPTY_STATE,
  type Decoder,
  type DecoderState,
  type Read,
  type ReaderStatus
} from '../../src/core/reader/decoder'
import { createDecoder, PROTOCOLS, rankProtocols } from '../../src/core/reader/protocols'
import { chafonCrc, chafonFrame, createChafonDecoder } from '../../src/core/reader/protocols/chafon'
import { createR2000Decoder, lrc, r2000Inventory } from '../../src/core/reader/protocols/r2000'
import { createRrBoxDecoder, RRBOX } from '../../src/core/reader/protocols/rrbox'
import { createTimyDecoder, timyChecksum } from '../../src/core/reader/protocols/timy'
import { createLineDecoder } from '../../src/core/reader/line-decoder'
import { chipOf, SIMULATED_READERS } from '../../src/simulator/readers'

const hexBytes = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'))
const ascii = (text: string) => new TextEncoder().encode(text)

function run(decoder: Decoder, chunks: readonly Uint8Array[], atUs = 1_700_000_000_000_000) {
  let state: DecoderState = EMPTY_STATE
  const reads: Read[] = []
  const bad: string[] = []
  const statuses: ReaderStatus[] = []
  chunks.forEach((bytes, index) => {
    const result = decoder.decode(state, { id: index + 1, bytes, receivedAtUs: atUs + index })
    state = result.state
    reads.push(...result.reads)
    bad.push(...result.badFrames.map(b => b.reason))
    statuses.push(...(result.statuses ?? []))
  })
  return { reads, bad, statuses, state }
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size))
  return parts
}

describe('Impinj R2000 frames', () => {
  it('builds the reference inventory command and decodes the reference tag report', () => {
    expect(Buffer.from(r2000Inventory()).toString('hex')).toBe('a004ff8901d3')
    const { reads } = run(createR2000Decoder(), [
      hexBytes('A0 13 01 89 1C 30 00 E2 00 00 17 22 0A 01 23 45 67 89 AB 50 FE')
    ])
    expect(reads).toEqual([
      expect.objectContaining({ chip: 'E2000017220A0123456789AB', antenna: 1, rssi: -49 })
    ])
  })

  it('reports the read rate of an end-of-round frame and error frames', () => {
    const rate = Uint8Array.from([0xa0, 0x0a, 0x01, 0x89, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x01, 0x00])
    const error = Uint8Array.from([0xa0, 0x04, 0x01, 0x89, 0x22])
    const frames = [rate, error].map(f => Uint8Array.from([...f, lrc(f)]))
    const { statuses } = run(createR2000Decoder(), frames)
    expect(statuses).toEqual([
      { key: 'readRate', value: 42 },
      { key: 'totalReads', value: 256 },
      { key: 'error', value: 'antenna missing' }
    ])
  })

  it('resynchronises after garbage and a bad checksum, across chunk boundaries', () => {
    const good = hexBytes('A0 13 01 89 1C 30 00 E2 00 00 17 22 0A 01 23 45 67 89 AB 50 FE')
    const corrupt = good.slice()
    corrupt[10] = 0x99
    const stream = Uint8Array.from([0x13, 0x37, ...corrupt, 0xa0, ...good, ...good])
    const { reads, bad } = run(createR2000Decoder(), split(stream, 7))
    expect(reads).toHaveLength(2)
    expect(bad).toContain('bad checksum')
    expect(bad).toContain('garbage before a frame')
  })

  it('counts an unknown command without stopping', () => {
    const frame = Uint8Array.from([0xa0, 0x03, 0x01, 0x55])
    const { bad } = run(createR2000Decoder(), [Uint8Array.from([...frame, lrc(frame)])])
    // Its bytes are then searched for frames (a checksum that holds by chance must not hide good frames).
    expect(bad).toEqual(['unknown command 0x55', 'garbage before a frame'])
  })
})

describe('Chafon UHFReader288 frames', () => {
  it('checks the reference CRC and decodes the reference inventory answer', () => {
    const vector = hexBytes('15 00 01 03 01 01 0C 000000000000000000000313 6B B1 A5')
    expect(chafonCrc(vector.subarray(0, vector.length - 2))).toBe(0xa5b1)
    const { reads } = run(createChafonDecoder(), [vector])
    expect(reads).toEqual([
      expect.objectContaining({ chip: '000000000000000000000313', antenna: 1, rssi: 0x6b })
    ])
  })

  it('finds frames again after garbage, since the frame has no header byte', () => {
    const frame = chafonFrame(0, 0x01, [0x03, 0x04, 1, 12, ...hexBytes('E20000170000000000000042'), 100])
    const { reads, bad } = run(
      createChafonDecoder(),
      split(Uint8Array.from([0x09, 0xff, 0x02, ...frame, ...frame]), 5)
    )
    expect(reads.map(r => [r.chip, r.antenna])).toEqual([
      ['E20000170000000000000042', 3],
      ['E20000170000000000000042', 3]
    ])
    expect(bad.length).toBeGreaterThan(0)
  })
})

describe('RACE RESULT USB Timing Box', () => {
  const epoch = 1_700_000_000
  // Framed as the reference describes a real box: status line, body lines, empty line.
  const answer = [
    'EPOCHREFSET;00',
    `${epoch.toString(16)};00001000`,
    '',
    'PASSINGGET;00',
    '00000007;00000002',
    'GLBAS60;0718;00001200;0c;08;9f;1a;0;1;2;00;0',
    '_____127;0000;00001300;01;00;00;00;0;0;0;00;0',
    '',
    'INFOGET;00',
    '08;87',
    '',
    'CONFSET;00',
    '04;01',
    ''
  ].join('\n')

  it('takes times from the ticks and the epoch as they are, with the box index as identity', () => {
    const { reads, statuses, state } = run(
      createRrBoxDecoder(),
      split(ascii(answer + '\n'), 9),
      epoch * 1_000_000 + 3_000_000
    )
    expect(reads).toHaveLength(1)
    expect(reads[0]).toMatchObject({ chip: 'GLBAS60', readerKey: 'rr7:00001200', antenna: 2, hits: 12 })
    // 0x200 ticks after the reference = 2 s after the epoch, whenever the line arrives.
    expect(reads[0]?.timeUs).toBe((epoch + 2) * 1_000_000)
    expect(state.context['nextIndex']).toBe(9)
    expect(statuses).toContainEqual({ key: 'batteryPercent', value: '87' })
    expect(statuses).toContainEqual({ key: 'config04', value: '01' })
    expect(RRBOX.passingGet(9)).toBe('PASSINGGET;00000009\n')
  })

  it('restarts from the first valid index of a status-10 answer, and asks again for a passing without a time base', () => {
    const { state, statuses } = run(createRrBoxDecoder(), [ascii('PASSINGGET;10\n00000001;000003e8\n\n')])
    expect(state.context['nextIndex']).toBe(1000)
    expect(statuses).toContainEqual({ key: 'rewindFrom', value: 1000 })
    const noEpoch = run(createRrBoxDecoder(), [
      ascii(
        'PASSINGGET;00\n00000004;00000002\nA;0;00000100;01;00;00;00;0;0;0;00;0\nB;0;00000101;01;00;00;00;0;0;0;00;0\n\n'
      )
    ])
    expect(noEpoch.reads).toEqual([])
    expect(noEpoch.bad).toEqual(['passing 4 came before the epoch reference; fetched again'])
    expect(noEpoch.state.context['nextIndex']).toBe(4)
  })

  it('starts over from 0 when an answer begins past the index asked for, as metarace does; reads pushed passings', () => {
    const base = `EPOCHREFSET;00\n${epoch.toString(16)};00000000\n\n`
    const { reads, state } = run(createRrBoxDecoder(), [
      ascii(`${base}PASSINGGET;00\n00000001;00000001\nA;0;00000100;01;00;00;00;0;0;0;00;0\n\n`),
      ascii('PASSINGGET;00\n00000009;00000001\nB;0;00000200;01;00;00;00;0;0;0;00;0\n\n'),
      ascii('#P;C;0;00000300;01;00;00;00;0;0;0;00;0\n')
    ])
    expect(reads.map(r => [r.chip, r.readerKey, r.timeUs])).toEqual([
      ['A', 'rr1:00000100', (epoch + 1) * 1_000_000],
      ['B', 'rr9:00000200', (epoch + 2) * 1_000_000],
      ['C', 'rrP:C:00000300', (epoch + 3) * 1_000_000]
    ])
    expect(state.context['nextIndex']).toBe(0)
  })

  it('a pushed passing never takes the index of a stored passing not fetched yet', () => {
    // Passings 1–2 fetched; the box stored passing 3 while the cable was out, then pushes a live one (its index 4).
    // The station must still fetch index 3: the pushed line carries no index and must not consume one.
    const base = `EPOCHREFSET;00\n${epoch.toString(16)};00000000\n\n`
    const { reads, state } = run(createRrBoxDecoder(), [
      ascii(
        `${base}PASSINGGET;00\n00000001;00000002\nA;0;00000100;01;00;00;00;0;0;0;00;0\n` +
          'B;0;00000200;01;00;00;00;0;0;0;00;0\n\n'
      ),
      ascii('#P;D;0;00000400;01;00;00;00;0;0;0;00;0\n')
    ])
    expect(reads.map(r => r.chip)).toEqual(['A', 'B', 'D'])
    expect(state.context['nextIndex']).toBe(3)
  })
})

describe('ALGE Timy lines', () => {
  it('decodes the reference impulse, with and without the checksum', () => {
    const body = ' 0002 C0 10:27:28.4172 00 '
    const decoder = createTimyDecoder({ utcOffsetMinutes: 0 })
    const arrival = Date.UTC(2026, 10, 28, 10, 27, 28, 500) * 1000
    const plain = run(decoder, [ascii('0002 C0 10:27:28.4172 00\r')], arrival)
    const checked = run(decoder, [ascii(`${body}${timyChecksum(body)}\r`)], arrival)
    for (const { reads } of [plain, checked]) {
      expect(reads).toEqual([
        expect.objectContaining({ bib: '2', chip: null, antenna: 0, clockOffsetMs: -83 })
      ])
    }
    expect(checked.reads[0]?.timeUs).toBe(arrival)
  })

  it('refuses a wrong checksum, skips deleted impulses and keeps 1/10,000 s', () => {
    const body = ' 0003 C1 10:00:00.0001 00 '
    const decoder = createTimyDecoder({ utcOffsetMinutes: 0, checksum: 'required' })
    const arrival = Date.UTC(2026, 0, 1, 10, 0, 0) * 1000
    const deleted = 'c0004 C1 10:00:01.0000 00 '
    const lines = [
      `${body}99\r`,
      `${body}${timyChecksum(body)}\r`,
      `${deleted}${timyChecksum(deleted)}\r`,
      '0006 C1 10:00:02.0000 00\r'
    ]
    const { reads, bad, statuses, state } = run(decoder, lines.map(ascii), arrival)
    expect(bad).toEqual(['bad checksum', 'missing checksum'])
    expect(reads.map(r => r.bib)).toEqual(['3'])
    expect(statuses[0]?.key).toBe('deletedImpulse')
    const later = ' 0007 C1 10:00:02.2346 00 '
    const second = decoder.decode(
      { ...EMPTY_STATE, context: state.context },
      { id: 9, bytes: ascii(`${later}${timyChecksum(later)}\r`), receivedAtUs: arrival + 5_000_000 }
    )
    expect((second.reads[0]?.timeUs ?? 0) - (reads[0]?.timeUs ?? 0)).toBe(2_234_500)
  })

  it('places a time just before midnight on the day before when it arrives just after', () => {
    const arrival = Date.UTC(2026, 0, 2, 0, 0, 0, 200) * 1000
    const { reads } = run(
      createTimyDecoder({ utcOffsetMinutes: 0 }),
      [ascii(' 0005 C1 23:59:59.9000 00\r')],
      arrival
    )
    expect(reads[0]?.clockOffsetMs).toBe(-300)
  })
})

describe('line protocol with a pattern', () => {
  it('picks bib, chip, time and antenna out of each line', () => {
    const decoder = createLineDecoder({
      field: 'bib',
      pattern: '^(?<chip>[0-9A-F]+);(?<time>[0-9:.]+);(?<antenna>\\d)$',
      delimiter: 'crlf',
      utcOffsetMinutes: 0
    })
    const arrival = Date.UTC(2026, 0, 1, 9, 0, 0, 250) * 1000
    const { reads, bad } = run(decoder, [ascii('E2001;09:00:00.100;2\r\nnonsense\r\n')], arrival)
    expect(reads).toEqual([
      expect.objectContaining({ chip: 'E2001', bib: null, antenna: 2, clockOffsetMs: -150 })
    ])
    expect(bad).toEqual(['line does not match the pattern'])
  })

  it('rejects bad options precisely', () => {
    expect(() => createLineDecoder({ field: 'bib', pattern: '(' })).toThrow(/not a valid regular expression/)
    expect(() => createLineDecoder({ field: 'bib', pattern: '(?<team>.*)' })).toThrow(
      /unknown named group\(s\) in "pattern": team/
    )
    expect(() => createLineDecoder({ field: 'bib', delimiter: 'tab' as 'cr' })).toThrow(/"delimiter" must be/)
  })
})

describe('every decoder', () => {
  it.each(PROTOCOLS)('%s never throws on random bytes, however chunked', protocol => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 12 }), chunks => {
        run(createDecoder(protocol), chunks)
      }),
      { numRuns: 300 }
    )
  })

  it.each(['line', 'timy', 'chafon', 'r2000'] as const)(
    '%s decodes back what its simulated reader encoded, however chunked',
    protocol => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 9999 }), { minLength: 1, maxLength: 20 }),
          fc.integer({ min: 1, max: 40 }),
          (runners, size) => {
            const reader = SIMULATED_READERS[protocol]!()
            const now = Date.now()
            const frames = runners.map(runner =>
              reader.onRead({ runner, atS: 0, rssi: -60, antenna: 2 }, now)
            )
            const answers = protocol === 'r2000' ? reader.onBytes(r2000Inventory(), now) : []
            const stream = Uint8Array.from(
              [...frames.filter((f): f is Uint8Array => f !== null), ...answers].flatMap(f => [...f])
            )
            const { reads, bad } = run(
              createDecoder(protocol, { timy: { utcOffsetMinutes: -new Date().getTimezoneOffset() } }),
              split(stream, size),
              now * 1000
            )
            expect(bad).toEqual([])
            const expected = runners.map(r =>
              protocol === 'line' || protocol === 'timy' ? String(r) : chipOf(r)
            )
            expect(reads.map(r => r.bib ?? r.chip)).toEqual(expected)
          }
        ),
        { numRuns: 100 }
      )
    }
  )
})

describe('protocol detection by listening', () => {
  it.each(['line', 'timy', 'chafon'] as const)('ranks %s first for a sample of its own traffic', protocol => {
    const reader = SIMULATED_READERS[protocol]!()
    const sample = Uint8Array.from(
      Array.from({ length: 6 }, (_, i) => [
        ...(reader.onRead({ runner: 100 + i, atS: 0, rssi: -60, antenna: 1 }, Date.now()) ?? [])
      ]).flat()
    )
    expect(rankProtocols(sample)[0]?.protocol).toBe(protocol)
  })

  it('ranks the R2000 first for its answers, and nothing for noise', () => {
    const reader = SIMULATED_READERS['r2000']!()
    reader.onRead({ runner: 1, atS: 0, rssi: -60, antenna: 1 }, 0)
    const sample = Uint8Array.from(reader.onBytes(r2000Inventory(), 0).flatMap(f => [...f]))
    expect(rankProtocols(sample)[0]?.protocol).toBe('r2000')
    expect(rankProtocols(Uint8Array.from([0x00, 0x01, 0x02, 0xfe, 0xff]))).toEqual([])
  })
})
