import type { SessionRecord } from '../journal/journal'
import type { StationMessage } from '../../shared/messages'

/** A closed session whose passings wait for the live session (`live`) to end. */
export interface WaitingSession {
  readonly session: SessionRecord
  readonly pending: number
  readonly live: SessionRecord
}

/**
 * Which closed sessions wait for the live session, as the looks at the sessions found them: said once each (a
 * notice), the first shown in the status, and their ids kept for the timer's "send them now".
 */
export class WaitingSessions {
  #entries: readonly WaitingSession[] = []
  #first: StationMessage | null = null

  /** The first waiting session's message, or null when none waits. */
  get message(): StationMessage | null {
    return this.#first
  }

  get ids(): readonly number[] {
    return this.#entries.map(w => w.session.id)
  }

  /**
   * What one look at the sessions found: `reached`, the sessions it got to (all of them when `complete`). A look
   * cut short keeps what an earlier look found for the sessions it did not reach, but a session it reached that no
   * longer waits (it is going up) stops waiting at once. Returns the messages not said before.
   */
  found(
    waiting: readonly WaitingSession[],
    reached: ReadonlySet<number>,
    complete: boolean
  ): StationMessage[] {
    const said = new Set(this.ids)
    const kept = complete ? [] : this.#entries.filter(w => !reached.has(w.session.id))
    this.#entries = [...kept, ...waiting].sort((a, b) => a.session.id - b.session.id)
    const messages = this.#entries.map((w): StationMessage => ({
      code: 'sync.waiting-for-live-session',
      params: { session: w.session.alias, pending: w.pending, live: w.live.alias }
    }))
    this.#first = messages[0] ?? null
    return messages.filter((_, index) => !said.has((this.#entries[index] as WaitingSession).session.id))
  }
}
