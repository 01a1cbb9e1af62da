import type { CommandResults } from '../../shared/contract'
import { csvRows, UTF8_BOM } from '../csv/spreadsheet-csv'
import { PASSING_COLUMNS, passingCells } from '../journal/csv-mirror'
import { NotPossible } from '../not-possible'
import type { StationRecords } from '../station/station-reads'
import type { ScreenViews } from './screen-views'

/**
 * A session as a spreadsheet file (the `export.csv` command): every passing with its state and what was corrected,
 * before or after upload. Column names and values stay English, so a script reads any station's file the same.
 */
export function exportSession(
  records: StationRecords,
  views: ScreenViews,
  sessionId: number
): CommandResults['export.csv'] {
  const session = records.session(sessionId)
  if (!session) throw new NotPossible({ code: 'session.not-found', params: { id: sessionId } })
  const corrections = new Map(records.corrections(sessionId).map(c => [c.num, c]))
  const rows = records.passingsOfSession(sessionId).map(p => {
    const c = corrections.get(p.num)
    const correction = c
      ? `${c.kind}${c.newBib ? ` to ${c.newBib}` : ''}${c.afterSync ? ' (after sync: local only)' : ''}`
      : ''
    const view = views.passing(p)
    return [
      ...passingCells(p),
      p.state,
      correction,
      view.correctedBib ?? '',
      view.voided ? 'yes' : '',
      localTimeText(p.timeUs),
      view.name ?? ''
    ]
  })
  return {
    fileName: `session-${session.id}-${session.alias.replace(/[^A-Za-z0-9_-]+/g, '-')}.csv`,
    // `bib` is what RUFUS Cloud has (or will get); `corrected_bib` and `voided` are the station's word after upload.
    // `local_time` is the station's time of day (its time zone), `name` the runner's from the participants list.
    csv:
      UTF8_BOM +
      csvRows([
        [...PASSING_COLUMNS, 'state', 'correction', 'corrected_bib', 'voided', 'local_time', 'name'],
        ...rows
      ])
  }
}

/** A passing's time in the station's time zone, as a spreadsheet reads it: `2026-11-28 10:00:01.234`. */
function localTimeText(us: number): string {
  const at = new Date(Math.floor(us / 1000))
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`
  return `${day} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`
}
