/**
 * Intake: raw reader input as received, the decode cursor, each port's committed decoder state, and the decode
 * loop (written once, for live input and for a replay) that hands every read to `reads-to-passings.ts`.
 */
import { EMPTY_STATE, type DecodeResult, type Decoder, type DecoderContext } from '../reader/decoder'
import { OutcomeBuilder } from './decode-outcome'
import type { JournalDb } from './journal-db'
import type { CapturePolicy, DecodeOutcome, IncomingChunk } from './records'
import type { ReadsToPassings } from './reads-to-passings'
import {
  toBadFrameCount,
  toCount,
  toDecoderContext,
  toPortStream,
  toStoredChunk,
  type PortStream,
  type StoredChunk
} from './rows'
import type { Sessions } from './sessions'
import type { StationMeta } from './station-meta'

const LAST_DECODED_CHUNK = 'last_decoded_chunk'

/** How a run of the decode loop treats each port's stream: the two callers differ only in these. */
interface DecodeRun {
  readonly decoderFor: (port: string) => Decoder
  /** A port's stream when the run first meets it: the committed one (live input), or a fresh one (replay). */
  readonly streamFor: (port: string, decoder: Decoder) => PortStream
  /** After a connection ends, start from nothing (replay) rather than from what the protocol's `finish` leaves. */
  readonly freshAfterConnection: boolean
  /** Reader statuses describe the reader now: live input reports them, a replay of old input does not. */
  readonly reportStatuses: boolean
}

export class Intake {
  constructor(
    private readonly db: JournalDb,
    private readonly meta: StationMeta,
    private readonly sessions: Sessions,
    private readonly reads: ReadsToPassings
  ) {}

  /** Stores raw chunks exactly as received, attributed to the open session. Returns their ids. */
  appendRawChunks(chunks: readonly IncomingChunk[]): number[] {
    return this.db.transaction(() => {
      const sessionId = this.sessions.openedSession()?.id ?? null
      return chunks.map(chunk =>
        Number(
          this.db.run(
            'INSERT INTO raw_chunks (port, connection, session_id, received_at_us, bytes) VALUES (?, ?, ?, ?, ?)',
            chunk.port,
            chunk.connection,
            sessionId,
            chunk.receivedAtUs,
            Buffer.from(chunk.bytes)
          ).lastInsertRowid
        )
      )
    })
  }

