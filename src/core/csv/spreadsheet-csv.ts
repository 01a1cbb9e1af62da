import { stringify } from 'csv-stringify/sync'

/** A UTF-8 byte order mark: spreadsheets read accents right only when the file starts with it. */
export const UTF8_BOM = '\uFEFF'

/**
 * CSV rows a spreadsheet cannot misread: every field quoted where it needs to be (separators, quotes, line breaks),
 * and a field that would start a formula (`=`, `+`, `-`, `@`, tab, CR) given one leading apostrophe, so
 * `=HYPERLINK(…)` typed as a bib or read from a tag is shown as text and never run. csv-stringify does both.
 */
export function csvRows(rows: readonly (readonly (string | number | null)[])[]): string {
  return stringify(
    rows.map(row => row.map(cell => (cell === null ? '' : String(cell)))),
    // csv-stringify quotes a field with a line feed but not one with a lone CR, which spreadsheets also split on.
    { escape_formulas: true, record_delimiter: 'unix', quoted_match: /\r/ }
  )
}
