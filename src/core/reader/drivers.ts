import type { DecoderContext } from './decoder'
import type { Protocol } from './protocols'
import { r2000Inventory } from './protocols/r2000'
import { RRBOX } from './protocols/rrbox'

/**
 * What the station says to a reader, per protocol: readers that talk unasked need nothing; the R2000 needs the
 * real-time inventory command on a cadence; the RR box is pulled (set the epoch, then fetch passings from the
 * index where the journal left off).
 */
/**
 * Bytes to send now, or a command for the top of a second with a DTR pulse (the RR box's epoch): `bytesAt` gives
 * the bytes for a second, so a command that would go out late can be moved to the next second instead.
 */
export type DriverCommand =
  | Uint8Array
  | { readonly atMs: number; readonly bytesAt: (atMs: number) => Uint8Array; readonly pulseDtr: true }

export interface ReaderDriver {
  /** Commands to send right after the port opens. */
  onOpen(nowMs: number): DriverCommand[]
  /** Commands to send on each tick, given the decoder context the journal has committed. */
  onTick(context: DecoderContext, nowMs: number): DriverCommand[]
  readonly tickMs: number | null
  /** Time to wait after opening before the first command (the RR box wants 3 s). */
  readonly openDelayMs: number
}

const encoder = new TextEncoder()

const QUIET: ReaderDriver = { onOpen: () => [], onTick: () => [], tickMs: null, openDelayMs: 0 }

export interface DriverOptions {
  /** R2000: inventory rounds per command, and how often to send it. */
  readonly r2000Repeat?: number
  readonly r2000IntervalMs?: number
  /** RR box: how often to ask for new passings, and the wait after opening (3 s on real boxes). */
  readonly rrboxPollMs?: number
  readonly rrboxOpenDelayMs?: number
}

export function createDriver(protocol: Protocol, options: DriverOptions = {}): ReaderDriver {
  switch (protocol) {
    case 'r2000': {
      const command = r2000Inventory(0xff, options.r2000Repeat ?? 1)
      return {
        onOpen: () => [command],
        onTick: () => [command],
        tickMs: options.r2000IntervalMs ?? 50,
        openDelayMs: 0
      }
    }
    case 'rrbox':
      return rrBoxDriver(options)
    case 'line':
    case 'timy':
    case 'chafon':
      return QUIET
  }
}

/** The box is asked again after this long without the end of an answer (an empty line lost on the wire). */
const RRBOX_ANSWER_TIMEOUT_MS = 2000

/**
 * The RR box is pulled, strictly one command at a time: set the epoch at the top of a second (the box takes its
 * tick reference at the DTR pulse that goes with it, or on a line without DTR when the command arrives), then
 * fetch passings from `nextIndex`, with the battery level and a clock check now and then.
 */
function rrBoxDriver(options: DriverOptions): ReaderDriver {
  let ticks = 0
  let sentMs = -Infinity
  let answersAtSend = -1
  const answers = (context: DecoderContext) =>
    typeof context['answers'] === 'number' ? context['answers'] : 0
  const send = (context: DecoderContext, command: DriverCommand, atMs: number): DriverCommand[] => {
    sentMs = atMs
    answersAtSend = answers(context)
    return [command]
  }
  return {
    onOpen: nowMs => {
      // A new connection: whatever was asked on the last one will not be answered.
      sentMs = nowMs
      answersAtSend = -1
      return [encoder.encode(RRBOX.ascii)]
    },
    onTick: (context, nowMs) => {
      // One command at a time: wait for the answer to the last one (its empty line), or give up on it after a while.
      const waiting =
        answers(context) === answersAtSend || context['mode'] === 'body' || context['mode'] === 'skip'
      if (waiting && nowMs - sentMs < RRBOX_ANSWER_TIMEOUT_MS) return []
      if (typeof context['epoch'] !== 'number') {
        // No time base yet (a new connection, a lost answer, a restarted box): the epoch command, at the next second.
        const second = Math.ceil(nowMs / 1000)
        const command = {
          atMs: second * 1000,
          bytesAt: (atMs: number) => encoder.encode(RRBOX.epochRefSet(Math.round(atMs / 1000))),
          pulseDtr: true as const
        }
        return send(context, command, second * 1000)
      }
      ticks += 1
      const text =
        ticks % 20 === 1
          ? RRBOX.timestampGet
          : ticks % 20 === 2
            ? RRBOX.infoGet('08')
            : RRBOX.passingGet(typeof context['nextIndex'] === 'number' ? context['nextIndex'] : 1)
      return send(context, encoder.encode(text), nowMs)
    },
    tickMs: options.rrboxPollMs ?? 250,
    openDelayMs: options.rrboxOpenDelayMs ?? 3000
  }
}
