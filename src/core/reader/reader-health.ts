import type { StationMessage } from '../../shared/messages'
import type { ReaderState } from '../../shared/states'
import type { ReaderStatus } from './decoder'
import { isKnownDetailKey, OTHER_DETAIL_KEY } from './detail-keys'

export type { ReaderState } from '../../shared/states'

export interface ReaderHealthSnapshot {
  readonly id: string
  readonly path: string
  readonly protocol: string
  readonly state: ReaderState
  readonly message: StationMessage | null
  readonly lastReadAgeMs: number | null
  readonly lastByteAgeMs: number | null
  readonly readsPerSecond: number
  readonly decodeErrors: number
  readonly lastDecodeError: string | null
  readonly clockOffsetMs: number | null
  /** Protocol details: read rate, battery, loop status … as the reader reports them. */
  readonly details: Readonly<Record<string, string | number>>
}

/** Reads per second are averaged over this window. */
const RATE_WINDOW_MS = 5000
/** Reads are counted per slice of the window, so memory stays the same at 6 or 6,000 reads a second. */
const RATE_SLICE_MS = 250

/**
 * The health of one reader, from what arrives and what decodes. `silentAfterMs` without a byte marks it silent
 * (a pulled cable that the OS did not report, a reader switched off).
 */
export class ReaderHealth {
  #state: ReaderState = 'closed'
  #message: StationMessage | null = null
  #lastReadMs: number | null = null
  #lastByteMs: number | null = null
  /** Read counts per slice of time, oldest first, pruned on every write: never more than one window's worth. */
  readonly #recentReads: Array<{ sliceMs: number; count: number }> = []
  #decodeErrors = 0
  #lastDecodeError: string | null = null
  #clockOffsetMs: number | null = null
  readonly #details: Record<string, string | number> = {}

  constructor(
    readonly id: string,
    public path: string,
    readonly protocol: string,
    readonly silentAfterMs: number,
    private readonly now: () => number
  ) {}

  setState(state: ReaderState, message: StationMessage | null): void {
    this.#state = state
    this.#message = message
    if (state === 'open') this.#lastByteMs = this.now()
  }

  bytes(): void {
    this.#lastByteMs = this.now()
    if (this.#state === 'silent') {
      this.#state = 'open'
      this.#message = null
    }
  }

  reads(count: number, clockOffsetMs?: number): void {
    const now = this.now()
    this.#lastReadMs = now
    const sliceMs = now - (now % RATE_SLICE_MS)
    const last = this.#recentReads.at(-1)
    if (last?.sliceMs === sliceMs) last.count += count
    else this.#recentReads.push({ sliceMs, count })
    this.#pruneReads(now)
    if (clockOffsetMs !== undefined) this.#clockOffsetMs = clockOffsetMs
  }

  badFrame(reason: string): void {
    this.#decodeErrors += 1
    this.#lastDecodeError = reason
  }

  status(status: ReaderStatus): void {
    if (isKnownDetailKey(status.key)) this.#details[status.key] = status.value
    else this.#details[OTHER_DETAIL_KEY] = `${status.key}: ${status.value}`
  }

  #pruneReads(now: number): void {
    while ((this.#recentReads[0]?.sliceMs ?? now) <= now - RATE_WINDOW_MS) this.#recentReads.shift()
  }

  /** Returns true when the reader has just gone silent. */
  checkSilence(): boolean {
    if (this.#state !== 'open' || this.#lastByteMs === null) return false
    if (this.now() - this.#lastByteMs < this.silentAfterMs) return false
    this.#state = 'silent'
    this.#message = {
      code: 'reader.silent',
      params: { seconds: Math.round((this.now() - this.#lastByteMs) / 1000) }
    }
    return true
  }

  snapshot(): ReaderHealthSnapshot {
    const now = this.now()
    this.#pruneReads(now)
    const recent = this.#recentReads.reduce((sum, slice) => sum + slice.count, 0)
    return {
      id: this.id,
      path: this.path,
      protocol: this.protocol,
      state: this.#state,
      message: this.#message,
      lastReadAgeMs: this.#lastReadMs === null ? null : now - this.#lastReadMs,
      lastByteAgeMs: this.#lastByteMs === null ? null : now - this.#lastByteMs,
      readsPerSecond: Math.round((recent / (RATE_WINDOW_MS / 1000)) * 10) / 10,
      decodeErrors: this.#decodeErrors,
      lastDecodeError: this.#lastDecodeError,
      clockOffsetMs: this.#clockOffsetMs,
      details: { ...this.#details }
    }
  }
}
