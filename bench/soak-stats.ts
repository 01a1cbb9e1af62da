/** One sample the soak probe sends from inside the station (see `soak-probe.mjs`). */
export interface ProbeSample {
  /** Wall clock of the sample, ms. */
  readonly atMs: number
  /** Heap in use right after a forced full GC, bytes. */
  readonly heapUsed: number
  readonly rss: number
  /** User + system CPU time since the process started, µs, less what the probe's own forced GCs took. */
  readonly cpuUs: number
  /** The system (kernel) part of the CPU time, µs, forced GCs included (they spend next to none there). */
  readonly cpuSystemUs: number
  /** Event-loop delay since the previous sample, ms. */
  readonly loopP99Ms: number
  readonly loopMaxMs: number
}

export interface Line {
  /** Change of y per unit of x. */
  readonly slope: number
  readonly intercept: number
}

/** Least-squares line through the points; NaN slope with fewer than two distinct x. */
export function linearFit(points: ReadonlyArray<readonly [number, number]>): Line {
  const n = points.length
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN }
  let sx = 0
  let sy = 0
  for (const [x, y] of points) {
    sx += x
    sy += y
  }
  const mx = sx / n
  const my = sy / n
  let sxx = 0
  let sxy = 0
  for (const [x, y] of points) {
    sxx += (x - mx) * (x - mx)
    sxy += (x - mx) * (y - my)
  }
  if (sxx === 0) return { slope: Number.NaN, intercept: Number.NaN }
  const slope = sxy / sxx
  return { slope, intercept: my - slope * mx }
}

const MB = 1024 * 1024
const HOUR_MS = 3_600_000

/** Heap growth in MB per hour, by least squares over the samples given (the steady part of a run). */
export function heapGrowthMbPerHour(samples: readonly ProbeSample[]): number {
  return linearFit(samples.map(s => [s.atMs, s.heapUsed / MB] as const)).slope * HOUR_MS
}

/** The share of one core the process used between the first and last sample (0.05 = 5 %). */
export function cpuShare(samples: readonly ProbeSample[]): number {
  const first = samples[0]
  const last = samples.at(-1)
  if (!first || !last || last.atMs <= first.atMs) return Number.NaN
  return (last.cpuUs - first.cpuUs) / 1000 / (last.atMs - first.atMs)
}

/** The share of one core spent in the kernel between the first and last sample. */
export function systemShare(samples: readonly ProbeSample[]): number {
  const first = samples[0]
  const last = samples.at(-1)
  if (!first || !last || last.atMs <= first.atMs) return Number.NaN
  return (last.cpuSystemUs - first.cpuSystemUs) / 1000 / (last.atMs - first.atMs)
}

/** The samples whose time lies in [fromMs, toMs]. */
export function between(samples: readonly ProbeSample[], fromMs: number, toMs: number): ProbeSample[] {
  return samples.filter(s => s.atMs >= fromMs && s.atMs <= toMs)
}
