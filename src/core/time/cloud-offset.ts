/**
 * Estimates the laptop clock's offset against RUFUS Cloud from HTTP `Date` headers.
 *
 * A `Date` header has whole seconds, so one answer only says the server's time at the moment it wrote the
 * header was in [date, date + 1 s). With the local send and receive times this bounds the offset
 * (server − local) to an interval; intersecting the intervals of many answers narrows it.
 */
export interface OffsetSample {
  readonly serverMs: number
  readonly sentAtMs: number
  readonly receivedAtMs: number
}

export interface OffsetEstimate {
  /** Server time minus laptop time, in milliseconds. */
  readonly offsetMs: number
  /** Half the width of the interval that holds the true offset. */
  readonly uncertaintyMs: number
  readonly samples: number
}

export class CloudOffsetEstimator {
  #low = -Infinity
  #high = Infinity
  #samples = 0
  readonly #window: OffsetSample[] = []
  readonly #windowSize: number

  constructor(windowSize = 50) {
    this.#windowSize = windowSize
  }

  add(sample: OffsetSample): OffsetEstimate {
    this.#window.push(sample)
    if (this.#window.length > this.#windowSize) this.#window.shift()
    this.#recompute()
    return this.estimate() as OffsetEstimate
  }

  estimate(): OffsetEstimate | null {
    if (this.#samples === 0) return null
    return {
      offsetMs: Math.round((this.#low + this.#high) / 2),
      uncertaintyMs: Math.round((this.#high - this.#low) / 2),
      samples: this.#samples
    }
  }

  #recompute(): void {
    let low = -Infinity
    let high = Infinity
    for (const s of this.#window) {
      const sampleLow = s.serverMs - s.receivedAtMs
      const sampleHigh = s.serverMs + 1000 - s.sentAtMs
      // Intervals that do not overlap mean the clock moved: keep only the newest evidence.
      if (sampleLow > high || sampleHigh < low) {
        low = sampleLow
        high = sampleHigh
      } else {
        low = Math.max(low, sampleLow)
        high = Math.min(high, sampleHigh)
      }
    }
    this.#low = low
    this.#high = high
    this.#samples = this.#window.length
  }
}
