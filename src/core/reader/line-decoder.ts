import {
  EMPTY_STATE,
  type BadFrame,
  type DecodeResult,
  type Decoder,
  type DecoderState,
  type RawChunk,
  type Read
} from './decoder'

export type LineField = 'bib' | 'chip'

export interface LineDecoderOptions {
  /** What each line carries. */
  readonly field: LineField
  /** Longest line accepted; longer ones are garbage (a wrong baud rate, a binary reader). */
  readonly maxLineLength?: number
}

const CR = 0x0d
const LF = 0x0a
const PRINTABLE = /^[\x20-\x7e]+$/

/**
 * One bib or one chip per line, ended by CR, LF or CRLF (any of them; empty lines are dropped), as sent by
 * barcode scanners, keypads and simple readers.
 */
export function createLineDecoder(options: LineDecoderOptions): Decoder {
  if (options.field !== 'bib' && options.field !== 'chip') {
    throw new TypeError(`line decoder: "field" must be "bib" or "chip", not ${JSON.stringify(options.field)}`)
  }
  const maxLength = options.maxLineLength ?? 64
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new TypeError('line decoder: "maxLineLength" must be a positive integer')
  }
  const decoder = new TextDecoder('latin1')

  const lineToRead = (
    bytes: Uint8Array,
    chunkId: number,
    offset: number,
    timeUs: number
  ): Read | BadFrame | null => {
    const text = decoder.decode(bytes).trim()
    if (text === '') return null
    if (bytes.length > maxLength || !PRINTABLE.test(text)) {
      return {
        reason: bytes.length > maxLength ? 'line too long' : 'unprintable bytes',
        chunkId,
        offset,
        bytes: bytes.length
      }
    }
    return {
      chip: options.field === 'chip' ? text : null,
      bib: options.field === 'bib' ? text : null,
      timeUs,
      chunkId,
      offset
    }
  }

  return {
    protocol: 'line',
    decode(state: DecoderState, chunk: RawChunk): DecodeResult {
      const reads: Read[] = []
      const badFrames: BadFrame[] = []
      const emit = (found: Read | BadFrame | null) => {
        if (found === null) return
        if ('reason' in found) badFrames.push(found)
        else reads.push(found)
      }
      let pending = state.pending
      let start =
        pending.length > 0 ? state : { ...EMPTY_STATE, startChunkId: chunk.id, startAtUs: chunk.receivedAtUs }
      let lineBegin = 0
      for (let i = 0; i < chunk.bytes.length; i += 1) {
        const byte = chunk.bytes[i]
        if (byte !== CR && byte !== LF) continue
        const tail = chunk.bytes.subarray(lineBegin, i)
        const line = pending.length > 0 ? concat(pending, tail) : tail
        emit(lineToRead(line, start.startChunkId, start.startOffset, start.startAtUs))
        pending = new Uint8Array(0)
        lineBegin = i + 1
        start = {
          ...EMPTY_STATE,
          startChunkId: chunk.id,
          startOffset: lineBegin,
          startAtUs: chunk.receivedAtUs
        }
      }
      const rest = chunk.bytes.subarray(lineBegin)
      let nextPending = pending.length > 0 ? concat(pending, rest) : rest.slice()
      if (nextPending.length > maxLength) {
        // A runaway line with no end: report it once and drop it so memory stays bounded.
        badFrames.push({
          reason: 'line too long',
          chunkId: start.startChunkId,
          offset: start.startOffset,
          bytes: nextPending.length
        })
        nextPending = new Uint8Array(0)
      }
      const nextState = nextPending.length > 0 ? { ...start, pending: nextPending } : EMPTY_STATE
      return { state: nextState, reads, badFrames }
    },
    finish(state: DecoderState): DecodeResult {
      const badFrames: BadFrame[] =
        state.pending.length > 0
          ? [
              {
                reason: 'truncated line (connection ended)',
                chunkId: state.startChunkId,
                offset: state.startOffset,
                bytes: state.pending.length
              }
            ]
          : []
      return { state: EMPTY_STATE, reads: [], badFrames }
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}
