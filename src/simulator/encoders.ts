import type { SimulatedRead } from './traffic'

/** The reader's side of a protocol: how a read is put on the wire. */
export interface ReaderEncoder {
  readonly protocol: string
  /** Reads a crossing produces (a keypad or scanner: one; a UHF reader: several). */
  readonly readsPerCrossing: number
  encode(read: SimulatedRead): Uint8Array
  /** Bytes that do not parse, for the noise option. */
  garbage(random: () => number): Uint8Array
}

const encoder = new TextEncoder()

/** One bib per line, CRLF-terminated, as a barcode scanner or keypad sends it. */
export const lineEncoder: ReaderEncoder = {
  protocol: 'line',
  readsPerCrossing: 1,
  encode: read => encoder.encode(`${read.runner}\r\n`),
  garbage: random =>
    Uint8Array.from({ length: 3 + Math.floor(random() * 20) }, () => Math.floor(random() * 256))
}

export const ENCODERS: Record<string, ReaderEncoder> = { line: lineEncoder }
