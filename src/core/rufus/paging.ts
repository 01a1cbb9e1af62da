import { PASSINGS_PAGE_SIZE, type DateRangeQuery, type RufusClient } from './client'
import type { RangeQuery, RufusCloud } from './cloud'
import type { CloudPassing } from './schemas'

/** Walks pages 1, 2, 3 … until a short page (fewer than 5000) or "Passings not found". */
async function* walkPages(
  readPage: (page: number) => Promise<readonly CloudPassing[]>
): AsyncGenerator<readonly CloudPassing[]> {
  for (let page = 1; ; page += 1) {
    const passings = await readPage(page)
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
