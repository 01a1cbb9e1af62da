import { NotPossible } from '../not-possible'
import type { WaitTimer } from '../sync/sync-time'
import { RufusError } from './errors'

/** Who asks: the sync engine's uploads come first; a screen's cloud read waits behind them. */
export type CeilingLane = 'sync' | 'screen'

export interface CeilingOptions {
  /** Requests per second for the whole station (default 10). */
  readonly perSecond?: number
  /** How long a screen's read may wait for its turn before it is refused (default 3 s). */
  readonly screenWaitMs?: number
  /** Waiting calls kept per lane; one more is refused at once (default 16 for sync, 32 for screens). */
  readonly maxWaiting?: { readonly sync: number; readonly screen: number }
  /** The station's timer (tests pass fake time). */
  readonly timer: WaitTimer
}

export interface CeilingCounts {
  readonly started: Readonly<Record<CeilingLane, number>>
  readonly refused: Readonly<Record<CeilingLane, number>>
  readonly waiting: Readonly<Record<CeilingLane, number>>
  readonly free: number
}

interface Waiter {
  readonly grant: () => void
  readonly refuse: (error: Error) => void
  cancelTimeout: () => void
}

/** A token comes back this long after its request's answer: see the class comment. */
const WINDOW_MS = 1000
/**
 * Sync asks for its next request a few ms after an answer (its journal work between steps); for this long after a
 * sync answer, a free token is kept for it rather than given to a screen.
 */
const SYNC_QUIET_MS = 250
const DEFAULT_PER_SECOND = 10
const DEFAULT_SCREEN_WAIT_MS = 3000
const DEFAULT_MAX_WAITING = { sync: 16, screen: 32 }

/**
 * The ceiling on RUFUS Cloud requests for the whole station: every call, from sync or from a screen, takes one of
 * `perSecond` tokens before it starts and gives it back one second after its answer (or failure). Holding the
 * token until a second after the answer, rather than a second after the start, is what makes the limit hold as the
 * cloud counts it: two requests on one token arrive more than a second apart whatever the latency, so no second
 * of the cloud's clock sees more than `perSecond` of this station's requests.
 *
 * Uploads go first: a screen read takes a token only while sync is quiet (nothing in flight or waiting, and no
 * sync answer in the last 250 ms, since the engine sends its next batch right after one) and never the last free
 * token. A screen read that has waited `screenWaitMs` is refused (`cloud.station-busy`), so a screen never hangs
 * behind a long upload.
 * Both queues are bounded: past the bound a sync call fails as rate-limited (the engine backs off) and a screen
 * read is refused at once.
 */
export class RequestCeiling {
  readonly #perSecond: number
  readonly #screenWaitMs: number
  readonly #maxWaiting: { readonly sync: number; readonly screen: number }
  readonly #timer: WaitTimer
  #free: number
  readonly #waiting: Record<CeilingLane, Waiter[]> = { sync: [], screen: [] }
  readonly #started: Record<CeilingLane, number> = { sync: 0, screen: 0 }
  readonly #refused: Record<CeilingLane, number> = { sync: 0, screen: 0 }
  /** Sync calls started and not yet settled. */
  #syncBusy = 0
  /** Set while sync answered less than `SYNC_QUIET_MS` ago: cancels that wait. */
  #syncRecent: (() => void) | null = null

  constructor(options: CeilingOptions) {
    this.#perSecond = Math.max(1, Math.floor(options.perSecond ?? DEFAULT_PER_SECOND))
    this.#screenWaitMs = options.screenWaitMs ?? DEFAULT_SCREEN_WAIT_MS
    this.#maxWaiting = options.maxWaiting ?? DEFAULT_MAX_WAITING
    this.#timer = options.timer
    this.#free = this.#perSecond
  }

  get perSecond(): number {
    return this.#perSecond
  }

  counts(): CeilingCounts {
    return {
      started: { ...this.#started },
      refused: { ...this.#refused },
      waiting: { sync: this.#waiting.sync.length, screen: this.#waiting.screen.length },
      free: this.#free
    }
  }

  /** Runs `call` once a token is free (sync first), and returns the token a second after it settles. */
  async run<T>(lane: CeilingLane, call: () => Promise<T>): Promise<T> {
    await this.#acquire(lane)
    this.#started[lane] += 1
    if (lane === 'sync') this.#syncStarted()
    try {
      return await call()
    } finally {
      if (lane === 'sync') this.#syncSettled()
      this.#timer(WINDOW_MS, () => this.#release())
    }
  }

  #acquire(lane: CeilingLane): Promise<void> {
    const mayStart =
      lane === 'sync'
        ? this.#free > 0 && this.#waiting.sync.length === 0
        : this.#waitingTotal() === 0 && this.#screenMayTake()
    if (mayStart) {
      this.#free -= 1
      return Promise.resolve()
    }
    const queue = this.#waiting[lane]
    if (queue.length >= this.#maxWaiting[lane]) {
      this.#refused[lane] += 1
      return Promise.reject(this.#refusal(lane))
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, refuse: reject, cancelTimeout: () => undefined }
      queue.push(waiter)
      if (lane === 'screen') {
        waiter.cancelTimeout = this.#timer(this.#screenWaitMs, () => {
          const index = queue.indexOf(waiter)
          if (index < 0) return
          queue.splice(index, 1)
          this.#refused.screen += 1
          reject(this.#refusal('screen'))
        })
      }
    })
  }

  #release(): void {
    this.#free += 1
    this.#grantWaiting()
  }

  /** Hands free tokens to waiting calls: every waiting sync call first, then screens while sync is quiet. */
  #grantWaiting(): void {
    for (;;) {
      const next =
        this.#free > 0 && this.#waiting.sync.length > 0
          ? this.#waiting.sync.shift()
          : this.#screenMayTake()
            ? this.#waiting.screen.shift()
            : undefined
      if (!next) return
      this.#free -= 1
      next.cancelTimeout()
      next.grant()
    }
  }

  /** A screen takes a token only while sync is quiet, and leaves the last one for sync. */
  #screenMayTake(): boolean {
    return (
      this.#free > 1 && this.#syncBusy === 0 && this.#syncRecent === null && this.#waiting.sync.length === 0
    )
  }

  #syncStarted(): void {
    this.#syncBusy += 1
    this.#syncRecent?.()
    this.#syncRecent = null
  }

  #syncSettled(): void {
    this.#syncBusy -= 1
    this.#syncRecent?.()
    const cancel = this.#timer(SYNC_QUIET_MS, () => {
      if (this.#syncRecent !== cancel) return
      this.#syncRecent = null
      this.#grantWaiting()
    })
    this.#syncRecent = cancel
  }

  #waitingTotal(): number {
    return this.#waiting.sync.length + this.#waiting.screen.length
  }

  #refusal(lane: CeilingLane): Error {
    const seconds = Math.ceil(this.#screenWaitMs / 1000)
    if (lane === 'screen') return new NotPossible({ code: 'cloud.station-busy', params: { seconds } })
    return new RufusError('rate-limited', 'Too many RUFUS Cloud requests waiting in this station', {
      retryAfterMs: WINDOW_MS
    })
  }
}
