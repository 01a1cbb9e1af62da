import { PASSINGS_PAGE_SIZE, type DateRangeQuery, type RufusClient } from './client'
import type { RangeQuery, RufusCloud } from './cloud'
import type { CloudPassing } from './schemas'

/** Pages walked at most (five million passings at 5000 a page). */
export const MAX_PAGES = 1000

function samePassing(a: CloudPassing | undefined, b: CloudPassing | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.token_session === b.token_session &&
    a.num_passing === b.num_passing &&
    a.timestamp === b.timestamp
  )
}

/**
 * Walks pages 1, 2, 3 … until a short page (fewer than 5000) or an empty list. A page that starts with the same
 * passing as the one before means the cloud ignores `page` (U8): the walk ends there rather than loop, and it never
 * goes past `MAX_PAGES`. (The sync engine reads by number instead: `core/sync/range-read.ts`.)
 */
async function* walkPages(
  readPage: (page: number) => Promise<readonly CloudPassing[]>
): AsyncGenerator<readonly CloudPassing[]> {
  let previous: CloudPassing | undefined
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const passings = await readPage(page)
    if (samePassing(passings[0], previous)) return
    previous = passings[0]
    if (passings.length > 0) yield passings
    if (passings.length < PASSINGS_PAGE_SIZE) return
  }
}

/** Every page of a session's passings between `first` and `last` (inclusive, either may be open). */
export function sessionPassingPages(
  cloud: Pick<RufusCloud, 'sessionPassings'>,
  token: string,
  range: Omit<RangeQuery, 'page'> = {}
): AsyncGenerator<readonly CloudPassing[]> {
  return walkPages(page => cloud.sessionPassings(token, { ...range, page }))
}

/** Every page of a device's passings between `from` and `to` (inclusive, either may be open). */
export function devicePassingPages(
  client: Pick<RufusClient, 'devicePassings'>,
  deviceid: string,
  range: Omit<DateRangeQuery, 'page'> = {}
): AsyncGenerator<readonly CloudPassing[]> {
  return walkPages(page => client.devicePassings(deviceid, { ...range, page }))
}

/** Collects all pages into one array (tests and reconciliation of bounded ranges). */
export async function collectPages(pages: AsyncIterable<readonly CloudPassing[]>): Promise<CloudPassing[]> {
  const all: CloudPassing[] = []
  for await (const page of pages) all.push(...page)
  return all
}
