import type { ErrorCode } from '../../../shared/contract'
import { stationTimeMs, type EntryQueue } from './entry-queue'

/** Sends one entry; resolves with the station's answer (never throws), a refusal already in the screen's words. */
export type SendEntry = (args: {
  bib: string | null
  atMs: number
  entryKey: string
}) => Promise<{ ok: true } | { ok: false; error: { code: ErrorCode; message: string } }>

/** Refusals about the entry itself: it stays, with its time, for the timer to correct. Others are retried. */
const ENTRY_REFUSED: ReadonlySet<ErrorCode> = new Set(['invalid-arguments', 'not-possible', 'forbidden'])

/** How long to wait after the station said "busy" (its per-screen command rate) before sending again. */
export const BUSY_RETRY_MS = 1000

/**
 * Sends the queue in order, one entry at a time, while the station answers. An entry the station refuses is
 * marked with the reason and the next one goes; a lost connection stops the round (the entry stays first).
 */
export class EntrySender {
  readonly #queue: EntryQueue
  readonly #send: SendEntry
  readonly #offsetMs: () => number
  readonly #retryMs: number
  #running = false
  #again = false
  #retry: ReturnType<typeof setTimeout> | null = null

  constructor(queue: EntryQueue, send: SendEntry, offsetMs: () => number, retryMs = BUSY_RETRY_MS) {
    this.#queue = queue
    this.#send = send
    this.#offsetMs = offsetMs
    this.#retryMs = retryMs
  }

  /** Starts a round (or asks the running one to look again when it ends). */
  async drain(): Promise<void> {
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = true
    try {
      do {
        this.#again = false
        await this.#round()
      } while (this.#again)
    } finally {
      this.#running = false
    }
  }

  #retryLater(): void {
    if (this.#retry !== null) return
    this.#retry = setTimeout(() => {
      this.#retry = null
      void this.drain()
    }, this.#retryMs)
  }

  async #round(): Promise<void> {
    for (;;) {
      const entry = this.#queue.waiting[0]
      if (!entry) return
      const result = await this.#send({
        bib: entry.bib,
        atMs: stationTimeMs(entry, this.#offsetMs()),
        entryKey: entry.key
      })
      if (result.ok) this.#queue.remove(entry.key)
      else if (ENTRY_REFUSED.has(result.error.code)) this.#queue.reject(entry.key, result.error.message)
      else {
        // A station that answers but is busy (a queue of entries sent after an outage soon passes its rate) is
        // asked again by itself: no keypress or reconnect may follow, and the entries would wait for ever.
        // A lost connection is not retried here: reconnecting drains the queue.
        if (result.error.code === 'busy') this.#retryLater()
        return
      }
    }
  }
}
