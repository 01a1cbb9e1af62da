import { inEnglish } from '../../src/shared/messages'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StationService } from '../../src/core/app/station-service'
import { parseParticipantsFile } from '../../src/core/csv/participants-file'
import { csvRows } from '../../src/core/csv/spreadsheet-csv'
import { lines, openOfflineStation, openStation, tempFolder } from '../helpers/station'

const SEED = Number(process.env['FC_SEED'] ?? Date.now() % 2 ** 31)
console.log(`csv-safety: fast-check seed ${SEED} (set FC_SEED to replay)`)

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/
const BOM = '\uFEFF'

/** What a spreadsheet would read: the file's cells, parsed by a CSV reader independent of how they were written. */
function cellsOf(csv: string): string[][] {
  return parse(csv, { bom: true, relax_column_count: false }) as string[][]
}

/** The value expected back: unchanged, or with one leading apostrophe where it would have started a formula. */
const neutralised = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value)

const TRICKY = [
  '=HYPERLINK("http://evil.example","click")',
  '+1',
  '-2',
  '@SUM(A1:A9)',
  '\t=1',
  '\r=1',
  'a,b',
  'a;b',
  'say "hi"',
  'two\nlines',
  'Núñez Ærø çà',
  "'already quoted",
  ''
]

describe('CSV written for spreadsheets', () => {
  it('any field parses back to the same value, with one apostrophe on a would-be formula, and no cell is a formula', () => {
    const field = fc.oneof(
      fc.constantFrom(...TRICKY),
      fc.string({
        unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ',', ';', '"', "'", 'é', 'a', '1', ' ')
      })
    )
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        rows => {
          const cells = cellsOf(csvRows(rows))
          expect(cells).toEqual(rows.map(row => row.map(neutralised)))
          for (const cell of cells.flat()) expect(FORMULA_START.test(cell)).toBe(false)
        }
      ),
      { seed: SEED, numRuns: 300 }
    )
  })

  it('the export and the on-disk mirror start with a BOM and keep hostile bibs read from a reader as text', async () => {
    const folder = tempFolder()
    const { station, log } = openOfflineStation({
      dataFolder: folder,
      dedup: { windowMs: 0, mode: 'first' }
    })
    // Bibs as a line reader delivers them: captured exactly as read, whatever they look like.
    const hostile = ['=HYPERLINK("http://evil.example","x")', '+41', '-7', '@A1', 'Zed, "Z";1']
    station.ingest('keypad', lines(...hostile))
    await log.until(() => log.of('passing').length === hostile.length, 'every hostile bib as a passing')
    const stored = station.records.passingsOfSession(station.currentSession().id).map(p => p.bib)
    expect(stored).toEqual(hostile)
    const service = new StationService({
      station,
      runtime: 'headless',
      apiUrl: 'http://127.0.0.1:9/v0',
      keySet: true,
      keyStorage: 'command-line'
    })
    station.voidPassing(station.records.passingsOfSession(station.currentSession().id)[0]!.id)
    const { csv } = service.exportCsv(station.currentSession().id)
    expect(csv.startsWith(BOM)).toBe(true)
    const exported = cellsOf(csv)
    expect(exported[0]?.join(',')).toBe(
      'num_passing,bib,chip,timestamp_utc,source,port,captured_at_utc,state,correction,corrected_bib,voided,local_time,name'
    )
    expect(exported.slice(1).map(row => row[1])).toEqual(hostile.map(neutralised))
    expect(exported.slice(1).every(row => row.length === 13)).toBe(true)
    for (const cell of exported.flat()) expect(FORMULA_START.test(cell)).toBe(false)

    const sessions = join(folder, 'sessions')
    const mirror = readFileSync(join(sessions, readdirSync(sessions)[0]!), 'utf8')
    expect(mirror.startsWith(BOM)).toBe(true)
    expect(
      cellsOf(mirror)
        .slice(1)
        .map(row => row[1])
    ).toEqual(hostile.map(neutralised))
  })
})

