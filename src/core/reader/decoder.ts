/**
 * Decoders are pure: bytes in, reads out. They never throw on bad input; they count it.
 *
 * A decoder's only memory between chunks is the undecoded tail (`pending`), which the journal persists with
 * the decode cursor, so decoding resumes exactly after a crash.
 */
export interface RawChunk {
  readonly id: number
  readonly bytes: Uint8Array
  /** Arrival time of the chunk's first byte, microseconds since the epoch (anchored clock). */
  readonly receivedAtUs: number
}

/** The undecoded tail of a port's byte stream, and where it began. */
export interface DecoderState {
  readonly pending: Uint8Array
  readonly startChunkId: number
  readonly startOffset: number
  readonly startAtUs: number
}

export const EMPTY_STATE: DecoderState = {
  pending: new Uint8Array(0),
  startChunkId: 0,
  startOffset: 0,
  startAtUs: 0
}

/** One detection: a chip or a bib seen by a reader (or typed on a keypad). */
export interface Read {
  /** What the reader identified. */
  readonly chip: string | null
  readonly bib: string | null
  /** When its first byte arrived (microseconds since the epoch). */
  readonly timeUs: number
  /** Stable identity: the raw chunk and offset where the read's bytes began. */
  readonly chunkId: number
  readonly offset: number
  readonly antenna?: number
  readonly rssi?: number
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
}

export interface Decoder {
  readonly protocol: string
  decode(state: DecoderState, chunk: RawChunk): DecodeResult
  /** Ends a connection: whatever is pending can never complete (the port was closed or reopened). */
  finish(state: DecoderState): DecodeResult
}
