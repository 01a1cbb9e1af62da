/**
 * Finish-line traffic, as pure functions of a seeded random source: runners arrive as a Poisson process, and
 * each crossing yields one or more reads.
 */
export interface SimulatedRead {
  readonly runner: number
  /** Seconds since the start of the simulation. */
  readonly atS: number
  readonly rssi: number
  readonly antenna: number
}

/** Time to the next arrival of a Poisson process with the given rate (events per second). */
export function nextArrivalS(ratePerS: number, random: () => number): number {
  return -Math.log(1 - random()) / ratePerS
}

/**
 * The reads of one crossing: `reads` detections spread over ~0.4 s, strongest in the middle (the chip right
 * over the antenna), as UHF readers report them.
 */
export function crossingReads(
  runner: number,
  atS: number,
  reads: number,
  random: () => number
): SimulatedRead[] {
  const list: SimulatedRead[] = []
  for (let i = 0; i < reads; i += 1) {
    const phase = reads === 1 ? 0.5 : i / (reads - 1)
    const rssi = Math.round(-75 + 20 * Math.sin(Math.PI * phase) + (random() - 0.5) * 4)
    list.push({ runner, atS: atS + phase * 0.4, rssi, antenna: 1 + Math.floor(random() * 4) })
  }
  return list
}

export interface TrafficOptions {
  /** Reads per second on the wire. */
  readonly rate: number
  readonly runners: number
  readonly readsPerCrossing: number
  /** Share of reads preceded by garbage bytes. */
  readonly noise: number
  readonly random: () => number
  /** Stop after this many reads. */
  readonly limit?: number
}

/** Runners crossing the line over time: ask it what is due at each moment. */
export class TrafficGenerator {
  readonly #o: TrafficOptions
  readonly #crossingRate: number
  #nextCrossingS: number
  #nextRunner = 1
  #queued: SimulatedRead[] = []
  #produced = 0

  constructor(options: TrafficOptions) {
    this.#o = options
    this.#crossingRate = options.rate / options.readsPerCrossing
    this.#nextCrossingS = nextArrivalS(this.#crossingRate, options.random)
  }

  /** The reads due by `nowS` (seconds since the start), each with whether garbage precedes it. */
  due(nowS: number): Array<{ read: SimulatedRead; garbage: boolean }> {
    while (this.#nextCrossingS <= nowS + 0.5) {
      this.#queued.push(
        ...crossingReads(this.#nextRunner, this.#nextCrossingS, this.#o.readsPerCrossing, this.#o.random)
      )
      this.#nextRunner = (this.#nextRunner % this.#o.runners) + 1
      this.#nextCrossingS += nextArrivalS(this.#crossingRate, this.#o.random)
    }
    this.#queued.sort((a, b) => a.atS - b.atS)
    const out: Array<{ read: SimulatedRead; garbage: boolean }> = []
    const limit = this.#o.limit ?? Infinity
    while (
      this.#queued.length > 0 &&
      (this.#queued[0] as SimulatedRead).atS <= nowS &&
      this.#produced < limit
    ) {
      out.push({
        read: this.#queued.shift() as SimulatedRead,
        garbage: this.#o.noise > 0 && this.#o.random() < this.#o.noise
      })
      this.#produced += 1
    }
    return out
  }
}
