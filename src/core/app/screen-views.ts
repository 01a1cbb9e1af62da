import type { CloudPassingView, PassingView, SessionView } from '../../shared/contract'
import type { StationMessage } from '../../shared/messages'
import type { PassingRecord, SessionRecord } from '../journal/journal'
import type { CloudPassing } from '../rufus/schemas'
import type { StationRecords } from '../station/station-reads'
import { outgoingTimestamp } from '../sync/reconcile'

function iso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString()
}

/** Whether the cloud has this passing as uploaded (so a correction here stays local). */
function uploaded(p: PassingRecord): boolean {
  return p.state === 'synced' || p.state === 'conflict'
}

/**
 * How the journal's records look on a screen: a passing with its runner's name and what a correction after upload
 * left different from the cloud, a session with its counts and time span. Reads only.
 */
export class ScreenViews {
  readonly #records: StationRecords

  constructor(records: StationRecords) {
    this.#records = records
  }

  passing(p: PassingRecord): PassingView {
    const difference = uploaded(p) ? this.#records.afterSyncDifference(p.id) : null
    return {
      id: p.id,
      session: p.sessionId,
      num: p.num,
      bib: p.bib,
      name: p.bib ? this.#records.participantName(p.bib) : null,
      chip: p.chip,
      timestamp: outgoingTimestamp(p.timeUs),
      source: p.source,
      port: p.port,
      state: p.state,
      note: this.#note(p),
      correctedBib: difference?.correctedBib ?? null,
      voided: p.state === 'void' || (difference?.voided ?? false),
      differsFromCloud: difference !== null
    }
  }

  /** `cloudActive`: whether the cloud lists the session as active (null: not asked, or not known there). */
  session(s: SessionRecord, cloudActive: boolean | null = null): SessionView {
    const counts = this.#records.counts(s.id)
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    const range = this.#records.sessionTimeRange(s.id)
    return {
      id: s.id,
      alias: s.alias,
      token: s.token,
      cloudState: s.cloudState,
      closed: s.closedAtUs !== null,
      openedAt: iso(s.openedAtUs),
      counts: { total, synced: counts.synced, pending: counts.pending + counts.held },
      first: range.firstUs === null ? null : iso(range.firstUs),
      last: range.lastUs === null ? null : iso(range.lastUs),
      cloudActive
    }
  }

  /** A correction made after sync stays local: say so next to the passing. */
  #note(p: PassingRecord): StationMessage | null {
    const correction = uploaded(p) ? this.#records.latestCorrection(p.id) : null
    if (correction?.afterSync) {
      return correction.kind === 'void'
        ? { code: 'note.voided-after-upload', params: {} }
        : { code: 'note.bib-fixed-after-upload', params: { bib: correction.newBib ?? '' } }
    }
    return p.note
  }
}

export function cloudPassingView(p: CloudPassing): CloudPassingView {
  return { num: p.num_passing, bib: p.bib, chip: p.chip, timestamp: p.timestamp }
}
