import { cloudCopyMatches, copiesByNumber } from '../../shared/cloud-copy'
import type { PassingRecord } from '../journal/journal'

/** What the cloud holds under one number, as read back. */
export interface CloudCopy {
  readonly num_passing: number
  readonly bib: string
  readonly chip: string | null
  readonly timestamp: string
}

export interface Reconciliation {
  /** In the cloud exactly as sent. */
  readonly confirmed: ReadonlyArray<{ readonly passing: PassingRecord; readonly copies: number }>
  /** Not in the cloud: to be sent (again). */
  readonly missing: readonly PassingRecord[]
  /** The cloud holds something else under this number. */
  readonly conflicts: ReadonlyArray<{ readonly passing: PassingRecord; readonly cloud: CloudCopy }>
}

/** The passing as the station sends it: bib, chip, and the timestamp at millisecond precision. */
export function outgoingTimestamp(timeUs: number): string {
  return new Date(Math.floor(timeUs / 1000)).toISOString()
}

function matches(local: PassingRecord, cloud: CloudCopy): boolean {
  return cloudCopyMatches(
    { bib: local.bib, chip: local.chip, timestamp: outgoingTimestamp(local.timeUs) },
    cloud
  )
}

/**
 * Compares local passings with what the cloud holds in the same range of numbers (cloud number = local number
 * + offset). A number whose copies all differ from the local passing is a conflict: never marked synced.
 */
export function reconcile(
  local: readonly PassingRecord[],
  cloud: readonly CloudCopy[],
  offset: number
): Reconciliation {
  const byNumber = copiesByNumber(cloud, copy => copy.num_passing)
  const confirmed: Array<{ passing: PassingRecord; copies: number }> = []
  const missing: PassingRecord[] = []
  const conflicts: Array<{ passing: PassingRecord; cloud: CloudCopy }> = []
  for (const passing of local) {
    const copies = byNumber.get(passing.num + offset) ?? []
    if (copies.length === 0) missing.push(passing)
    else if (copies.some(copy => matches(passing, copy))) confirmed.push({ passing, copies: copies.length })
    else conflicts.push({ passing, cloud: copies[0] as CloudCopy })
  }
  return { confirmed, missing, conflicts }
}
