import {
  GarbageRun,
  nextCheckedFrame,
  truncatedTail,
  hex,
  joinBytes,
  keepTail,
  positionIn,
  type BadFrame,
  type DecodeResult,
  type Decoder,
  type DecoderState,
  type FrameCheck,
  type RawChunk,
  type Read,
  type ReaderStatus
} from '../decoder'

export const R2000_HEAD = 0xa0
export const R2000_CMD = {
  realTimeInventory: 0x89,
  fastSwitchInventory: 0x8a,
  getFirmwareVersion: 0x72,
  getTemperature: 0x7b,
  setWorkAntenna: 0x74
} as const

const KNOWN_RESPONSES = new Set<number>([
  0x72, 0x74, 0x76, 0x77, 0x7b, 0x62, 0x63, 0x7e, 0x71, 0x80, 0x8b, 0x90, 0x91, 0x92, 0x93
])

export const R2000_ERRORS: Record<number, string> = {
  0x10: 'success',
  0x22: 'antenna missing',
  0x36: 'no tag',
  0x38: 'buffer empty'
}

/** LRC: the two's complement of the 8-bit sum, so a whole frame sums to 0 mod 256. */
export function lrc(bytes: Uint8Array): number {
  let sum = 0
  for (const byte of bytes) sum = (sum + byte) & 0xff
  return (0x100 - sum) & 0xff
}

/** A host command frame: `A0 Len Addr Cmd Data… Check`. */
export function r2000Frame(address: number, command: number, data: readonly number[] = []): Uint8Array {
  const body = Uint8Array.from([R2000_HEAD, data.length + 3, address, command, ...data])
  return Uint8Array.from([...body, lrc(body)])
}

/** The real-time inventory command the station sends on its own cadence (`repeat` rounds per command). */
export function r2000Inventory(address = 0xff, repeat = 1): Uint8Array {
  return r2000Frame(address, R2000_CMD.realTimeInventory, [repeat])
}

/** A frame at `start`: header, a plausible length and a summing LRC; or garbage, a bad checksum, too few bytes. */
function checkR2000Frame(buffer: Uint8Array, start: number): FrameCheck {
  if (buffer[start] !== R2000_HEAD) return 'garbage'
  if (start + 1 >= buffer.length) return 'incomplete'
  const length = buffer[start + 1] as number
  // No R2000 frame is longer than this; a bigger "length" is garbage that happens to follow 0xA0.
  if (length < 3 || length > 80) return 'garbage'
  const end = start + 2 + length
  if (end > buffer.length) return 'incomplete'
  return lrc(buffer.subarray(start, end - 1)) === buffer[end - 1] ? { end } : 'bad checksum'
}

export interface R2000Options {
  /** Answers from other addresses are ignored (0xFF: accept any). */
  readonly address?: number
}

/**
 * Impinj R2000 module frames (0xA0 header, LRC). Tag reports carry antenna, EPC and RSSI (byte − 129 dBm);
 * end-of-round frames the read rate; short frames an error code. Garbage is skipped byte by byte until a frame
 * with a valid checksum starts.
 */
export function createR2000Decoder(options: R2000Options = {}): Decoder {
  const address = options.address ?? 0xff
  if (!Number.isInteger(address) || address < 0 || address > 0xff) {
    throw new TypeError('r2000 decoder: "address" must be 0–255')
  }
  return {
    protocol: 'r2000',
    decode(state: DecoderState, chunk: RawChunk): DecodeResult {
      const buffer = joinBytes(state.pending, chunk.bytes)
      const reads: Read[] = []
      const badFrames: BadFrame[] = []
      const statuses: ReaderStatus[] = []
      let i = 0
      const garbage = new GarbageRun(state, chunk, badFrames, 'garbage before a frame')
      while (i < buffer.length) {
        const found = checkR2000Frame(buffer, i)
        if (found === 'incomplete') {
          const next = nextCheckedFrame(buffer, i, checkR2000Frame)
          if (next < 0) break
          garbage.skip(i)
          i = next
          continue
        }
        if (found === 'garbage') {
          garbage.skip(i)
          i += 1
          continue
        }
        if (found === 'bad checksum') {
          garbage.close(i)
          const at = positionIn(state, chunk, i)
          badFrames.push({
            reason: 'bad checksum',
            chunkId: at.chunkId,
            offset: at.offset,
            bytes: 2 + (buffer[i + 1] as number)
          })
          i += 1
          continue
        }
        const end = found.end
        const length = end - i - 2
        const frame = buffer.subarray(i, end)
        garbage.close(i)
        const at = positionIn(state, chunk, i)
        const frameAddress = frame[2] as number
        const command = frame[3] as number
        const data = frame.subarray(4, frame.length - 1)
        let sound = true
        if (address !== 0xff && frameAddress !== address) {
          i = end
          continue
        }
        if (command === R2000_CMD.realTimeInventory || command === R2000_CMD.fastSwitchInventory) {
          if (length === 0x04) {
            const code = data[0] as number
            statuses.push({ key: 'error', value: R2000_ERRORS[code] ?? `error 0x${code.toString(16)}` })
          } else if (length === 0x0a) {
            statuses.push({ key: 'readRate', value: ((data[1] as number) << 8) | (data[2] as number) })
            statuses.push({
              key: 'totalReads',
              value:
                (((data[3] as number) << 24) |
                  ((data[4] as number) << 16) |
                  ((data[5] as number) << 8) |
                  (data[6] as number)) >>>
                0
            })
          } else {
            const freqAnt = data[0] as number
            const pc = ((data[1] as number) << 8) | (data[2] as number)
            const epcLength = ((pc & 0xf800) >> 10) & 0x3e
            const epc = data.subarray(3, data.length - 1)
            if (epc.length !== epcLength || epcLength === 0) {
              badFrames.push({
                reason: 'wrong length',
                chunkId: at.chunkId,
                offset: at.offset,
                bytes: frame.length
              })
              sound = false
            } else {
              reads.push({
                chip: hex(epc),
                bib: null,
                timeUs: at.atUs,
                chunkId: at.chunkId,
                offset: at.offset,
                antenna: (freqAnt & 0x03) + 1,
                rssi: (data[data.length - 1] as number) - 129
              })
            }
          }
        } else if (command === R2000_CMD.getFirmwareVersion && data.length >= 2) {
          statuses.push({ key: 'firmware', value: `${data[0]}.${data[1]}` })
        } else if (KNOWN_RESPONSES.has(command)) {
          statuses.push({ key: `answer 0x${command.toString(16).padStart(2, '0')}`, value: hex(data) })
        } else {
          badFrames.push({
            reason: `unknown command 0x${command.toString(16).padStart(2, '0')}`,
            chunkId: at.chunkId,
            offset: at.offset,
            bytes: frame.length
          })
          sound = false
        }
        // A checksum that holds over content that does not parse is more likely noise that happened to sum right
        // than a frame: look for frames inside it rather than skip what may be good frames.
        i = sound ? end : i + 1
      }
      garbage.close(i)
      return { state: keepTail(state, chunk, buffer, i, state.context), reads, badFrames, statuses }
    },
    finish: (state: DecoderState): DecodeResult => truncatedTail(state, 'frame')
  }
}
