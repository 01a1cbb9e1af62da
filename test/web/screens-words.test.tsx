import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, describe, expect, it } from 'vitest'
import type { PassingView, StationSnapshot } from '../../src/shared/contract'
import { LANGUAGES } from '../../src/shared/languages'
import { PASSING_STATE_LABELS, PASSING_STATE_NAMES, PASSING_STATES } from '../../src/shared/states'
import { elapsedText, finishersOf } from '../../src/renderer/src/announcer/finishers'
import { bibFilter, bibMatches, localTimeToIso, timeRange } from '../../src/renderer/src/browser/search'
import { AnnouncerScreen } from '../../src/renderer/src/screens/AnnouncerScreen'
import { PassingsTable } from '../../src/renderer/src/components/PassingsTable'
import { INITIAL_STATE, useStation } from '../../src/renderer/src/store'

afterEach(() => useStation.setState(INITIAL_STATE, true))

const passing = (id: number, bib: string | null, overrides: Partial<PassingView> = {}): PassingView => ({
  id,
  session: 1,
  num: id,
  bib,
  name: bib ? `Runner ${bib}` : null,
  chip: `E2000017${id}C0DE`,
  timestamp: new Date(Date.UTC(2026, 10, 28, 9, 0, id)).toISOString(),
  source: 'reader',
  port: '/dev/ttyUSB0',
  state: 'synced',
  note: null,
  correctedBib: null,
  voided: false,
  differsFromCloud: false,
  ...overrides
})

describe('one word per passing state', () => {
  it('a row and a counter name every state with the same word, in every language', () => {
    for (const language of LANGUAGES) {
      for (const state of PASSING_STATES) {
        const row = PASSING_STATE_NAMES[language][state]
        const counter = PASSING_STATE_LABELS[language][state]
        // Spanish agrees in number ("rechazado", "2 rechazados"): the same word, not another one.
        expect(counter.startsWith(row), `${language} ${state}: ${row} / ${counter}`).toBe(true)
      }
    }
    expect(PASSING_STATE_NAMES.en.quarantined).toBe('refused')
    expect(Object.values(PASSING_STATE_NAMES.en)).not.toContain('quarantined')
  })

  it('a refused row says so and why, in words on the row', () => {
    useStation.setState({ ...INITIAL_STATE, connected: true })
    const refused = passing(3, '666', {
      state: 'quarantined',
      note: { code: 'untranslated', params: { text: 'RUFUS Cloud refused this passing: bad bib.' } }
    })
    const html = renderToStaticMarkup(
      <PassingsTable
        recent={[refused]}
        canEdit={false}
        focusBibBox={() => undefined}
        afterAction={() => undefined}
        rowsRef={{ current: null }}
      />
    )
    expect(html).toContain('<span data-testid="passing-state">refused</span>')
    expect(html).toContain('RUFUS Cloud refused this passing: bad bib.')
  })
})

describe("the announcer's finishers", () => {
  it('one per bib at its first passing, newest first; voided and bib-less passings are no finisher', () => {
    const newestFirst = [
      passing(6, '101'), // 101 again: not a new finisher
      passing(5, null, { state: 'held' }),
      passing(4, '104', { state: 'void', voided: true }),
      passing(3, '103', { differsFromCloud: true, correctedBib: '130' }),
      passing(2, '102', { session: 2 }),
      passing(1, '101')
    ]
    expect(finishersOf(newestFirst, 1).map(f => f.bib)).toEqual(['130', '101'])
    expect(finishersOf(newestFirst, null).map(f => f.bib)).toEqual(['130', '102', '101'])
  })

  it('time since the start in h:mm:ss, whole seconds', () => {
    expect(elapsedText('2026-11-28T09:00:00.000Z', '2026-11-28T10:02:03.999Z')).toBe('1:02:03')
    expect(elapsedText(null, '2026-11-28T10:00:00.000Z')).toBe('—')
    expect(elapsedText('2026-11-28T10:00:00.000Z', '2026-11-28T09:00:00.000Z')).toBe('—')
  })

  it('renders no chip code, reader or sync counter', () => {
    const snapshot = { session: { id: 1, alias: 'FINISH', openedAt: '2026-11-28T09:00:00.000Z' } }
    useStation.setState({
      ...INITIAL_STATE,
      snapshot: {
        ...snapshot,
        role: 'viewer',
        settings: { language: 'en' }
      } as unknown as StationSnapshot,
      recent: [passing(2, '102'), passing(1, '101')]
    })
    const html = renderToStaticMarkup(<AnnouncerScreen />)
    expect(html).toContain('data-testid="finisher-bib">102<')
    expect(html).toContain('Runner 102')
    expect(html).not.toContain('C0DE')
    expect(html).not.toContain('ttyUSB0')
  })
})

describe("the passings browser's searches", () => {
  it('a bib matches whole; a prefix only with a trailing * or the box', () => {
    const bibs = ['1', '12', '112', null]
    expect(bibs.filter(b => bibMatches([b], bibFilter('1', false)))).toEqual(['1'])
    expect(bibs.filter(b => bibMatches([b], bibFilter('1*', false)))).toEqual(['1', '12', '112'])
    expect(bibs.filter(b => bibMatches([b], bibFilter('1', true)))).toEqual(['1', '12', '112'])
    expect(bibs.filter(b => bibMatches([b], bibFilter(' ', false)))).toEqual(bibs)
    // Any of a row's bibs: the cloud's, this station's, a correction.
    expect(bibMatches(['5', null, '12'], bibFilter('12', false))).toBe(true)
  })

  it('a time of day is local, on the session’s day; ISO passes through; anything else is refused', () => {
    const day = new Date(2026, 10, 28, 15, 0, 0)
    expect(localTimeToIso('10:00', day)).toBe(new Date(2026, 10, 28, 10, 0, 0).toISOString())
    expect(localTimeToIso('9:05:30.5', day)).toBe(new Date(2026, 10, 28, 9, 5, 30, 500).toISOString())
    expect(localTimeToIso('2026-11-28T09:00:00.000Z', day)).toBe('2026-11-28T09:00:00.000Z')
    expect(localTimeToIso('25:00', day)).toBeNull()
    expect(localTimeToIso('ten', day)).toBeNull()
    // A To before the From is on the next day (a race across midnight).
    expect(timeRange('23:30', '00:30', day)).toEqual({
      from: new Date(2026, 10, 28, 23, 30).toISOString(),
      to: new Date(2026, 10, 29, 0, 30).toISOString()
    })
    expect(timeRange('', 'x', day)).toEqual({ bad: 'to' })
  })
})
