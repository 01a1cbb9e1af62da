import { expect } from 'vitest'
import { summary, type MatrixReport } from './report'

/**
 * What must hold after a matrix case, one check each, so a case (or the next issue's quirk cases) picks the ones
 * its reading promises. Each failure message carries the case's summary: what was captured, what the cloud holds,
 * the requests and the last sync state.
 */

/** Fails with the listed faults in the message itself (a diff of long arrays is cut short). */
function expectNone(faults: readonly string[], what: string, report: MatrixReport): void {
  expect(faults, `${what}: ${faults.join(', ')}\n${summary(report)}`).toEqual([])
}

/** Capture never loses: every passing a station reported is still in its journal after the kills. */
export function expectEveryReportedPassingJournaled(report: MatrixReport): void {
  expectNone(
    report.lostFromJournal.map(event => `${event.bib}#${event.num_passing}`),
    'passings reported but not journaled',
    report
  )
}

/** Every captured passing is in the cloud exactly once, and the cloud holds nothing that was not captured. */
export function expectEveryPassingOnceInCloud(report: MatrixReport): void {
  expectNone(
    report.passings
      .filter(p => p.copies.length !== 1)
      .map(p => `${p.passing.bib}#${p.passing.num}×${p.copies.length}`),
    'passings not in the cloud exactly once',
    report
  )
  expectNone(
    report.strays.map(row => `${row.bib}#${row.num}`),
    'cloud rows that are no captured passing',
    report
  )
}

/** Each cloud copy is where the journal says the passing went: its recorded session, number and device. */
export function expectCopiesWhereJournalSays(report: MatrixReport): void {
  const place = (token: string | null, num: number) => `${token?.slice(0, 8)}…#${num}`
  expectNone(
    report.misplaced.map(
      ({ passing, copies }) =>
        `${passing.bib}#${passing.num} (journal ${place(passing.cloudToken, passing.cloudNum)}, cloud ${copies.map(c => `${place(c.token, c.num)} of device ${c.deviceid.slice(0, 8)}…`).join(' and ')})`
    ),
    'passings not where the journal says',
    report
  )
}

/** The station ended with nothing pending, held, in flight, quarantined or in conflict, and no block shown. */
export function expectAllSynced(report: MatrixReport): void {
  const sync = report.lastSync
  expect(
    {
      settled: report.settled,
      pending: sync?.pending,
      held: sync?.held,
      inFlight: sync?.inFlight,
      quarantined: sync?.quarantined,
      conflict: sync?.conflict,
      synced: sync?.synced,
      blocked: sync?.blocked
    },
    `the station's last sync state\n${summary(report)}`
  ).toEqual({
    settled: true,
    pending: 0,
    held: 0,
    inFlight: 0,
    quarantined: 0,
    conflict: 0,
    synced: report.captured.length,
    blocked: null
  })
}

/** The last station stopped cleanly on SIGTERM. */
export function expectCleanStop(report: MatrixReport): void {
  expect(report.lastExitCode, `the last station's exit code\n${summary(report)}`).toBe(0)
}

/**
 * The station's requests stayed within `limit` in every second of the cloud's clock. A count, not a duration:
 * a resend loop shows as hundreds a second on any machine.
 */
export function expectPeakRequestsPerSecondAtMost(report: MatrixReport, limit: number): void {
  expect(
    report.requestRate.peakPerSecond,
    `peak requests per second\n${summary(report)}`
  ).toBeLessThanOrEqual(limit)
}
