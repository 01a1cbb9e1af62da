import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EMPTY_STATE, type DecoderState, type Read } from '../../src/core/reader/decoder'
import { createLineDecoder } from '../../src/core/reader/line-decoder'

const bytes = (text: string) => new TextEncoder().encode(text)

function decodeAll(chunks: readonly Uint8Array[], field: 'bib' | 'chip' = 'bib') {
  const decoder = createLineDecoder({ field })
  let state: DecoderState = EMPTY_STATE
  const reads: Read[] = []
  const bad: string[] = []
  chunks.forEach((chunk, index) => {
    const result = decoder.decode(state, { id: index + 1, bytes: chunk, receivedAtUs: (index + 1) * 1000 })
    state = result.state
    reads.push(...result.reads)
    bad.push(...result.badFrames.map(b => b.reason))
  })
  return { reads, bad, state, decoder }
}

describe('line decoder', () => {
  it('splits on CR, LF and CRLF and drops empty lines', () => {
    const { reads } = decodeAll([bytes('101\r\n102\n103\r\r\n\n104\r')])
    expect(reads.map(r => r.bib)).toEqual(['101', '102', '103', '104'])
    expect(reads.map(r => r.offset)).toEqual([0, 5, 9, 16])
  })

  it('keeps a partial line across chunks, stamped with the arrival of its first byte', () => {
    const { reads, state } = decodeAll([bytes('12'), bytes('34\r\n5'), bytes('6\n')])
    expect(reads.map(r => [r.bib, r.chunkId, r.offset, r.timeUs])).toEqual([
      ['1234', 1, 0, 1000],
      ['56', 2, 4, 2000]
    ])
    expect(state.pending.length).toBe(0)
  })

  it('reads chips when told lines carry chips', () => {
    const { reads } = decodeAll([bytes('E2000017\n')], 'chip')
    expect(reads[0]).toMatchObject({ chip: 'E2000017', bib: null })
  })

  it('reports garbage and over-long lines as bad frames and goes on', () => {
    const { reads, bad } = decodeAll([
      Uint8Array.from([0x01, 0xff, 0x13, 0x0a]),
      bytes(`${'9'.repeat(80)}\n7\n`)
    ])
    expect(bad).toEqual(['unprintable bytes', 'line too long'])
    expect(reads.map(r => r.bib)).toEqual(['7'])
  })

  it('bounds a line that never ends and reports what a closed connection cut off', () => {
    const { bad, state, decoder } = decodeAll([bytes('x'.repeat(70))])
    expect(bad).toEqual(['line too long'])
    const cut = decoder.finish({ ...state, pending: bytes('12'), startChunkId: 3, startOffset: 1 })
    expect(cut.badFrames).toEqual([
      { reason: 'truncated line (connection ended)', chunkId: 3, offset: 1, bytes: 2 }
    ])
  })

  it('rejects invalid options with a precise error', () => {
    expect(() => createLineDecoder({ field: 'name' as 'bib' })).toThrow(/"field" must be "bib" or "chip"/)
    expect(() => createLineDecoder({ field: 'bib', maxLineLength: 0 })).toThrow(/maxLineLength/)
  })

  it('never throws on random bytes, however they are chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), chunks => {
        const { reads } = decodeAll(chunks)
        for (const read of reads) expect(read.bib).toMatch(/^[\x20-\x7e]+$/)
      })
    )
  })

  it('decodes the same reads whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[0-9A-Z]{1,12}$/), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 30 }),
        (bibs, cuts) => {
          const whole = bytes(bibs.map(b => `${b}\r\n`).join(''))
          const chunks: Uint8Array[] = []
          let at = 0
          for (let i = 0; at < whole.length; i += 1) {
            const size = cuts[i % cuts.length] as number
            chunks.push(whole.subarray(at, at + size))
            at += size
          }
          expect(decodeAll(chunks).reads.map(r => r.bib)).toEqual(bibs)
        }
      )
    )
  })
})
