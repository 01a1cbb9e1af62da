import { parse } from 'csv-parse/sync'
import type { StationMessage } from '../../shared/messages'
import type { Participant } from '../reader/bib-policy'
import { typedBibProblem } from '../reader/bib-policy'

/**
 * The text of a file saved by any spreadsheet: UTF-8 (with or without a BOM) when the bytes are valid UTF-8, else
 * Windows-1252, which is what Excel writes as "CSV" on Western-European Windows.
 */
export function decodeSpreadsheetText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    return new TextDecoder('windows-1252').decode(bytes)
  }
}

type Rows = string[][]

function parseRows(text: string, delimiter: ',' | ';'): Rows | null {
  try {
    return parse(text, {
      bom: true,
      delimiter,
      relax_column_count: true,
      // A quote inside an unquoted field (`Dwayne "The Rock" Johnson`, `5'10"`) is text, as spreadsheets read it:
      // strict parsing threw, and one such name lost the whole file under a message blaming the header.
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true
    }) as Rows
  } catch {
    return null
  }
}

const header = (rows: Rows | null) => (rows?.[0] ?? []).map(h => h.toLowerCase())

/**
 * Parses a participants file with a header naming `chip` and `bib` (and optionally `name`). The separator is the one
 * that makes the header name both columns: `;` (spreadsheets in locales where the comma is the decimal mark) or `,`.
 * Problems are reported by line, in words a timer understands; good lines are kept.
 */
export function parseParticipantsFile(input: string | Uint8Array): {
  participants: Participant[]
  errors: StationMessage[]
} {
  const text = typeof input === 'string' ? input : decodeSpreadsheetText(input)
  if (text.replace(/^\uFEFF/, '').trim() === '')
    return { participants: [], errors: [{ code: 'participants.empty-file', params: {} }] }
  const rows = [parseRows(text, ';'), parseRows(text, ',')].find(r => {
    const names = header(r)
    return names.includes('chip') && names.includes('bib')
  })
  if (!rows) {
    return {
      participants: [],
      errors: [{ code: 'participants.no-header', params: {} }]
    }
  }
  const names = header(rows)
  const chipColumn = names.indexOf('chip')
  const bibColumn = names.indexOf('bib')
  const nameColumn = names.indexOf('name')
  const participants: Participant[] = []
  const errors: StationMessage[] = []
  const seen = new Map<string, number>()
  rows.slice(1).forEach((cells, index) => {
    const line = index + 2
    const chip = cells[chipColumn] ?? ''
    const bib = cells[bibColumn] ?? ''
    if (!chip || !bib) {
      errors.push({ code: 'participants.line-empty', params: { line } })
      return
    }
    const problem = typedBibProblem(bib)
    if (problem) {
      errors.push({ code: 'participants.line-bib', params: { line, problem } })
      return
    }
    const earlier = seen.get(chip)
    if (earlier !== undefined) {
      errors.push({ code: 'participants.chip-repeated', params: { line, chip, earlier } })
    }
    seen.set(chip, line)
    participants.push({ chip, bib, name: nameColumn >= 0 ? cells[nameColumn] || null : null })
  })
  return { participants, errors }
}