describe('bibs typed or imported by people', () => {
  it('refuses a control character or an overlong bib with a clear message, and keeps the rest', async () => {
    const { station } = openStation({ apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false })
    await expect(station.recordManual('12\n0,forged,row')).rejects.toThrow(/control character/)
    await expect(station.recordManual('9'.repeat(40))).rejects.toThrow(/at most 32/)
    const ok = await station.recordManual('=1+1')
    expect(ok.bib).toBe('=1+1')
    expect(() => station.fixBib(ok.id, 'A\tB')).toThrow(/control character/)
    const { participants, errors } = parseParticipantsFile('chip,bib\nE1,"7\n8"\nE2,8\n')
    expect(participants).toEqual([{ chip: 'E2', bib: '8', name: null }])
    expect(errors.map(inEnglish)).toEqual([
      expect.stringMatching(/^Line 2: The bib contains a control character/)
    ])
  })

  it('manual entries only within the session’s days, a day either side', async () => {
    const { station } = openStation({ apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false })
    const now = station.clock.nowUs()
    for (const at of [Date.UTC(1970, 0, 1, 0, 0, 1) * 1000, Date.UTC(2100, 0, 1) * 1000]) {
      await expect(station.recordManual('5', at)).rejects.toThrow(
        /outside this session .* check the date and time/
      )
    }
    await expect(station.recordManual('5', now - 30 * 3_600_000_000)).rejects.toThrow(/outside this session/)
    expect((await station.recordManual('5', now - 23 * 3_600_000_000)).bib).toBe('5')
    expect((await station.recordManual('6', now + 23 * 3_600_000_000)).bib).toBe('6')
  })
})

describe('the participants import', () => {
  const expected = [
    { chip: 'E2001', bib: '12', name: 'Núñez, José' },
    { chip: 'E2002', bib: '13', name: 'Smith, John' }
  ]

  it('reads a Spanish-locale spreadsheet file: ; separators and a UTF-8 BOM', () => {
    const file = Buffer.from(
      `${BOM}chip;bib;name\r\nE2001;12;Núñez, José\r\nE2002;13;"Smith, John"\r\n`,
      'utf8'
    )
    expect(parseParticipantsFile(file)).toEqual({ participants: expected, errors: [] })
  })

  it('reads a Windows-1252 file (Excel "CSV" on Western-European Windows)', () => {
    const text = 'chip;bib;name\r\nE2001;12;Núñez, José\r\nE2002;13;Smith, John\r\n'
    const file = Buffer.from(text, 'latin1')
    expect(file.includes(0xf1)).toBe(true)
    expect(parseParticipantsFile(file)).toEqual({ participants: expected, errors: [] })
  })

  it('reads quoted fields with commas and quotes in a comma-separated file', () => {
    const file = Buffer.from(
      'name,bib,chip\n"Núñez, José",12,E2001\n"Smith, John",13,E2002\n"The ""Rocket""",14,E2003\n',
      'utf8'
    )
    const { participants, errors } = parseParticipantsFile(file)
    expect(errors).toEqual([])
    expect(participants).toEqual([...expected, { chip: 'E2003', bib: '14', name: 'The "Rocket"' }])
  })

  it('keeps the whole file when one unquoted name holds a quote, as spreadsheets read it', () => {
    // Strict quoting refused the whole file (0 participants, every chip held without a bib) over one nickname.
    const file = Buffer.from(
      'chip,bib,name\nE2001,12,Dwayne "The Rock" Johnson\nE2002,13,Ann 5\'10"\n',
      'utf8'
    )
    expect(parseParticipantsFile(file)).toEqual({
      participants: [
        { chip: 'E2001', bib: '12', name: 'Dwayne "The Rock" Johnson' },
        { chip: 'E2002', bib: '13', name: 'Ann 5\'10"' }
      ],
      errors: []
    })
  })

  it('a file that cannot be read keeps the participants list in use', async () => {
    const { station } = openStation({ apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false })
    expect(station.importParticipants('chip,bib,name\nE2001,12,Ann\nE2002,13,Bob\n').imported).toBe(2)
    // Excel's "Unicode Text" (UTF-16, tabs), or the wrong file given at a restart: nothing in it can be read.
    const utf16 = Buffer.from('\uFEFFchip\tbib\r\nE2001\t99\r\n', 'utf16le')
    const result = station.importParticipants(utf16)
    expect(result.imported).toBe(0)
    expect(result.errors.map(inEnglish).at(-1)).toMatch(/2 participants already in use are kept/)
    expect(station.records.participantBibs().count).toBe(2)
    expect(station.records.participantName('12')).toBe('Ann')
    // A file that reads but lists nobody (a header only) still empties the list, on purpose.
    expect(station.importParticipants('chip,bib\n')).toEqual({ imported: 0, errors: [] })
    expect(station.records.participantBibs().count).toBe(0)
  })
})
