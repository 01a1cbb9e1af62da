/** After this many passings refused alone in a row for the same reason, every passing is taken to be refused. */
export const ALL_REFUSED_AFTER = 3

/**
 * Passings refused one at a time, in a row, without any accepted in between. When `ALL_REFUSED_AFTER` of them share
 * one reason, the cloud refuses something every passing carries (a field a strict cloud does not know): setting
 * each aside would quarantine the whole backlog, so the engine stops instead and says so once.
 */
export class RefusalStreak {
  #reason: string | null = null
  #ids: number[] = []

  /** A passing refused alone: set it aside, or stop because every passing is refused. */
  refusedAlone(passingId: number, reason: string | null): 'set-aside' | 'all-refused' {
    if (this.#ids.length > 0 && reason !== this.#reason) this.#ids = []
    this.#reason = reason
    if (!this.#ids.includes(passingId)) this.#ids.push(passingId)
    // Only the last few matter (they are put back when the engine stops): the list stays bounded.
    if (this.#ids.length > ALL_REFUSED_AFTER) this.#ids.shift()
    return this.#ids.length >= ALL_REFUSED_AFTER ? 'all-refused' : 'set-aside'
  }

  /** The cloud accepted a passing: the streak is broken. */
  accepted(): void {
    this.#ids = []
  }

  /** The passings of the streak (at most `ALL_REFUSED_AFTER`). */
  get ids(): readonly number[] {
    return this.#ids
  }
}
