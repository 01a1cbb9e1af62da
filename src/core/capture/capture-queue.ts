import type { Decoder } from '../reader/decoder'
import type { CapturePolicy, DecodeOutcome, IncomingChunk, Journal, PassingRecord } from '../journal/journal'
import { timerDelay } from '../time/timer-delay'

export interface CaptureQueueOptions {
  readonly journal: Journal
  readonly decoderFor: (port: string) => Decoder
  /** Read by every commit, so a change applies from the next chunk. */
  readonly policy: () => CapturePolicy
  /** Time for `captured_at` stamps (microseconds since the epoch). */
  readonly nowUs: () => number
  /** Chunks arriving within this window share one transaction. */
  readonly commitIntervalMs?: number
  /** Called after each commit with what it made durable. */
  readonly onCommitted: (committed: CommittedBatch) => void
  /** Called when a commit fails; the chunks stay queued in memory and are retried. */
  readonly onCommitError: (error: unknown, waiting: WaitingInput) => void
  readonly retryDelayMs?: number
  /** Reader input held in memory while commits fail, at most (default 64 MiB); beyond it input is dropped. */
  readonly maxWaitingBytes?: number
}

/** What waits in memory for a commit that failed, and what could not even be kept. */
export interface WaitingInput {
  readonly pieces: number
  readonly droppedBytes: number
}

const DEFAULT_MAX_WAITING_BYTES = 64 * 1024 * 1024

export interface CommittedBatch extends DecodeOutcome {
  readonly chunks: readonly IncomingChunk[]
  /** When the commit finished (microseconds since the epoch). */
  readonly committedAtUs: number
}

interface ManualEntry {
  readonly sessionId: number
  readonly bib: string | null
  readonly timeUs: number
  /** The entry screen's own key: an entry sent again after a lost answer resolves to the passing stored first. */
  readonly entryKey: string | null
  readonly resolve: (passing: PassingRecord) => void
  readonly reject: (error: unknown) => void
}

/**
 * Group commit: raw chunks arriving within a few milliseconds are stored in one transaction, then decoded in a
 * second one that advances the decode cursor. A passing is reported only after both have committed.
 */
export class CaptureQueue {
  readonly #options: CaptureQueueOptions
  #chunks: IncomingChunk[] = []
  #chunkBytes = 0
  #droppedBytes = 0
  #manual: ManualEntry[] = []
  #timer: NodeJS.Timeout | null = null
  #failing = false
  #closed = false

  constructor(options: CaptureQueueOptions) {
    this.#options = options
  }

  get waiting(): number {
    return this.#chunks.length + this.#manual.length
  }

  /** Queues bytes exactly as they arrived; `receivedAtUs` was stamped on arrival, before any commit. */
  ingest(chunk: IncomingChunk): void {
    if (this.#closed) throw new Error('The capture queue is closed')
    // Only a failing disk lets input pile up; past the bound, memory for the rest of the race matters more.
    if (
      this.#chunkBytes + chunk.bytes.length >
      (this.#options.maxWaitingBytes ?? DEFAULT_MAX_WAITING_BYTES)
    ) {
      this.#droppedBytes += chunk.bytes.length
      return
    }
    this.#chunks.push(chunk)
    this.#chunkBytes += chunk.bytes.length
    this.#schedule(this.#options.commitIntervalMs ?? 5)
  }

  /** Records a manual passing; resolves once it has committed. */
  recordManual(
    sessionId: number,
    bib: string | null,
    timeUs: number,
    entryKey: string | null = null
  ): Promise<PassingRecord> {
    if (this.#closed) return Promise.reject(new Error('The capture queue is closed'))
    return new Promise((resolve, reject) => {
      this.#manual.push({ sessionId, bib, timeUs, entryKey, resolve, reject })
      this.#schedule(0)
    })
  }

  /** Commits whatever is queued now. Returns false if the commit failed (everything stays queued). */
  flush(): boolean {
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    const chunks = this.#chunks
    const manual = this.#manual
    if (chunks.length === 0 && manual.length === 0) return true
    const { journal } = this.#options
    const manualDone: PassingRecord[] = []
    try {
      if (chunks.length > 0) {
        journal.appendRawChunks(chunks)
        this.#chunks = []
        this.#chunkBytes = 0
      }
      const decoded = journal.decodePending(
        this.#options.decoderFor,
        this.#options.policy(),
        this.#options.nowUs()
      )
      while (this.#manual.length > 0) {
        const entry = this.#manual[0] as ManualEntry
        const { passing, created } = journal.insertManualEntry(
          entry.sessionId,
          entry.bib,
          entry.timeUs,
          this.#options.nowUs(),
          entry.entryKey
        )
        this.#manual.shift()
        if (created) manualDone.push(passing)
        entry.resolve(passing)
      }
      this.#failing = false
      this.#options.onCommitted({
        ...decoded,
        passings: [...decoded.passings, ...manualDone],
        chunks,
        committedAtUs: this.#options.nowUs()
      })
      this.#scheduleHoldRelease()
      return true
    } catch (error) {
      // Nothing of the failed transaction is on disk; what was not committed stays queued, in order.
      this.#failing = true
      if (manualDone.length > 0) {
        this.#options.onCommitted({
          passings: manualDone,
          badFrames: [],
          statuses: [],
          reads: [],
          suppressed: 0,
          superseded: [],
          readsWithoutSession: 0,
          chunks: [],
          committedAtUs: this.#options.nowUs()
        })
      }
      this.#options.onCommitError(error, { pieces: this.waiting, droppedBytes: this.#droppedBytes })
      if (!this.#closed) this.#schedule(this.#options.retryDelayMs ?? 1000)
      return false
    }
  }

  /** Flushes and stops accepting input. Returns false if something could not be committed. */
  close(): boolean {
    const ok = this.flush()
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
    for (const entry of this.#manual.splice(0)) {
      entry.reject(new Error('The station stopped before this entry was saved'))
    }
    return ok
  }

  /** Strongest-read holds become passings when their window closes, even if no byte arrives meanwhile. */
  #scheduleHoldRelease(): void {
    const dueUs = this.#options.journal.nextHoldReleaseUs()
    if (dueUs === null || this.#closed) return
    this.#schedule(Math.max(1, Math.ceil((dueUs - this.#options.nowUs()) / 1000)), true)
  }

  #schedule(delayMs: number, force = false): void {
    if (this.#timer !== null) {
      if ((delayMs > 0 && !force) || this.#failing) return
      clearTimeout(this.#timer)
    }
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.flush()
    }, timerDelay(delayMs))
  }
}
