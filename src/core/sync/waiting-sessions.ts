import type { SessionRecord } from '../journal/journal'
import type { StationMessage } from '../../shared/messages'

/** A closed session whose passings wait for the live session (`live`) to end. */
export interface WaitingSession {
  readonly session: SessionRecord
  readonly pending: number
  readonly live: SessionRecord
}

/**
 * Which closed sessions wait for the live session, as the last full look found them: said once each (a notice),
 * the first shown in the status, and their ids kept for the timer's "send them now".
 */
export class WaitingSessions {
  #ids: readonly number[] = []
  #first: StationMessage | null = null

  /** The first waiting session's message, or null when none waits. */
  get message(): StationMessage | null {
    return this.#first
  }

  get ids(): readonly number[] {
    return this.#ids
  }

  /**
   * What one look at the sessions found. A look cut short before any waiting session (`complete` false, none
   * found) says nothing new. Returns the messages not said before.
   */
  found(waiting: readonly WaitingSession[], complete: boolean): StationMessage[] {
    if (waiting.length === 0 && !complete) return []
    const said = new Set(this.#ids)
    this.#ids = waiting.map(w => w.session.id)
    const messages = waiting.map((w): StationMessage => ({
      code: 'sync.waiting-for-live-session',
      params: { session: w.session.alias, pending: w.pending, live: w.live.alias }
    }))
    this.#first = messages[0] ?? null
    return messages.filter((_, index) => !said.has(this.#ids[index] as number))
  }
}
