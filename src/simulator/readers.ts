import { chafonFrame, CHAFON_CMD } from '../core/reader/protocols/chafon'
import { lrc, R2000_CMD, R2000_HEAD, r2000Frame } from '../core/reader/protocols/r2000'
import { timyChecksum } from '../core/reader/protocols/timy'
import type { SimulatedRead } from './traffic'

/**
 * The reader's side of a protocol. Push readers put each read on the wire at once; pull readers keep reads until
 * the station asks (R2000 inventory rounds, the RR box's memory, which survives a pulled cable).
 */
export interface SimulatedReader {
  readonly protocol: string
  /** Reads a crossing produces (a keypad or scanner: one; a UHF reader: several). */
  readonly readsPerCrossing: number
  /** Bytes to send now for a read (push), or null if it is kept for a command (pull). */
  onRead(read: SimulatedRead, nowMs: number): Uint8Array | null
  /** Answers to what the station sent. */
  onBytes(bytes: Uint8Array, nowMs: number): Uint8Array[]
  /** Bytes that do not parse, for the noise option. */
  garbage(random: () => number): Uint8Array
}

const encoder = new TextEncoder()
const randomBytes = (random: () => number) =>
  Uint8Array.from({ length: 3 + Math.floor(random() * 20) }, () => Math.floor(random() * 256))

/** A chip code for a runner: 12 bytes, the runner number in the last digits (as printed on tags). */
export function chipOf(runner: number): string {
  return `E2000017${String(runner).padStart(16, '0')}`
}

function chipBytes(runner: number): number[] {
  const text = chipOf(runner)
  return Array.from({ length: text.length / 2 }, (_, i) => parseInt(text.slice(i * 2, i * 2 + 2), 16))
}

const lineReader = (): SimulatedReader => ({
  protocol: 'line',
  readsPerCrossing: 1,
  onRead: read => encoder.encode(`${read.runner}\r\n`),
  onBytes: () => [],
  garbage: randomBytes
})

function timeOfDay(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const tenThousandths = Math.floor((ms % 1000) * 10)
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(tenThousandths, 4)}`
}

const timyReader = (checksum: boolean): SimulatedReader => ({
  protocol: 'timy',
  readsPerCrossing: 1,
  onRead: (read, nowMs) => {
    const body = ` ${String(read.runner % 10000).padStart(4, '0')} C1 ${timeOfDay(nowMs)} 00 `
    return encoder.encode(`${checksum ? body + timyChecksum(body) : body}\r`)
  },
  onBytes: () => [],
  garbage: randomBytes
})

const chafonReader = (): SimulatedReader => ({
  protocol: 'chafon',
  readsPerCrossing: 4,
  onRead: read => {
    const epc = chipBytes(read.runner)
    return chafonFrame(0x00, CHAFON_CMD.inventory, [
      0x03,
      1 << (read.antenna - 1),
      1,
      epc.length,
      ...epc,
      Math.max(0, Math.min(255, read.rssi + 180))
    ])
  },
  onBytes: bytes =>
    bytes.length >= 3 && bytes[2] === CHAFON_CMD.readerInfo
      ? [chafonFrame(0x00, CHAFON_CMD.readerInfo, [0x00, 0x02, 0x28, 0x0d, 0x01])]
      : [],
  garbage: randomBytes
})

function r2000Reader(): SimulatedReader {
  const waiting: SimulatedRead[] = []
  let total = 0
  return {
    protocol: 'r2000',
    readsPerCrossing: 4,
    onRead: read => {
      waiting.push(read)
      return null
    },
    onBytes: bytes => {
      const answers: Uint8Array[] = []
      for (let i = 0; i + 5 <= bytes.length; i += 1) {
        if (bytes[i] !== R2000_HEAD) continue
        const length = bytes[i + 1] as number
        const frame = bytes.subarray(i, i + 2 + length)
        if (
          frame.length < 2 + length ||
          lrc(frame.subarray(0, frame.length - 1)) !== frame[frame.length - 1]
        ) {
          continue
        }
        const command = frame[3]
        if (command === R2000_CMD.getFirmwareVersion) {
          answers.push(r2000Frame(0x01, R2000_CMD.getFirmwareVersion, [0x01, 0x08]))
        }
        if (command === R2000_CMD.realTimeInventory) {
          // One inventory round: the tags seen since the last round, then the round's read rate.
          const round = waiting.splice(0)
          for (const read of round) {
            const epc = chipBytes(read.runner)
            const pc = (epc.length / 2) << 11
            answers.push(
              r2000Frame(0x01, R2000_CMD.realTimeInventory, [
                (7 << 2) | (read.antenna - 1),
                pc >> 8,
                pc & 0xff,
                ...epc,
                read.rssi + 129
              ])
            )
          }
          total += round.length
          const rate = round.length * 20
          answers.push(
            r2000Frame(0x01, R2000_CMD.realTimeInventory, [
              0x00,
              rate >> 8,
              rate & 0xff,
              (total >>> 24) & 0xff,
              (total >>> 16) & 0xff,
              (total >>> 8) & 0xff,
              total & 0xff
            ])
          )
        }
        i += 1 + length
      }
      return answers
    },
    garbage: randomBytes
  }
}

export interface RrBoxOptions {
  /** The index of the first passing the box holds (a box whose older passings were cleared). */
  readonly firstIndex?: number
  /** Send each passing as it happens (`#P;` lines), as a box with push mode on does. */
  readonly push?: boolean
}

