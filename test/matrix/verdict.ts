import type { MatrixReport } from './report'

/**
 * The every-quirk matrix's invariants, each a list of what broke in plain words (empty when it holds), so one case
 * can report every invariant it breaks at once, and the run can end with a table of cases and reasons. Nothing
 * here is relaxed for a reading: a reading the station cannot yet handle fails, and says why.
 */

export interface Verdict {
  readonly invariant: string
  readonly problems: readonly string[]
}

const SHOWN = 6

function listed(items: readonly string[]): string {
  return items.length <= SHOWN ? items.join(', ') : `${items.slice(0, SHOWN).join(', ')} … (${items.length})`
}

/**
 * Every captured passing is in the cloud exactly once, in the cloud session and under the number the journal
 * records, on this device, and the cloud holds nothing else; or it is a conflict, shown, with the cloud's copy in
 * its note as evidence (then its copies are not counted).
 */
export function oncePerPassing(report: MatrixReport): string[] {
  const problems: string[] = []
  const conflictsShown = (report.lastSync?.conflict ?? 0) > 0
  const missing: string[] = []
  const twice: string[] = []
  const misplaced: string[] = []
  const unproven: string[] = []
  for (const { passing, copies } of report.passings) {
    const name = `${passing.bib}#${passing.num}`
    if (passing.state === 'conflict') {
      if (!passing.note || !conflictsShown) unproven.push(name)
      continue
    }
    if (copies.length === 0) missing.push(name)
    if (copies.length > 1) twice.push(`${name}×${copies.length}`)
    const where = copies.filter(
      c => c.token !== passing.cloudToken || c.num !== passing.cloudNum || c.deviceid !== report.deviceid
    )
    if (copies.length === 1 && where.length > 0) misplaced.push(name)
  }
  if (missing.length > 0) problems.push(`not in the cloud: ${listed(missing)}`)
  if (twice.length > 0) problems.push(`in the cloud more than once: ${listed(twice)}`)
  if (misplaced.length > 0)
    problems.push(`not where the journal says (session, number or device): ${listed(misplaced)}`)
  if (unproven.length > 0)
    problems.push(`conflicts without the cloud's answer shown as evidence: ${listed(unproven)}`)
  if (report.strays.length > 0) {
    problems.push(
      `cloud rows that are no captured passing: ${listed(report.strays.map(r => `${r.bib}#${r.num}`))}`
    )
  }
  if (report.lostFromJournal.length > 0) {
    problems.push(
      `reported but not journaled: ${listed(report.lostFromJournal.map(e => `${e.bib}#${e.num_passing}`))}`
    )
  }
  return problems
}

/** Every local session that captured passings has a cloud session and nothing left to send, later ones too. */
export function everySessionUploads(report: MatrixReport): string[] {
  const problems: string[] = []
  for (const session of report.localSessions ?? []) {
    const own = report.captured.filter(p => p.sessionId === session.id)
    if (own.length === 0) continue
    const waiting = own.filter(p => p.state === 'pending' || p.state === 'held' || p.state === 'quarantined')
    if (waiting.length > 0) {
      problems.push(
        `session "${session.alias}" (#${session.id}) did not upload ${waiting.length} of ${own.length}${session.blocked ? ` (blocked: ${session.blocked})` : ''}`
      )
    }
  }
  if (!report.settled) problems.push('the last station never reported everything settled')
  return problems
}

/** No second of the cloud's clock saw more of this station's requests than its ceiling. */
export function ceilingHolds(report: MatrixReport, perSecond: number): string[] {
  const peak = report.requestRate.peakPerSecond
  return peak <= perSecond
    ? []
    : [
        `${peak} requests in one second (ceiling ${perSecond}); by route ${JSON.stringify(report.requests.byRoute)}`
      ]
}

/**
 * Nothing that needs a person is silent: a block is shown with a message and said as an error; a quarantined or
 * conflicting passing was said as a warning or error; and a station that did not settle shows why (a block), never
 * a silent backlog.
 */
export function nothingSilent(report: MatrixReport): string[] {
  const problems: string[] = []
  const sync = report.lastSync
  const loud = (report.notices ?? []).filter(n => n.level === 'warning' || n.level === 'error')
  if (sync?.blocked && !sync.blocked.message)
    problems.push(`a block of kind ${sync.blocked.kind} without words`)
  if (sync?.blocked && !loud.some(n => n.level === 'error')) {
    problems.push(`blocked (${sync.blocked.kind}) but no error was said`)
  }
  if (((sync?.quarantined ?? 0) > 0 || (sync?.conflict ?? 0) > 0) && loud.length === 0) {
    problems.push('passings quarantined or in conflict, and no warning or error was said')
  }
  if (!report.settled && !sync?.blocked) {
    problems.push(
      `stalled with nothing shown: pending ${sync?.pending ?? '?'}, in flight ${sync?.inFlight ?? '?'}, last error ${JSON.stringify(sync?.lastError ?? null)}`
    )
  }
  return problems
}

/** The last station stopped cleanly on SIGTERM. */
export function cleanStop(report: MatrixReport): string[] {
  return report.lastExitCode === 0 ? [] : [`the last station exited ${report.lastExitCode} on SIGTERM`]
}

export function verdicts(report: MatrixReport, perSecond: number): Verdict[] {
  return [
    { invariant: 'each passing once, where the journal says', problems: oncePerPassing(report) },
    { invariant: 'every session uploads', problems: everySessionUploads(report) },
    { invariant: 'request ceiling', problems: ceilingHolds(report, perSecond) },
    { invariant: 'nothing silent', problems: nothingSilent(report) },
    { invariant: 'clean stop', problems: cleanStop(report) }
  ]
}

/** The broken invariants of a case, one line each ("" when all hold). */
export function brokenLines(verdictList: readonly Verdict[]): string {
  return verdictList
    .filter(v => v.problems.length > 0)
    .map(v => `${v.invariant}: ${v.problems.join('; ')}`)
    .join('\n')
}
