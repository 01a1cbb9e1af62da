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

/** CRC-16 with the reflected polynomial 0x8408 and preset 0xFFFF, as Chafon readers compute it. */
export function chafonCrc(bytes: Uint8Array): number {
  let crc = 0xffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1
  }
  return crc & 0xffff
}

/** A frame `Len Adr Cmd [Status] Data CRC-LSB CRC-MSB`, Len counting the bytes after itself. */
export function chafonFrame(address: number, command: number, payload: readonly number[]): Uint8Array {
  const body = Uint8Array.from([payload.length + 4, address, command, ...payload])
  const crc = chafonCrc(body)
  return Uint8Array.from([...body, crc & 0xff, crc >> 8])
}

export const CHAFON_CMD = { inventory: 0x01, readerInfo: 0x21 } as const
const STATUS_WITH_TAGS = new Set([0x01, 0x02, 0x03, 0x04])
const MIN_FRAME = 5
const MAX_FRAME = 255

/** A frame at `start`: its length byte in range and its CRC right, or garbage, or not all there yet. */
function checkChafonFrame(buffer: Uint8Array, start: number): FrameCheck {
  const length = buffer[start] as number
  if (length + 1 < MIN_FRAME || length + 1 > MAX_FRAME) return 'garbage'
  const end = start + length + 1
  if (end > buffer.length) return 'incomplete'
  const crc = (buffer[end - 2] as number) | ((buffer[end - 1] as number) << 8)
  return chafonCrc(buffer.subarray(start, end - 2)) === crc ? { end } : 'garbage'
}

/**
 * A checked frame whose content also parses (reader info, an inventory answer whose tag list fills it exactly):
 * the only kind worth giving up an incomplete candidate for. Bytes inside a real frame split across writes (an EPC)
 * can pass a CRC by chance; taking them for a frame threw away the real one when its last bytes came.
 */
function checkSoundChafonFrame(buffer: Uint8Array, start: number): FrameCheck {
  const found = checkChafonFrame(buffer, start)
  if (typeof found !== 'object') return found
  const command = buffer[start + 2] as number
  const status = buffer[start + 3] as number
  if (command === CHAFON_CMD.readerInfo) return found
  if (command !== CHAFON_CMD.inventory) return 'garbage'
  if (!STATUS_WITH_TAGS.has(status)) return found
  const crcAt = found.end - 2
  let p = start + 6
  for (let t = 0; t < (buffer[start + 5] as number); t += 1) {
    const epcLength = buffer[p] as number
    if (epcLength === 0) return 'garbage'
    p += epcLength + 2
  }
  return p === crcAt ? found : 'garbage'
}

/**
 * Chafon UHFReader18/288 frames (CRC-16). Inventory answers carry an antenna bit mask and a list of
 * (EPC length, EPC, RSSI). The frame has no header byte, so after garbage the decoder tries each byte as a length
 * until a checksum holds, and a length that reaches past the bytes received is waited for only when no checked frame
 * follows in them.
 */
export function createChafonDecoder(): Decoder {
  return {
    protocol: 'chafon',
    decode(state: DecoderState, chunk: RawChunk): DecodeResult {
      const buffer = joinBytes(state.pending, chunk.bytes)
      const reads: Read[] = []
      const badFrames: BadFrame[] = []
      const statuses: ReaderStatus[] = []
      let i = 0
      const garbage = new GarbageRun(state, chunk, badFrames, 'bad checksum or garbage')
      while (i < buffer.length) {
        const found = checkChafonFrame(buffer, i)
        if (found === 'incomplete') {
          const next = nextCheckedFrame(buffer, i, checkSoundChafonFrame)
          if (next < 0) break
          garbage.skip(i)
          i = next
          continue
        }
        if (typeof found !== 'object') {
          garbage.skip(i)
          i += 1
          continue
        }
        const end = found.end
        const frame = buffer.subarray(i, end)
        garbage.close(i)
        const at = positionIn(state, chunk, i)
        const command = frame[2] as number
        const status = frame[3] as number
        const readsBefore = reads.length
        let sound = true
        if (command === CHAFON_CMD.inventory) {
          if (STATUS_WITH_TAGS.has(status) && frame.length >= 8) {
            const antennaMask = frame[4] as number
            const antenna = antennaMask === 0 ? undefined : Math.log2(antennaMask & -antennaMask) + 1
            const count = frame[5] as number
            let p = 6
            for (let t = 0; t < count; t += 1) {
              const epcLength = frame[p] as number
              if (p + 1 + epcLength + 1 > frame.length - 2 || epcLength === 0) {
                badFrames.push({
                  reason: 'wrong length',
                  chunkId: at.chunkId,
                  offset: at.offset,
                  bytes: frame.length
                })
                reads.length = readsBefore
                sound = false
                break
              }
              const epc = frame.subarray(p + 1, p + 1 + epcLength)
              const rssi = frame[p + 1 + epcLength] as number
              reads.push({
                chip: hex(epc),
                bib: null,
                timeUs: at.atUs,
                chunkId: at.chunkId,
                offset: at.offset + t,
                rssi,
                ...(antenna ? { antenna } : {})
              })
              p += epcLength + 2
            }
          } else {
            statuses.push({
              key: 'inventory',
              value: status === 0xfb ? 'no tag' : `status 0x${status.toString(16)}`
            })
          }
        } else if (command === CHAFON_CMD.readerInfo) {
          statuses.push({ key: 'readerInfo', value: hex(frame.subarray(4, frame.length - 2)) })
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
