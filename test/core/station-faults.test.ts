import { describe, expect, it } from 'vitest'
import { collectPages, sessionPassingPages } from '../../src/core/rufus/paging'
import { outgoingTimestamp } from '../../src/core/sync/reconcile'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { lines, openStation } from '../helpers/station'

const PASSINGS = 5000
const BATCH = 5

describe.each([
  ['normal', false],
  ['legacy (no de-duplication, no duplicate_count)', true]
])('sync through injected faults against the %s emulator', (_name, legacy) => {
  it(
    `ends with exactly the local passings in the cloud, none twice, none missing, over ${PASSINGS / BATCH}+ batches`,
    { timeout: 120_000 },
    async () => {
      const cloud = await emulator({
        legacy,
        seed: legacy ? 7 : 3,
        faults: {
          serverErrorShare: 0.08,
          rateLimitShare: 0.05,
          retryAfterSeconds: 0,
          dropAfterApplyShare: 0.08,
          latencyMs: 1
        }
      })
      const { station, log } = openStation({
        apiUrl: cloud.apiUrl,
        apiKey: KEYS.readWrite.apiKey,
        batchSize: BATCH,
        // Over a thousand batches through faults: the ceiling of 10 a second would make this a two-minute wait;
        // it has its own tests (test/core/request-ceiling.test.ts, the matrix).
        requestCeiling: { perSecond: 1000 }
      })
      for (let start = 1; start <= PASSINGS; start += 100) {
        station.ingest('p', lines(...Array.from({ length: 100 }, (_, i) => `B${start + i}`)))
      }
      await log.until(() => log.of('passing').length === PASSINGS, 'all captured', 30_000)
      await log.untilSynced(PASSINGS, 100_000)
      cloud.setFaults({})

      expect(cloud.stats.insertPassingsRequests).toBeGreaterThanOrEqual(PASSINGS / BATCH)
      expect(cloud.stats.faults['drop-after-apply']).toBeGreaterThan(20)
      expect(cloud.stats.faults['server-error']).toBeGreaterThan(20)
      expect(cloud.stats.faults['rate-limit']).toBeGreaterThan(10)

      const session = station.currentSession()
      const local = station.records.passingsOfSession(session.id)
      const remote = await collectPages(sessionPassingPages(clientFor(cloud, KEYS.read), session.token ?? ''))
      expect(remote.length).toBe(local.length)
      expect(new Set(remote.map(p => p.num_passing)).size).toBe(remote.length)
      const expected = local.map(p => [p.num, p.bib, outgoingTimestamp(p.timeUs)])
      expect(remote.map(p => [p.num_passing, p.bib, p.timestamp])).toEqual(expected)
      expect(log.lastSync()).toMatchObject({ conflict: 0, quarantined: 0, pending: 0 })
    }
  )
})
