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
