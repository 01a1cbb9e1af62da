import { describe, expect, it } from 'vitest'
import type { PassingEvent, SyncEvent } from '../../src/shared/events'
import {
  expectAllSynced,
  expectCleanStop,
  expectCopiesWhereJournalSays,
  expectEveryPassingOnceInCloud,
  expectEveryReportedPassingJournaled,
  expectPeakRequestsPerSecondAtMost
} from './invariants'
import { buildReport, requestRate, type CapturedPassing, type CloudRow, type ReportInput } from './report'

// The report and its invariants are pure: built here from hand-made journals and clouds, so each check is seen
// to fail on the defect it names, not only to pass on a clean run.

const DEVICE = 'D'.repeat(64)
const TOKEN = 'A'.repeat(64)
const OTHER_TOKEN = 'B'.repeat(64)
const T0 = Date.parse('2026-11-29T10:00:00.000Z')

function captured(num: number, bib = String(100 + num)): CapturedPassing {
  return {
    sessionId: 1,
    num,
    bib,
    timestampMs: T0 + num * 1000,
    state: 'synced',
    cloudToken: TOKEN,
    cloudNum: num
  }
}

function rowOf(passing: CapturedPassing, change: Partial<CloudRow> = {}): CloudRow {
  return {
    token: TOKEN,
    deviceid: DEVICE,
    num: passing.num,
    bib: passing.bib,
    timestampMs: passing.timestampMs,
    ...change
  }
}

function event(passing: CapturedPassing): PassingEvent {
  return {
    type: 'passing',
    id: passing.num,
    session: passing.sessionId,
    num_passing: passing.num,
    bib: passing.bib,
    chip: null,
    timestamp: new Date(passing.timestampMs).toISOString(),
    source: 'reader',
    port: '/dev/ttyA',
    state: 'pending'
  }
}

const SYNCED: SyncEvent = {
  type: 'sync',
  pending: 0,
  held: 0,
  synced: 3,
  quarantined: 0,
  conflict: 0,
  inFlight: 0,
  online: true,
  lastError: null,
  lastSyncAt: new Date(T0).toISOString(),
  blocked: null,
  canRead: true
}

const PASSINGS = [captured(1), captured(2), captured(3)]

/** A clean run: three passings captured, reported, each once in the cloud where the journal says. */
function cleanInput(change: Partial<ReportInput> = {}): ReportInput {
  return {
    caseName: 'hand-made',
    captured: PASSINGS,
    reported: PASSINGS.map(event),
    deviceid: DEVICE,
    localTokens: [TOKEN],
    cloudRows: PASSINGS.map(p => rowOf(p)),
    cloudSessions: [{ token: TOKEN, deviceid: DEVICE, active: true }],
    requests: {
      total: 6,
      perSecond: [
        [T0 / 1000, 4],
        [T0 / 1000 + 3, 2]
      ],
      byRoute: { 'POST /passings': 6 }
    },
    faultsInjected: {},
    lastSync: SYNCED,
    settled: true,
    stationStarts: 1,
    lastExitCode: 0,
    elapsedMs: 1000,
    ...change
  }
}

const ALL_INVARIANTS = [
  expectEveryReportedPassingJournaled,
  expectEveryPassingOnceInCloud,
  expectCopiesWhereJournalSays,
  expectAllSynced,
  expectCleanStop
]

