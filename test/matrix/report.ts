import type { RequestCounts } from '../../src/emulator/request-log'
import type { PassingEvent, SyncEvent } from '../../src/shared/events'

/**
 * What one matrix case ends with, put side by side: the passings the station captured (its journal) against the
 * cloud's rows (the emulator's database), the cloud's own request counts and the station's last sync state.
 * Pure: the harness gathers the inputs, this file only compares them, so a report can be built by hand in a test.
 */

/** A passing as the station's journal holds it after the run (voided ones are left out: they never go up). */
export interface CapturedPassing {
  readonly sessionId: number
  readonly num: number
  readonly bib: string
  /** Milliseconds since the epoch, as the station sends it (its microseconds cut to the millisecond). */
  readonly timestampMs: number
  readonly state: string
  /** The cloud session it belongs in, as the journal records it (the passing's own, else its session's). */
  readonly cloudToken: string | null
  /** The number it goes up with (its local number plus its session's offset). */
  readonly cloudNum: number
  /** Why it stands as it does (a conflict's note carries the cloud's copy), in English. */
  readonly note?: string | null
}

/** A local session as the journal ends: its cloud session (null: never attached) and whether it was closed. */
export interface LocalSession {
  readonly id: number
  readonly alias: string
  readonly token: string | null
  readonly closed: boolean
  readonly blocked: string | null
}

/** A notice a station printed (`info`, `warning`, `error`), with its code and English words. */
export interface Notice {
  readonly level: 'info' | 'warning' | 'error'
  readonly code: string
  readonly message: string
}

/** One row of the cloud's passings table. */
export interface CloudRow {
  readonly token: string
  readonly deviceid: string
  readonly num: number
  readonly bib: string
  readonly timestampMs: number
}

export interface CloudSession {
  readonly token: string
  readonly deviceid: string
  readonly active: boolean
}

export interface ReportInput {
  readonly caseName: string
  readonly captured: readonly CapturedPassing[]
  /** Every `passing` event the station runs printed, across kills. */
  readonly reported: readonly PassingEvent[]
  /** The station's own device id and the cloud tokens its journal knows. */
  readonly deviceid: string | null
  readonly localTokens: readonly string[]
  readonly cloudRows: readonly CloudRow[]
  readonly cloudSessions: readonly CloudSession[]
  /** The emulator's request log (`GET /admin/requests`). */
  readonly requests: RequestCounts
  /** Faults the emulator injected, per kind. */
  readonly faultsInjected: Readonly<Record<string, number>>
  readonly lastSync: SyncEvent | null
  /** The last station reported everything settled (nothing pending or in flight) before the deadline. */
  readonly settled: boolean
  readonly stationStarts: number
  /** The journal's sessions (the matrix checks that each one uploads). */
  readonly localSessions?: readonly LocalSession[]
  /** Every notice the stations printed, across kills (bounded by the harness). */
  readonly notices?: readonly Notice[]
  /** Exit code of the last, gracefully stopped station. */
  readonly lastExitCode: number | null
  readonly elapsedMs: number
}

export interface PassingInCloud {
  readonly passing: CapturedPassing
  /** The cloud rows that are this passing: same bib and same instant. */
  readonly copies: readonly CloudRow[]
}

export interface BibCount {
  readonly bib: string
  readonly captured: number
  readonly inCloud: number
}

export interface MatrixReport extends ReportInput {
  readonly passings: readonly PassingInCloud[]
  readonly perBib: readonly BibCount[]
  readonly missing: readonly CapturedPassing[]
  readonly duplicated: readonly PassingInCloud[]
  /** Cloud rows that are no captured passing at all. */
  readonly strays: readonly CloudRow[]
  /** Passings whose copy is not where the journal says it went (another session, number or device). */
  readonly misplaced: readonly PassingInCloud[]
  /** Passings reported by a station (a `passing` event) that its journal no longer holds. */
  readonly lostFromJournal: readonly PassingEvent[]
  readonly requestRate: { readonly peakPerSecond: number; readonly meanPerSecond: number }
}

const identity = (bib: string, timestampMs: number) => `${bib}\u0000${timestampMs}`

