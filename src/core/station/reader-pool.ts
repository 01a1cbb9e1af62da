import type { StationEvent } from '../../shared/events'
import type { StationMessage } from '../../shared/messages'
import type { DecodeOutcome } from '../journal/journal'
import { NotPossible } from '../not-possible'
import { BadFrameSampler } from '../reader/bad-frame-sampler'
import type { Decoder } from '../reader/decoder'
import { createLineDecoder, type LineField } from '../reader/line-decoder'
import { createDecoder, type ProtocolOptions } from '../reader/protocols'
import type { ReaderHealthSnapshot, ReaderState } from '../reader/reader-health'
import {
  ReaderConnection,
  type ByteSourceFactory,
  type ReaderConfig,
  type ReaderSink
} from '../serial/reader-connection'

/** How often a flood of bad frames gets its totals reported once it has stopped (ms). */
const BAD_FRAME_FLUSH_MS = 250
/** A reader clock this far from the laptop's (ms) is warned about, once per reader. */
const READER_CLOCK_WARNING_MS = 1000

export interface ReaderPoolOptions {
  /** What a line of the line protocol carries. */
  readonly lineField?: LineField
  /** The decoder of a port no reader was added for (input fed straight to the station; tests). */
  readonly decoderFor?: (port: string) => Decoder
  /** The journal's connection counter: the next number, stored before it is used. */
  readonly nextConnectionNumber: () => number
  /** Bad frames the journal has counted for a port since it was first seen. */
  readonly badFrameCount: (port: string) => { count: number; lastReason: string | null }
  /** Where a reader's bytes and questions go (the station's capture). */
  readonly sink: Omit<ReaderSink, 'readerState' | 'nextConnection'>
  readonly nowUs: () => number
  readonly emit: (event: StationEvent) => void
}

/**
 * The serial readers feeding the station: their connections and decoders, each port's connection number, and
 * what a committed batch says about them (reads and statuses for their health, bad frames sampled for the log,
 * a reader clock far from the laptop's).
 */
export class ReaderPool {
  readonly #o: ReaderPoolOptions
  readonly #readers = new Map<string, ReaderConnection>()
  readonly #decoders = new Map<string, Decoder>()
  readonly #connections = new Map<string, number>()
  readonly #badFrames = new BadFrameSampler()
  #badFrameTimer: NodeJS.Timeout | null = null
  readonly #clockWarned = new Set<string>()
  #closed = false

  constructor(options: ReaderPoolOptions) {
    this.#o = options
  }

  /** Starts reading a serial reader; several readers can feed the same session. */
  add(config: ReaderConfig, openSource?: ByteSourceFactory): ReaderConnection {
    if (this.#readers.has(config.id)) {
      throw new NotPossible({ code: 'reader.already-running', params: { id: config.id } })
    }
    this.#decoders.set(
      config.id,
      createDecoder(config.protocol, this.protocolOptions(config.protocolOptions))
    )
    const sink: ReaderSink = {
      ...this.#o.sink,
      nextConnection: id => this.nextConnection(id),
      readerState: (id, state, message) => this.#readerState(id, state, message)
    }
    const connection = new ReaderConnection(config, sink, {
      nowUs: this.#o.nowUs,
      ...(openSource ? { openSource } : {})
    })
    this.#readers.set(config.id, connection)
    connection.start()
    return connection
  }

  async remove(id: string): Promise<void> {
    const connection = this.#readers.get(id)
    this.#readers.delete(id)
    await connection?.stop()
  }

  /** Stops every reader and the bad-frame reports. */
  async close(): Promise<void> {
    this.#closed = true
    await Promise.all([...this.#readers.keys()].map(id => this.remove(id)))
    if (this.#badFrameTimer) clearTimeout(this.#badFrameTimer)
  }

  health(): ReaderHealthSnapshot[] {
    return [...this.#readers.values()].map(reader => {
      const snapshot = reader.health.snapshot()
      const bad = this.#o.badFrameCount(snapshot.id)
      return { ...snapshot, decodeErrors: bad.count, lastDecodeError: bad.lastReason }
    })
  }

  /** A new connection number for a port (each open of a port starts a new byte stream). */
  nextConnection(port: string): number {
    const next = this.#o.nextConnectionNumber()
    this.#connections.set(port, next)
    return next
  }

  /** The port's current connection number, a new one for a port seen for the first time. */
  connectionOf(port: string): number {
    return this.#connections.get(port) ?? this.nextConnection(port)
  }

  decoderFor(port: string): Decoder {
    let decoder = this.#decoders.get(port)
    if (!decoder) {
      decoder = this.#o.decoderFor?.(port) ?? createLineDecoder({ field: this.#o.lineField ?? 'bib' })
      this.#decoders.set(port, decoder)
    }
    return decoder
  }

  /** The station's protocol options: the line field asked for, and the laptop's zone for reader clocks. */
  protocolOptions(options: ProtocolOptions = {}): ProtocolOptions {
    // Reader clocks keep local time of day; the laptop's zone turns it into UTC.
    const utcOffsetMinutes = -new Date().getTimezoneOffset()
    return {
      ...options,
      line: { field: this.#o.lineField ?? 'bib', utcOffsetMinutes, ...options.line },
      timy: { utcOffsetMinutes, ...options.timy }
    }
  }

  /** What a committed batch says about the readers. */
  committed(batch: Pick<DecodeOutcome, 'badFrames' | 'reads' | 'statuses'>): void {
    this.#reportBadFrames(batch.badFrames)
    for (const { port, read } of batch.reads) this.#readers.get(port)?.health.reads(1, read.clockOffsetMs)
    for (const status of batch.statuses) this.#readers.get(status.port)?.health.status(status)
    this.#warnReaderClocks(batch.reads)
  }

  #readerState(id: string, state: ReaderState, message: StationMessage | null): void {
    this.#o.emit({ type: 'reader', port: id, state, ...(message ?? { code: null, params: null }) })
  }

  /** Every bad frame is counted; a few a second per port are reported, and the flood's totals when it ends. */
  #reportBadFrames(badFrames: DecodeOutcome['badFrames']): void {
    const nowMs = this.#o.nowUs() / 1000
    for (const bad of badFrames) {
      const report = this.#badFrames.offer(bad.port, bad.reason, nowMs)
      if (report) this.#o.emit({ type: 'bad-frame', ...report })
    }
    if (this.#badFrames.hasUnreported && !this.#badFrameTimer && !this.#closed) {
      this.#badFrameTimer = setTimeout(() => {
        this.#badFrameTimer = null
        for (const report of this.#badFrames.due(this.#o.nowUs() / 1000)) {
          this.#o.emit({ type: 'bad-frame', ...report })
        }
        if (this.#badFrames.hasUnreported) this.#reportBadFrames([])
      }, BAD_FRAME_FLUSH_MS)
      this.#badFrameTimer.unref()
    }
  }

  /** A reader clock far from the laptop's is shown, and warned about once per reader. */
  #warnReaderClocks(reads: DecodeOutcome['reads']): void {
    for (const { port, read } of reads) {
      const offsetMs = read.clockOffsetMs
      if (
        offsetMs === undefined ||
        Math.abs(offsetMs) < READER_CLOCK_WARNING_MS ||
        this.#clockWarned.has(port)
      ) {
        continue
      }
      this.#clockWarned.add(port)
      this.#o.emit({ type: 'warning', code: 'clock.reader-off', params: { port, offsetMs } })
    }
  }
}
