import { rulesOf } from '../../src/emulator/quirks'
import type { Batch, CloudFaults, MatrixCase } from './harness'

/**
 * The matrix's cases as data. A reading is one way the cloud may answer the docs' open questions (a set of
 * quirks, maybe the envelope); every reading runs in the same few variants, so adding a reading (a quirk alone,
 * a compatible set, a pair) is one line in a table. This issue runs the default reading only.
 */

export interface Reading {
  readonly name: string
  readonly quirks: readonly string[]
  readonly envelope?: boolean
}

export const DEFAULT_READING: Reading = { name: 'default reading', quirks: [] }

/** `count` bibs from `first` on, as strings: one passing each. */
export function bibs(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(first + i))
}

/**
 * Three batches of six passings, the station killed (SIGKILL) right after capturing each of the first two, while
 * their upload is likely in flight; a new station starts for each next batch and for the drain.
 */
export const KILLED_BETWEEN_BATCHES: readonly Batch[] = [
  { bibs: bibs(101, 6), then: 'kill' },
  { bibs: bibs(201, 6), then: 'kill' },
  { bibs: bibs(301, 6), then: 'keep' }
]

/** Of the requests, 15 % answered 5xx before being applied and 15 % applied with the answer dropped. */
export const SERVER_ERRORS_AND_DROPPED_ANSWERS: CloudFaults = {
  serverErrorShare: 0.15,
  dropAfterApplyShare: 0.15
}

/** `--legacy` (no de-duplication, so any resend shows as an extra row) can be added to this reading. */
function legacyCombines(reading: Reading): boolean {
  try {
    rulesOf(reading.quirks, true)
    return true
  } catch {
    return false
  }
}

/**
 * The variants a reading runs in: as it is and with `--legacy`, each without and with faults; the station is
 * killed between batches in all of them. `--legacy` variants are left out for a reading that contradicts it.
 */
export function casesFor(reading: Reading, seed = 1): MatrixCase[] {
  const base = { quirks: reading.quirks, envelope: reading.envelope, batches: KILLED_BETWEEN_BATCHES, seed }
  const legacy = legacyCombines(reading) ? [false, true] : [false]
  return legacy.flatMap(isLegacy =>
    [undefined, SERVER_ERRORS_AND_DROPPED_ANSWERS].map(faults => ({
      ...base,
      name: [
        reading.name,
        ...(isLegacy ? ['--legacy'] : []),
        ...(faults ? ['5xx and dropped answers'] : [])
      ].join(', '),
      legacy: isLegacy,
      faults
    }))
  )
}
