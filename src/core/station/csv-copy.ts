import type { StationEvent } from '../../shared/events'
import { CsvMirror, type PassingsAfter } from '../journal/csv-mirror'
import type { PassingRecord, SessionRecord } from '../journal/journal'

/** How long after a start the CSV copy begins to catch up: capture comes first. */
const CATCH_UP_DELAY_MS = 1000
/** How soon a CSV copy that could not be written tries again (the journal has every passing meanwhile). */
const RETRY_MS = 1000

export interface CsvCopyOptions {
  readonly dataFolder: string
  /** A session's passings from the journal, in number order (empty once the journal is closed). */
  readonly passingsAfter: PassingsAfter
  readonly emit: (event: StationEvent) => void
  /** Delay before the copy catches up after a start (default 1 s; tests shorten it). */
  readonly catchUpDelayMs?: number
}

/**
 * Keeps each session's CSV copy (`sessions/*.csv`, for a spreadsheet) in step with the journal. A row that cannot
 * be written (the file held by a spreadsheet, a full disk) is not a failed commit: the passings are in the
 * journal. The copy stops taking rows and catches up from its own last row later, so it gets no hole, and
 * nothing after an append (sync, reader health) is skipped.
 */
export class CsvCopy {
  readonly #o: CsvCopyOptions
  readonly #mirror: CsvMirror
  #timer: NodeJS.Timeout | null = null
  /** The copy could not be written; said once until it catches up again. */
  #failing = false
  #closed = false

  constructor(options: CsvCopyOptions) {
    this.#o = options
    this.#mirror = new CsvMirror(options.dataFolder)
  }

  /** New passings of a session, after their commit. */
  append(session: SessionRecord, passings: readonly PassingRecord[]): void {
    try {
      this.#mirror.append(session, passings)
    } catch (error) {
      this.#failed(session, error)
    }
  }

  /** The whole session written again (a correction, a new session). */
  rewrite(session: SessionRecord, passings: readonly PassingRecord[]): void {
    this.#mirror.rewrite(session, passings)
  }

  /**
   * The copy catches up from its own last row once capture has started: its cost grows with what is missing
   * (rows committed just before a crash, or all of them for a new file), never before the first read.
   */
  catchUpLater(session: SessionRecord, delayMs = this.#o.catchUpDelayMs ?? CATCH_UP_DELAY_MS): void {
    this.#mirror.holdAppends(session.id)
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#mirror
        .catchUp(session, this.#o.passingsAfter)
        .then(() => {
          this.#failing = false
        })
        .catch((error: unknown) => this.#failed(session, error))
    }, delayMs)
    this.#timer.unref()
  }

  close(): void {
    this.#closed = true
    if (this.#timer) clearTimeout(this.#timer)
  }

  #failed(session: SessionRecord, error: unknown): void {
    if (!this.#failing) {
      this.#failing = true
      this.#o.emit({
        type: 'warning',
        code: 'station.csv-copy-failed',
        params: { session: session.id, detail: error instanceof Error ? error.message : String(error) }
      })
    }
    if (!this.#closed && !this.#timer) this.catchUpLater(session, RETRY_MS)
  }
}
