import {
  dropRunawayLine,
  truncatedTail,
  joinBytes,
  keepTail,
  positionIn,
  type BadFrame,
  type DecodeResult,
  type Decoder,
  type DecoderContext,
  type DecoderState,
  type RawChunk,
  type Read
} from './decoder'
import { mapReaderTime, timeOfDayToUtcUs } from './reader-clock'

export type LineField = 'bib' | 'chip'
export type LineDelimiter = 'cr' | 'lf' | 'crlf' | 'any'

export interface LineDecoderOptions {
  /** What a bare line carries (without a pattern). */
  readonly field: LineField
  /** How lines end; `any` splits on CR or LF and drops empty lines. */
  readonly delimiter?: LineDelimiter
  /**
   * A regular expression with named groups `bib`, `chip`, `time` (HH:MM:SS[.fff], the reader's local time of
   * day) and `antenna`; lines that do not match are bad frames.
   */
  readonly pattern?: string
  /** Longest line accepted; longer ones are garbage (a wrong baud rate, a binary reader). */
  readonly maxLineLength?: number
  /** The laptop's offset from UTC in minutes, for times of day in patterned lines. */
  readonly utcOffsetMinutes?: number
}

const CR = 0x0d
const LF = 0x0a
const PRINTABLE = /^[\x20-\x7e]+$/
const TIME_OF_DAY = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?$/

function validate(options: LineDecoderOptions): RegExp | null {
  if (options.field !== 'bib' && options.field !== 'chip') {
    throw new TypeError(`line decoder: "field" must be "bib" or "chip", not ${JSON.stringify(options.field)}`)
  }
  if (options.delimiter !== undefined && !['cr', 'lf', 'crlf', 'any'].includes(options.delimiter)) {
    throw new TypeError(
      `line decoder: "delimiter" must be cr, lf, crlf or any, not ${JSON.stringify(options.delimiter)}`
    )
  }
  const max = options.maxLineLength ?? 64
  if (!Number.isInteger(max) || max < 1) {
    throw new TypeError('line decoder: "maxLineLength" must be a positive integer')
  }
  if (options.pattern === undefined) return null
  let pattern: RegExp
  try {
    pattern = new RegExp(options.pattern)
  } catch (error) {
    throw new TypeError(
      `line decoder: "pattern" is not a valid regular expression: ${(error as Error).message}`,
      {
        cause: error
      }
    )
  }
  const groups = [...options.pattern.matchAll(/\(\?<([A-Za-z]+)>/g)].map(m => m[1])
  const unknown = groups.filter(g => !['bib', 'chip', 'time', 'antenna'].includes(g ?? ''))
  if (unknown.length > 0) {
    throw new TypeError(
      `line decoder: unknown named group(s) in "pattern": ${unknown.join(', ')} (use bib, chip, time, antenna)`
    )
  }
  if (!groups.includes('bib') && !groups.includes('chip')) {
    throw new TypeError('line decoder: "pattern" needs a named group bib or chip')
  }
  return pattern
}

/** Where lines end in `buffer` for the chosen delimiter: [end of content, start of next line]. */
function findEnd(buffer: Uint8Array, from: number, delimiter: LineDelimiter): [number, number] | null {
  for (let i = from; i < buffer.length; i += 1) {
    const byte = buffer[i]
    if (delimiter === 'any' && (byte === CR || byte === LF)) return [i, i + 1]
    if (delimiter === 'cr' && byte === CR) return [i, i + 1]
    if (delimiter === 'lf' && byte === LF) return [i, i + 1]
    if (delimiter === 'crlf' && byte === CR && i + 1 < buffer.length && buffer[i + 1] === LF) {
      return [i, i + 2]
    }
  }
  return null
}

/**
 * One read per line, for barcode scanners, keypads and simple readers: a bare bib or chip, or fields picked out by
 * a pattern. Lines end with CR, LF, CRLF or any of them.
 */
export function createLineDecoder(options: LineDecoderOptions): Decoder {
  const pattern = validate(options)
  const maxLength = options.maxLineLength ?? 64
  const delimiter = options.delimiter ?? 'any'
  const text = new TextDecoder('latin1')

  const parse = (
    line: string,
    at: { chunkId: number; offset: number; atUs: number },
    context: DecoderContext
  ): { read?: Read; bad?: string; context: DecoderContext } => {
    if (!PRINTABLE.test(line)) return { bad: 'unprintable bytes', context }
    if (!pattern) {
      const value = line.trim()
      return {
        read: {
          chip: options.field === 'chip' ? value : null,
          bib: options.field === 'bib' ? value : null,
          timeUs: at.atUs,
          chunkId: at.chunkId,
          offset: at.offset
        },
        context
      }
    }
    const match = pattern.exec(line)
    if (!match?.groups) return { bad: 'line does not match the pattern', context }
    const { bib, chip, time, antenna } = match.groups
    let timeUs = at.atUs
    let clockOffsetMs: number | undefined
    let next = context
    if (time !== undefined) {
      const parts = TIME_OF_DAY.exec(time)
      if (!parts) return { bad: 'time is not HH:MM:SS[.fff]', context }
      const fraction = (parts[4] ?? '').padEnd(6, '0')
      const readerUs = timeOfDayToUtcUs(
        {
          hours: Number(parts[1]),
          minutes: Number(parts[2]),
          seconds: Number(parts[3]),
          fractionUs: Number(fraction)
        },
        at.atUs,
        options.utcOffsetMinutes ?? 0
      )
      const mapped = mapReaderTime(readerUs, at.atUs, context)
      timeUs = mapped.timeUs
      clockOffsetMs = mapped.clockOffsetMs
      next = mapped.context
    }
    const read: Read = {
      chip: chip?.trim() || null,
      bib: bib?.trim() || null,
      timeUs,
      chunkId: at.chunkId,
      offset: at.offset,
      ...(antenna !== undefined && /^\d+$/.test(antenna) ? { antenna: Number(antenna) } : {}),
      ...(clockOffsetMs !== undefined ? { clockOffsetMs } : {})
    }
    return { read, context: next }
  }

  return {
    protocol: 'line',
    decode(state: DecoderState, chunk: RawChunk): DecodeResult {
      const buffer = joinBytes(state.pending, chunk.bytes)
      const reads: Read[] = []
      const badFrames: BadFrame[] = []
      let context = state.context
      let from = 0
      for (let end = findEnd(buffer, from, delimiter); end; end = findEnd(buffer, from, delimiter)) {
        const [contentEnd, next] = end
        const at = positionIn(state, chunk, from)
        const length = contentEnd - from
        if (length > maxLength) {
          badFrames.push({ reason: 'line too long', chunkId: at.chunkId, offset: at.offset, bytes: length })
        } else {
          const line = text.decode(buffer.subarray(from, contentEnd))
          if (line.trim() !== '') {
            const parsed = parse(line, at, context)
            context = parsed.context
            if (parsed.read) reads.push(parsed.read)
            if (parsed.bad) {
              badFrames.push({ reason: parsed.bad, chunkId: at.chunkId, offset: at.offset, bytes: length })
            }
          }
        }
        from = next
      }
      from = dropRunawayLine(state, chunk, buffer, from, maxLength, badFrames)
      return { state: keepTail(state, chunk, buffer, from, context), reads, badFrames }
    },
    finish: (state: DecoderState): DecodeResult => truncatedTail(state, 'line')
  }
}
