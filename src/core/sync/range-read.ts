import type { RufusCloud } from '../rufus/cloud'
import type { CloudPassing } from '../rufus/schemas'

/** At most this many requests for one read-back of a batch (a batch of 5000 over pages of 1000 needs 6). */
export const READ_BACK_MAX_REQUESTS = 12

export interface RangeRead {
  /** What the cloud holds in the range, by number (copies of a number counted as far as one page showed them). */
  readonly passings: readonly CloudPassing[]
  /** False when the request cap was reached before the range was walked to its end. */
  readonly complete: boolean
  /** The highest number up to which the read is whole (`last` when complete): past it, what is missing is unknown. */
  readonly walkedTo: number
  readonly requests: number
}

/**
 * Reads a session's passings numbered `first..last` (`last` null: to the end) by walking the numbers, never the page
 * index, so every reading of U8 gives the same answer. Each request asks for the window `lo-1..last+1` without
 * `page` (the first page in either page base; inclusive or exclusive bounds, both cover `lo..last`; once the number
 * below comes back, the bounds are inclusive and windows start at `lo`), keeps what lies in `lo..last`, and moves
 * `lo` past the highest number it got. It stops when a window brings nothing from `lo` on, when it reaches `last`,
 * or after `maxRequests` (then `complete` is false). A cloud that ignores `page`, pages of any size, exclusive
 * bounds: all end, bounded.
 */
export async function readRange(
  cloud: Pick<RufusCloud, 'sessionPassings'>,
  token: string,
  first: number,
  last: number | null,
  maxRequests = READ_BACK_MAX_REQUESTS
): Promise<RangeRead> {
  const found: CloudPassing[] = []
  const top = last ?? Infinity
  let lo = first
  let widen = true
  for (let requests = 1; requests <= maxRequests; requests += 1) {
    const from = widen ? Math.max(0, lo - 1) : lo
    const page = await cloud.sessionPassings(
      token,
      last === null ? { first: from } : { first: from, last: last + 1 }
    )
    // The number below the window came back: bounds are inclusive, so no window needs widening from now on.
    const inclusive = widen && from < lo && page.some(p => p.num_passing === from)
    if (inclusive) widen = false
    const fresh = page.filter(p => p.num_passing >= lo && p.num_passing <= top)
    if (fresh.length === 0) {
      // A page filled by the number below `lo` alone says nothing of `lo` on: ask again from `lo` itself.
      if (inclusive) continue
      return done(found, top, requests)
    }
    found.push(...fresh)
    const highest = fresh.reduce((max, p) => Math.max(max, p.num_passing), lo)
    if (highest >= top) return done(found, top, requests)
    lo = highest + 1
  }
  return done(found, lo - 1, maxRequests, false)
}

function done(found: CloudPassing[], walkedTo: number, requests: number, complete = true): RangeRead {
  return { passings: found.sort((a, b) => a.num_passing - b.num_passing), complete, walkedTo, requests }
}

/** At most this many requests to walk a whole session (the screens' comparison, adopting a session). */
export const WHOLE_SESSION_MAX_REQUESTS = 1000

/** Every passing of a session, walked by number as `readRange` does, the top left open. */
export function readWholeSession(
  cloud: Pick<RufusCloud, 'sessionPassings'>,
  token: string
): Promise<RangeRead> {
  return readRange(cloud, token, 0, null, WHOLE_SESSION_MAX_REQUESTS)
}