  /** How many raw chunks have not been decoded yet (after a crash, before recovery). */
  undecodedChunks(): number {
    return this.db.one(toCount, 'SELECT COUNT(*) AS n FROM raw_chunks WHERE id > ?', this.#cursor()) ?? 0
  }

  /**
   * Decodes every raw chunk after the persisted cursor and turns its reads into passings (numbered per session),
   * suppressions or holds, in one transaction with the cursor and the decoders' state, so nothing is decoded
   * twice. Held strongest reads whose window has closed become passings too.
   */
  decodePending(decoderFor: (port: string) => Decoder, policy: CapturePolicy, nowUs: number): DecodeOutcome {
    return this.db.transaction(() => {
      const cursor = this.#cursor()
      const chunks = this.db.all(
        toStoredChunk,
        'SELECT id, port, connection, session_id, received_at_us, bytes FROM raw_chunks WHERE id > ? ORDER BY id',
        cursor
      )
      const run: DecodeRun = {
        decoderFor,
        streamFor: (port, decoder) => this.#committedStream(port, decoder.protocol),
        freshAfterConnection: false,
        reportStatuses: true
      }
      const outcome = new OutcomeBuilder(nowUs)
      const streams = this.#decode(chunks, run, policy, outcome)
      for (const [port, stream] of streams) this.#saveStream(port, stream)
      const last = chunks.at(-1)
      if (last) this.meta.setMeta(LAST_DECODED_CHUNK, String(last.id))
      this.reads.releaseHolds(nowUs, policy, outcome)
      return outcome.build()
    })
  }

  /**
   * Decodes a session's raw input from one port again with another decoder (a wrong protocol or setting at the
   * time). Reads already known (same chunk and offset, or same reader index) are skipped, so only what is new
   * becomes passings, numbered after the existing ones.
   */
  replay(
    sessionId: number,
    port: string,
    decoder: Decoder,
    policy: CapturePolicy,
    nowUs: number
  ): DecodeOutcome {
    return this.db.transaction(() => {
      const chunks = this.db.all(
        toStoredChunk,
        'SELECT id, port, connection, session_id, received_at_us, bytes FROM raw_chunks WHERE session_id = ? AND port = ? ORDER BY id',
        sessionId,
        port
      )
      const run: DecodeRun = {
        decoderFor: () => decoder,
        streamFor: () => ({
          state: EMPTY_STATE,
          connection: -1,
          protocol: decoder.protocol,
          bad: 0,
          lastBad: null
        }),
        freshAfterConnection: true,
        reportStatuses: false
      }
      const outcome = new OutcomeBuilder(nowUs)
      this.#decode(chunks, run, policy, outcome)
      this.reads.releaseHolds(nowUs, policy, outcome)
      return outcome.build()
    })
  }

  /** The protocol context a port's decoder has committed (e.g. the RR box's next index to fetch). */
  decoderContext(port: string): DecoderContext {
    return this.db.one(toDecoderContext, 'SELECT context FROM decoder_states WHERE port = ?', port) ?? {}
  }

  /** Bad frames counted for a port since it was first seen. */
  badFrameCount(port: string): { count: number; lastReason: string | null } {
    return (
      this.db.one(
        toBadFrameCount,
        'SELECT bad_frames, last_bad_reason FROM decoder_states WHERE port = ?',
        port
      ) ?? {
        count: 0,
        lastReason: null
      }
    )
  }

  /**
   * The decode loop. Each chunk goes to its port's decoder; a chunk of a new connection (or for another protocol)
   * first ends the stream before it, so a partial frame is reported, never glued to the next connection's bytes.
   * Returns each port's stream as the run left it.
   */
  #decode(
    chunks: readonly StoredChunk[],
    run: DecodeRun,
    policy: CapturePolicy,
    outcome: OutcomeBuilder
  ): Map<string, PortStream> {
    const streams = new Map<string, PortStream>()
    for (const chunk of chunks) {
      const decoder = run.decoderFor(chunk.port)
      let stream = streams.get(chunk.port)
      if (!stream) {
        stream = run.streamFor(chunk.port, decoder)
        streams.set(chunk.port, stream)
      }
      const results: DecodeResult[] = []
      if (stream.connection !== chunk.connection || stream.protocol !== decoder.protocol) {
        const finished = decoder.finish(stream.state)
        results.push(finished)
        const sameProtocol = stream.protocol === decoder.protocol
        stream.state = sameProtocol && !run.freshAfterConnection ? finished.state : EMPTY_STATE
        stream.connection = chunk.connection
        stream.protocol = decoder.protocol
      }
      const decoded = decoder.decode(stream.state, {
        id: chunk.id,
        bytes: chunk.bytes,
        receivedAtUs: chunk.receivedAtUs
      })
      results.push(decoded)
      stream.state = decoded.state
      for (const result of results) this.#take(chunk, stream, result, run, policy, outcome)
    }
    return streams
  }

  /** One decoder result of a chunk: bad frames counted on the stream, statuses and reads passed on. */
  #take(
    chunk: StoredChunk,
    stream: PortStream,
    result: DecodeResult,
    run: DecodeRun,
    policy: CapturePolicy,
    outcome: OutcomeBuilder
  ): void {
    const port = chunk.port
    for (const bad of result.badFrames) {
      outcome.badFrames.push({ ...bad, port })
      stream.bad += 1
      stream.lastBad = bad.reason
    }
    if (run.reportStatuses)
      for (const status of result.statuses ?? []) outcome.statuses.push({ ...status, port })
    for (const read of result.reads) {
      outcome.reads.push({ port, read })
      if (chunk.sessionId === null) outcome.readsWithoutSession += 1
      else this.reads.accept(chunk.sessionId, port, read, policy, outcome)
    }
  }

  #cursor(): number {
    return Number(this.meta.getMeta(LAST_DECODED_CHUNK) ?? 0)
  }

  #committedStream(port: string, protocol: string): PortStream {
    return (
      this.db.one(toPortStream, 'SELECT * FROM decoder_states WHERE port = ?', port) ?? {
        state: EMPTY_STATE,
        connection: -1,
        protocol,
        bad: 0,
        lastBad: null
      }
    )
  }

  #saveStream(port: string, stream: PortStream): void {
    this.db.run(
      `INSERT INTO decoder_states (port, protocol, connection, pending, start_chunk_id, start_offset, start_at_us,
       bad_frames, last_bad_reason, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (port) DO UPDATE SET protocol = excluded.protocol, connection = excluded.connection,
       pending = excluded.pending, start_chunk_id = excluded.start_chunk_id, start_offset = excluded.start_offset,
       start_at_us = excluded.start_at_us, bad_frames = excluded.bad_frames, last_bad_reason = excluded.last_bad_reason,
       context = excluded.context`,
      port,
      stream.protocol,
      stream.connection,
      Buffer.from(stream.state.pending),
      stream.state.startChunkId,
      stream.state.startOffset,
      stream.state.startAtUs,
      stream.bad,
      stream.lastBad,
      JSON.stringify(stream.state.context)
    )
  }
}
