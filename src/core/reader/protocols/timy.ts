import {
  dropRunawayLine,
  truncatedTail,
  joinBytes,
  keepTail,
  positionIn,
  type BadFrame,
  type DecodeResult,
  type Decoder,
  type DecoderState,
  type RawChunk,
  type Read,
  type ReaderStatus
} from '../decoder'
import { mapReaderTime, timeOfDayToUtcUs } from '../reader-clock'

export interface TimyOptions {
  /** `auto` checks the two checksum characters when a line has them (28 characters), `required` insists. */
  readonly checksum?: 'auto' | 'required' | 'none'
  /** The laptop's offset from UTC in minutes: the Timy keeps local time of day. */
  readonly utcOffsetMinutes?: number
}

const CR = 0x0d
const LF = 0x0a
const LINE =
  /^([ ?mcCdn])?(\d{0,4})\s*[cC](\d)(M)?\s+(\d{1,2}):(\d{2}):(\d{2})\.(\d{1,4})(?:\s+(\d{1,2}))?\s*$/

const CHECKED_LENGTH = 28

/** The last 28 characters of a line when they are a Timy line with a checksum that holds, else null. */
function checkedTail(line: string): string | null {
  const tail = line.slice(-CHECKED_LENGTH)
  const body = tail.slice(0, CHECKED_LENGTH - 2)
  return timyChecksum(body) === tail.slice(CHECKED_LENGTH - 2) && LINE.test(body) ? tail : null
}

/** The Timy's optional checksum: the sum of the first 26 characters mod 256, as 0x30 + each nibble. */
export function timyChecksum(body: string): string {
  let sum = 0
  for (let i = 0; i < body.length; i += 1) sum = (sum + body.charCodeAt(i)) & 0xff
  return String.fromCharCode(0x30 + (sum >> 4), 0x30 + (sum & 0x0f))
}

/**
 * ALGE Timy RS-232 lines: info character, bib (start number), channel, time of day to 1/10,000 s, CR-terminated,
 * with or without the checksum. The Timy's clock is mapped to the laptop's with the smallest delay seen.
 */
export function createTimyDecoder(options: TimyOptions = {}): Decoder {
  const checksum = options.checksum ?? 'auto'
  if (!['auto', 'required', 'none'].includes(checksum)) {
    throw new TypeError('timy decoder: "checksum" must be auto, required or none')
  }
  const text = new TextDecoder('latin1')
  return {
    protocol: 'timy',
    decode(state: DecoderState, chunk: RawChunk): DecodeResult {
      const buffer = joinBytes(state.pending, chunk.bytes)
      const reads: Read[] = []
      const badFrames: BadFrame[] = []
      const statuses: ReaderStatus[] = []
      let context = state.context
      let from = 0
      for (let end = buffer.indexOf(CR, from); end >= 0; end = buffer.indexOf(CR, from)) {
        // A Timy set to CR LF starts each line with the LF of the one before: the read begins after it.
        const start = buffer[from] === LF && from < end ? from + 1 : from
        let at = positionIn(state, chunk, start)
        let line = text.decode(buffer.subarray(start, end))
        from = end + 1
        if (line.trim() === '') continue
        const bad = (reason: string) =>
          badFrames.push({ reason, chunkId: at.chunkId, offset: at.offset, bytes: line.length })
        const checked = checksum !== 'none' && line.length > CHECKED_LENGTH ? checkedTail(line) : null
        if (checked !== null) {
          // Garbage, or a corrupt line that lost its CR, ran into a good line: keep the good line, report the rest.
          bad('garbage before a line')
          at = positionIn(state, chunk, end - CHECKED_LENGTH)
          line = checked
        }
        if (line.length === CHECKED_LENGTH && checksum !== 'none') {
          const body = line.slice(0, 26)
          if (timyChecksum(body) !== line.slice(26)) {
            bad('bad checksum')
            continue
          }
          line = body
        } else if (checksum === 'required') {
          bad('missing checksum')
          continue
        }
        const match = LINE.exec(line)
        if (!match) {
          bad('not a Timy line')
          continue
        }
        const info = match[1] ?? ' '
        if (info === 'c' || info === 'C') {
          statuses.push({ key: 'deletedImpulse', value: line.trim() })
          continue
        }
        const bibDigits = match[2] ?? ''
        const bib =
          info === '?' || bibDigits === '' || Number(bibDigits) === 0 ? null : String(Number(bibDigits))
        const fraction = (match[8] ?? '').padEnd(4, '0')
        const readerUs = timeOfDayToUtcUs(
          {
            hours: Number(match[5]),
            minutes: Number(match[6]),
            seconds: Number(match[7]),
            fractionUs: Number(fraction) * 100
          },
          at.atUs,
          options.utcOffsetMinutes ?? 0
        )
        const mapped = mapReaderTime(readerUs, at.atUs, context)
        context = mapped.context
        reads.push({
          chip: null,
          bib,
          timeUs: mapped.timeUs,
          chunkId: at.chunkId,
          offset: at.offset,
          antenna: Number(match[3]),
          clockOffsetMs: mapped.clockOffsetMs
        })
      }
      const runaway = buffer.length - from > 64
      from = dropRunawayLine(state, chunk, buffer, from, 64, badFrames)
      // Noise without a CR may end where a good line begins, whose end is still on the wire: keep the last 28
      // characters, so the line is read when its CR comes (the checksum finds it at the end, as above).
      if (runaway) from = Math.max(buffer.length - CHECKED_LENGTH, 0)
      return { state: keepTail(state, chunk, buffer, from, context), reads, badFrames, statuses }
    },
    finish: (state: DecoderState): DecodeResult => truncatedTail(state, 'line')
  }
}
