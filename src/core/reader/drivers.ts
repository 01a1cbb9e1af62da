import type { DecoderContext } from './decoder'
import type { Protocol } from './protocols'
import { r2000Inventory } from './protocols/r2000'
import { RRBOX } from './protocols/rrbox'

/**
 * What the station says to a reader, per protocol: readers that talk unasked need nothing; the R2000 needs the
 * real-time inventory command on a cadence; the RR box is pulled (set the epoch, then fetch passings from the
 * index where the journal left off).
 */
export interface ReaderDriver {
  /** Commands to send right after the port opens. */
  onOpen(nowMs: number): Uint8Array[]
  /** Commands to send on each tick, given the decoder context the journal has committed. */
  onTick(context: DecoderContext, nowMs: number): Uint8Array[]
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
    case 'rrbox': {
      // Strictly one command at a time: one per tick, none while an answer is still arriving.
      let ticks = 0
      return {
        onOpen: () => [encoder.encode(RRBOX.ascii)],
        onTick: (context, nowMs) => {
          if (
            context['mode'] === 'passings' ||
            context['mode'] === 'passing-header' ||
            context['mode'] === 'epoch'
          )
            return []
          // No time base yet (a new connection, a lost answer, a restarted box): set it early in a second, so the
          // whole second it names is close to the moment the box takes it (a PTY carries no DTR edge).
          if (typeof context['epoch'] !== 'number') {
            return nowMs % 1000 < 300 ? [encoder.encode(RRBOX.epochRefSet(Math.floor(nowMs / 1000)))] : []
          }
          ticks += 1
          if (ticks % 20 === 1) return [encoder.encode(RRBOX.infoGet('08'))]
          const next = typeof context['nextIndex'] === 'number' ? context['nextIndex'] : 1
          return [encoder.encode(RRBOX.passingGet(next))]
        },
        tickMs: options.rrboxPollMs ?? 250,
        openDelayMs: options.rrboxOpenDelayMs ?? 3000
      }
    }
    case 'line':
    case 'timy':
    case 'chafon':
      return QUIET
  }
}