/** Peak and mean requests per second over the seconds from the first request to the last. */
export function requestRate(requests: RequestCounts): MatrixReport['requestRate'] {
  const seconds = requests.perSecond.map(([second]) => second)
  if (seconds.length === 0) return { peakPerSecond: 0, meanPerSecond: 0 }
  const span = Math.max(...seconds) - Math.min(...seconds) + 1
  const counted = requests.perSecond.reduce((sum, [, count]) => sum + count, 0)
  return {
    peakPerSecond: Math.max(...requests.perSecond.map(([, count]) => count)),
    meanPerSecond: counted / span
  }
}

export function buildReport(input: ReportInput): MatrixReport {
  const rowsByIdentity = new Map<string, CloudRow[]>()
  for (const row of input.cloudRows) {
    const key = identity(row.bib, row.timestampMs)
    rowsByIdentity.set(key, [...(rowsByIdentity.get(key) ?? []), row])
  }
  const passings = input.captured.map(passing => ({
    passing,
    copies: rowsByIdentity.get(identity(passing.bib, passing.timestampMs)) ?? []
  }))
  const claimed = new Set(input.captured.map(p => identity(p.bib, p.timestampMs)))
  const bibs = new Map<string, { captured: number; inCloud: number }>()
  const countBib = (bib: string, field: 'captured' | 'inCloud') => {
    const counts = bibs.get(bib) ?? { captured: 0, inCloud: 0 }
    counts[field] += 1
    bibs.set(bib, counts)
  }
  for (const passing of input.captured) countBib(passing.bib, 'captured')
  for (const row of input.cloudRows) countBib(row.bib, 'inCloud')
  const journaled = new Set(input.captured.map(p => `${p.sessionId}/${p.num}`))
  return {
    ...input,
    passings,
    perBib: [...bibs].map(([bib, counts]) => ({ bib, ...counts })),
    missing: passings.filter(p => p.copies.length === 0).map(p => p.passing),
    duplicated: passings.filter(p => p.copies.length > 1),
    strays: input.cloudRows.filter(row => !claimed.has(identity(row.bib, row.timestampMs))),
    misplaced: passings.filter(({ passing, copies }) =>
      copies.some(
        copy =>
          copy.token !== passing.cloudToken ||
          copy.num !== passing.cloudNum ||
          copy.deviceid !== input.deviceid
      )
    ),
    lostFromJournal: input.reported.filter(event => !journaled.has(`${event.session}/${event.num_passing}`)),
    requestRate: requestRate(input.requests)
  }
}

const bibsOf = (passings: readonly CapturedPassing[]) => passings.map(p => `${p.bib}#${p.num}`).join(' ')

/** A few lines that say what a case did, for the test log and for a failed invariant's message. */
export function summary(report: MatrixReport): string {
  const sync = report.lastSync
  return [
    `${report.caseName}: ${report.captured.length} captured, ${report.cloudRows.length} cloud rows in ${report.cloudSessions.length} cloud session(s); ` +
      `missing ${report.missing.length}, duplicated ${report.duplicated.length}, strays ${report.strays.length}, misplaced ${report.misplaced.length}, lost from journal ${report.lostFromJournal.length}`,
    `  requests ${report.requests.total} (peak ${report.requestRate.peakPerSecond}/s, mean ${report.requestRate.meanPerSecond.toFixed(1)}/s) ${JSON.stringify(report.requests.byRoute)}; faults ${JSON.stringify(report.faultsInjected)}`,
    `  last sync: ${sync ? `pending ${sync.pending}, held ${sync.held}, synced ${sync.synced}, quarantined ${sync.quarantined}, conflict ${sync.conflict}, in flight ${sync.inFlight}, error ${JSON.stringify(sync.lastError)}, blocked ${JSON.stringify(sync.blocked)}` : 'none'}; settled ${report.settled}`,
    `  ${report.stationStarts} station start(s), last exit ${report.lastExitCode}, ${(report.elapsedMs / 1000).toFixed(1)} s`,
    ...(report.missing.length > 0 ? [`  missing: ${bibsOf(report.missing)}`] : []),
    ...(report.duplicated.length > 0
      ? [`  duplicated: ${report.duplicated.map(d => `${d.passing.bib}×${d.copies.length}`).join(' ')}`]
      : [])
  ].join('\n')
}
