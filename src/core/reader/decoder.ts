/**
 * Decoders are pure: bytes in, reads out. They never throw on bad input; they count it.
 *
 * A decoder's memory between chunks is the undecoded tail (`pending`) and a small JSON `context` (e.g. a pull
 * protocol's current response, a reader clock's offset), which the journal persists with the decode cursor, so
 * decoding resumes exactly after a crash.
 */
export interface RawChunk {
  readonly id: number
  readonly bytes: Uint8Array
  /** Arrival time of the chunk's first byte, microseconds since the epoch (anchored clock). */
  readonly receivedAtUs: number
}

export type DecoderContext = Readonly<Record<string, string | number | boolean | null>>

/** The undecoded tail of a port's byte stream, where it began, and the protocol's context. */
export interface DecoderState {
  readonly pending: Uint8Array
  readonly startChunkId: number
  readonly startOffset: number
  readonly startAtUs: number
  readonly context: DecoderContext
}

export const EMPTY_STATE: DecoderState = {
  pending: new Uint8Array(0),
  startChunkId: 0,
  startOffset: 0,
  startAtUs: 0,
  context: {}
}

/** One detection: a chip or a bib seen by a reader (or typed on a keypad). */
export interface Read {
  readonly chip: string | null
  readonly bib: string | null
  /** When the crossing happened, µs since the epoch: the reader's own time mapped to the laptop clock where it has one, else the arrival of the first byte. */
  readonly timeUs: number
  /** Stable identity: the raw chunk and offset where the read's bytes began. */
  readonly chunkId: number
  readonly offset: number
  /** The reader's own identity for this read (its passing index), where it has one: survives re-fetching. */
  readonly readerKey?: string
  readonly antenna?: number
  readonly rssi?: number
  readonly hits?: number
  /** Reader clock minus laptop clock, as measured so far (readers with a clock). */
  readonly clockOffsetMs?: number
}

/** Health and protocol details reported by the reader (read rate, battery, loop state, errors). */
export interface ReaderStatus {
  readonly key: string
  readonly value: string | number
}

export interface BadFrame {
  readonly reason: string
  readonly chunkId: number
  readonly offset: number
  readonly bytes: number
}

export interface DecodeResult {
  readonly state: DecoderState
  readonly reads: readonly Read[]
  readonly badFrames: readonly BadFrame[]
  readonly statuses?: readonly ReaderStatus[]
}

export interface Decoder {
  readonly protocol: string
  decode(state: DecoderState, chunk: RawChunk): DecodeResult
  /** Ends a connection: whatever is pending can never complete (the port was closed or reopened). */
  finish(state: DecoderState): DecodeResult
}

/** Concatenates a pending tail and new bytes. */
export function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/**
 * Maps positions in `pending + chunk` back to (chunk id, offset, arrival time): bytes before the chunk belong to
 * the pending tail, which began at `state.start*`.
 */
export function positionIn(state: DecoderState, chunk: RawChunk, index: number) {
  const pendingLength = state.pending.length
  if (index < pendingLength) {
    return { chunkId: state.startChunkId, offset: state.startOffset + index, atUs: state.startAtUs }
  }
  return { chunkId: chunk.id, offset: index - pendingLength, atUs: chunk.receivedAtUs }
}

/** The state that keeps `buffer[from…]` for the next chunk. */
export function keepTail(
  state: DecoderState,
  chunk: RawChunk,
  buffer: Uint8Array,
  from: number,
  context: DecoderContext
): DecoderState {
  if (from >= buffer.length) return { ...EMPTY_STATE, context }
  const start = positionIn(state, chunk, from)
  return {
    pending: buffer.slice(from),
    startChunkId: start.chunkId,
    startOffset: start.offset,
    startAtUs: start.atUs,
    context
  }
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()
}

/** The end of a connection for a decoder whose context does not outlive it: the pending tail is reported, once. */
export function truncatedTail(
  state: DecoderState,
  what: 'line' | 'frame',
  context: DecoderContext = {}
): DecodeResult {
  return {
    state: { ...EMPTY_STATE, context },
    reads: [],
    badFrames:
      state.pending.length > 0
        ? [
            {
              reason: `truncated ${what} (connection ended)`,
              chunkId: state.startChunkId,
              offset: state.startOffset,
              bytes: state.pending.length
            }
          ]
        : []
  }
}

/** Collects a run of skipped bytes (garbage between frames) and reports it as one bad frame. */
export class GarbageRun {
  #from = -1

  constructor(
    private readonly state: DecoderState,
    private readonly chunk: RawChunk,
    private readonly badFrames: BadFrame[],
    private readonly reason: string
  ) {}

  skip(index: number): void {
    if (this.#from < 0) this.#from = index
  }

  /** Ends the run at `until` (exclusive), if there is one. */
  close(until: number): void {
    if (this.#from < 0) return
    const at = positionIn(this.state, this.chunk, this.#from)
    this.badFrames.push({
      reason: this.reason,
      chunkId: at.chunkId,
      offset: at.offset,
      bytes: until - this.#from
    })
    this.#from = -1
  }
}

/**
 * A text line that never ends (a wrong speed, a binary reader on a text protocol) is reported once and dropped,
 * so memory stays bounded. Returns where decoding continues.
 */
export function dropRunawayLine(
  state: DecoderState,
  chunk: RawChunk,
  buffer: Uint8Array,
  from: number,
  maxLength: number,
  badFrames: BadFrame[]
): number {
  if (buffer.length - from <= maxLength) return from
  const at = positionIn(state, chunk, from)
  badFrames.push({
    reason: 'line too long',
    chunkId: at.chunkId,
    offset: at.offset,
    bytes: buffer.length - from
  })
  return buffer.length
}

/** What a binary decoder finds at a position: a checked frame ending at `end`, garbage, a frame whose checksum
 * fails, or too few bytes yet. */
export type FrameCheck = { readonly end: number } | 'garbage' | 'bad checksum' | 'incomplete'

/**
 * Resync within the bytes already received: a candidate frame that cannot complete yet (often a corrupt length
 * byte) is waited for only if no complete, checked frame begins after it. Returns where that frame begins, or -1
 * to wait for more bytes. A corrupt frame therefore costs its own read, never the reads that follow it.
 */
export function nextCheckedFrame(
  buffer: Uint8Array,
  after: number,
  check: (buffer: Uint8Array, start: number) => FrameCheck
): number {
  for (let start = after + 1; start < buffer.length; start += 1) {
    if (typeof check(buffer, start) === 'object') return start
  }
  return -1
}
