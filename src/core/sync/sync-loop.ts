import { timerDelay } from '../time/timer-delay'
import type { Wait } from './schedule'
import type { WaitTimer } from './sync-time'

/**
 * Runs the engine's turns one after another, pausing between them as each turn asks, on an injected timer.
 * A turn never throws: it turns failures into the pause it wants.
 */
export class SyncLoop {
  readonly #turn: () => Promise<Wait | null>
  readonly #timer: WaitTimer
  #running = false
  #stopped = false
  #wake: (() => void) | null = null
  #interrupt: (() => void) | null = null
  #loop: Promise<void> | null = null

  constructor(turn: () => Promise<Wait | null>, timer: WaitTimer) {
    this.#turn = turn
    this.#timer = timer
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#stopped = false
    this.#loop = this.#run()
  }

  /** Stops after the turn in progress (its request in flight, if any) has settled. */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#wake?.()
    await this.#loop
    this.#running = false
  }

  /** Ends the current pause if it may be ended early. */
  wake(): void {
    this.#wake?.()
  }

  /** Ends the current pause whatever it is: a person acted (a new key, a decision). */
  interrupt(): void {
    this.#interrupt?.()
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const wait = await this.#turn()
      if (this.#stopped) break
      if (wait === null) {
        // Let capture and screens have the event loop between batches.
        await new Promise(resolve => setImmediate(resolve))
        continue
      }
      await this.#sleep(wait)
    }
  }

  #sleep(wait: Wait): Promise<void> {
    return new Promise(resolve => {
      let cancel = (): void => undefined
      function done() {
        cancel()
        resolve()
      }
      cancel = this.#timer(timerDelay(wait.ms), done)
      // A stop always ends the pause; new work ends it only when it is wakeable.
      this.#wake = () => {
        if (wait.wakeable || this.#stopped) done()
      }
      this.#interrupt = done
    })
  }
}