describe('the matrix report', () => {
  it('passes every invariant on a clean run and counts per bib', () => {
    const report = buildReport(cleanInput())
    for (const invariant of ALL_INVARIANTS) invariant(report)
    expect(report.perBib).toEqual([
      { bib: '101', captured: 1, inCloud: 1 },
      { bib: '102', captured: 1, inCloud: 1 },
      { bib: '103', captured: 1, inCloud: 1 }
    ])
  })

  it('finds a resent passing (a second row of the same bib and instant) and fails "once in the cloud"', () => {
    const resent = rowOf(captured(2), { num: 7 })
    const report = buildReport(cleanInput({ cloudRows: [...cleanInput().cloudRows, resent] }))
    expect(report.duplicated.map(d => [d.passing.bib, d.copies.length])).toEqual([['102', 2]])
    expect(report.perBib.find(b => b.bib === '102')).toEqual({ bib: '102', captured: 1, inCloud: 2 })
    expect(() => expectEveryPassingOnceInCloud(report)).toThrow(/102#2×2/)
    // The copy under another number is also not where the journal says.
    expect(() => expectCopiesWhereJournalSays(report)).toThrow(/102#2/)
  })

  it('finds a passing the cloud lacks, and a cloud row nobody captured', () => {
    const missing = buildReport(cleanInput({ cloudRows: cleanInput().cloudRows.slice(1) }))
    expect(missing.missing.map(p => p.bib)).toEqual(['101'])
    expect(() => expectEveryPassingOnceInCloud(missing)).toThrow(/101#1×0/)

    const stranger: CloudRow = { ...rowOf(captured(9)), bib: '999' }
    const stray = buildReport(cleanInput({ cloudRows: [...cleanInput().cloudRows, stranger] }))
    expect(stray.strays).toEqual([stranger])
    expect(() => expectEveryPassingOnceInCloud(stray)).toThrow(/999#9/)
  })

  it('tells a passing in another session or device from one where the journal says', () => {
    const moved = [rowOf(captured(1), { token: OTHER_TOKEN }), ...cleanInput().cloudRows.slice(1)]
    const report = buildReport(cleanInput({ cloudRows: moved }))
    expect(report.misplaced.map(p => p.passing.bib)).toEqual(['101'])
    expectEveryPassingOnceInCloud(report)
    expect(() => expectCopiesWhereJournalSays(report)).toThrow(/101#1/)

    const foreign = [rowOf(captured(1), { deviceid: 'E'.repeat(64) }), ...cleanInput().cloudRows.slice(1)]
    expect(() => expectCopiesWhereJournalSays(buildReport(cleanInput({ cloudRows: foreign })))).toThrow(
      /101#1/
    )
  })

  it('finds a reported passing its journal lost', () => {
    const report = buildReport(cleanInput({ captured: PASSINGS.slice(0, 2), cloudRows: [] }))
    expect(report.lostFromJournal.map(e => e.num_passing)).toEqual([3])
    expect(() => expectEveryReportedPassingJournaled(report)).toThrow(/103#3/)
  })

  it('fails "all synced" on a station that did not settle, holds a conflict or shows a block', () => {
    expect(() => expectAllSynced(buildReport(cleanInput({ settled: false })))).toThrow(/last sync state/)
    expect(() =>
      expectAllSynced(buildReport(cleanInput({ lastSync: { ...SYNCED, synced: 2, conflict: 1 } })))
    ).toThrow(/last sync state/)
    const blocked = { kind: 'closed-elsewhere', message: 'Closed elsewhere', action: 'ask' }
    expect(() => expectAllSynced(buildReport(cleanInput({ lastSync: { ...SYNCED, blocked } })))).toThrow(
      /last sync state/
    )
    expect(() => expectAllSynced(buildReport(cleanInput({ lastSync: null })))).toThrow(/last sync state/)
    expect(() => expectCleanStop(buildReport(cleanInput({ lastExitCode: 70 })))).toThrow(/exit code/)
  })

  it('measures requests per second from the cloud log: the peak second and the mean over the active span', () => {
    const report = buildReport(cleanInput())
    expect(report.requestRate).toEqual({ peakPerSecond: 4, meanPerSecond: 6 / 4 })
    expectPeakRequestsPerSecondAtMost(report, 4)
    expect(() => expectPeakRequestsPerSecondAtMost(report, 3)).toThrow(/peak requests per second/)
    expect(requestRate({ total: 0, perSecond: [], byRoute: {} })).toEqual({
      peakPerSecond: 0,
      meanPerSecond: 0
    })
  })
})