/**
 * The RR USB Timing Box, framed as the reference describes a real box: every answer is a status line
 * `<COMMAND>;<status>`, body lines with the values, and an empty line. Passings are stored in its memory with an
 * index and fetched by the station; its clock counts 1/256 s ticks from power-on, whatever happens to the cable.
 */
export function rrBoxReader(
  options: RrBoxOptions = {}
): SimulatedReader & { readonly stored: number; readonly epochLatenessMs: readonly number[] } {
  const epochLatenessMs: number[] = []
  const firstIndex = options.firstIndex ?? 1
  const memory: Array<{ chip: string; ticks: number; hits: number; rssi: number; loop: number }> = []
  let epoch: number | null = null
  const poweredOnMs = Date.now()
  const ticksAt = (ms: number) => 0x1000 + Math.round(((ms - poweredOnMs) * 256) / 1000)
  let text = ''
  const hex = (n: number, width = 8) => n.toString(16).padStart(width, '0')
  const passingLine = (p: (typeof memory)[number]) =>
    `${p.chip};0718;${hex(p.ticks)};${hex(p.hits, 2)};${p.rssi.toString(16)};1a;0;1;${p.loop};2;00;0`
  const answer = (command: string, status: string, body: readonly string[] = []) =>
    `${command};${status}\n${body.map(line => `${line}\n`).join('')}\n`
  return {
    protocol: 'rrbox',
    readsPerCrossing: 1,
    get stored() {
      return memory.length
    },
    epochLatenessMs,
    onRead: (read, nowMs) => {
      const passing = {
        chip: `RR${String(read.runner).padStart(5, '0')}`,
        ticks: ticksAt(nowMs),
        hits: 6 + (read.runner % 5),
        rssi: 0x9f,
        loop: (read.antenna - 1) % 8
      }
      memory.push(passing)
      return options.push ? encoder.encode(`#P;${passingLine(passing)}\n`) : null
    },
    onBytes: (bytes, nowMs) => {
      text += new TextDecoder('latin1').decode(bytes)
      const answers: string[] = []
      let newline = text.indexOf('\n')
      while (newline >= 0) {
        const command = text.slice(0, newline).trim()
        text = text.slice(newline + 1)
        newline = text.indexOf('\n')
        const [name, arg] = command.split(';')
        if (name === 'ASCII') answers.push(answer('ASCII', '00'))
        else if (name === 'EPOCHREFSET' && arg) {
          // A real box takes its reference at the DTR edge the host gives at the top of second `epoch`. A PTY
          // carries no DTR, so the simulated box takes the edge where the host puts it, at the top of that second,
          // and notes how late the command itself came (the host must send it at that second, not later).
          epoch = parseInt(arg, 16)
          epochLatenessMs.push(nowMs - epoch * 1000)
          answers.push(answer('EPOCHREFSET', '00', [`${hex(epoch)};${hex(ticksAt(epoch * 1000))}`]))
        } else if (name === 'TIMESTAMPGET') {
          answers.push(answer('TIMESTAMPGET', '00', [hex(ticksAt(nowMs))]))
        } else if (name === 'PASSINGGET' && arg) {
          const from = parseInt(arg, 16)
          if (Number.isNaN(from) || from < firstIndex) {
            answers.push(
              answer('PASSINGGET', '10', [`${hex(Number.isNaN(from) ? 0 : from)};${hex(firstIndex)}`])
            )
            continue
          }
          const slice = memory.slice(from - firstIndex, from - firstIndex + 100)
          answers.push(
            answer('PASSINGGET', '00', [`${hex(from)};${hex(slice.length)}`, ...slice.map(passingLine)])
          )
        } else if (name === 'INFOGET' && arg) {
          answers.push(answer('INFOGET', '00', [`${arg};${arg === '08' ? '87' : '0'}`]))
        } else if (name) {
          answers.push(answer(name, '01'))
        }
      }
      return answers.map(a => encoder.encode(a))
    },
    garbage: randomBytes
  }
}

export const SIMULATED_READERS: Record<string, () => SimulatedReader> = {
  line: lineReader,
  timy: () => timyReader(true),
  chafon: chafonReader,
  r2000: r2000Reader,
  rrbox: () => rrBoxReader()
}
