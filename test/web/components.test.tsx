import { renderToStaticMarkup } from 'react-dom/server'
import { afterEach, describe, expect, it } from 'vitest'
import type { StationSnapshot } from '../../src/shared/contract'
import { App } from '../../src/renderer/src/App'
import { alignRows } from '../../src/renderer/src/screens/BrowserScreen'
import { LiveScreen } from '../../src/renderer/src/screens/LiveScreen'
import { INITIAL_STATE, mergeRecent, useStation } from '../../src/renderer/src/store'
import type { PassingState } from '../../src/shared/states'
import { passingView } from '../helpers/passing-view'

const snapshot: StationSnapshot = {
  runtime: 'headless',
  role: 'station',
  configured: true,
  apiUrl: 'http://127.0.0.1/v0',
  key: { set: true, canRead: true, canWrite: true, canUnbind: false, storage: 'memory' },
  device: { serialNumber: 'RS-1', deviceid: 'ABC', alias: 'Finish' },
  session: null,
  sync: {
    pending: 4,
    held: 1,
    synced: 6,
    quarantined: 0,
    conflict: 2,
    inFlight: 0,
    online: false,
    lastError: null,
    lastSyncAt: null,
    blocked: null
  },
  clock: { offsetMs: 4200, uncertaintyMs: 30, jumpMs: null },
  readers: [],
  bibPolicy: 'chip',
  settings: { beep: true, language: 'en', uploadGraceMs: 5000, graceAllPassings: false },
  nextSessionAlias: 'FINISH 2',
  notices: []
}

const passing = passingView

function render(state: Partial<typeof INITIAL_STATE>, element = <LiveScreen />): string {
  useStation.setState({ ...INITIAL_STATE, connected: true, ...state })
  return renderToStaticMarkup(element)
}

afterEach(() => useStation.setState(INITIAL_STATE, true))

describe('finish-line screen', () => {
  it('shows counts, offline, conflicts, an upload progress bar and a large clock offset warning', () => {
    const html = render({ snapshot })
    expect(html).toContain('<b>6</b> in the cloud · <b>4</b> waiting to upload · 1 without bib')
    expect(html).toContain('2 in conflict')
    expect(html).toContain('offline')
    expect(html).toMatch(/<progress aria-label="Upload progress" max="10" value="6">/)
    expect(html).toMatch(/class="warning">Laptop clock vs RUFUS Cloud: \+4200 ms/)
  })

  it('offers the right action when sync is blocked, only to the station itself', () => {
    const blocked = {
      ...snapshot,
      sync: {
        ...snapshot.sync,
        blocked: { kind: 'closed-elsewhere', message: 'Closed elsewhere.', action: 'Action: continue.' }
      }
    }
    expect(render({ snapshot: blocked })).toContain('Continue in a new cloud session')
    expect(render({ snapshot: { ...blocked, role: 'entry' } })).not.toContain(
      'Continue in a new cloud session'
    )
  })

  it('gives entry screens the manual bib field and row corrections, and viewers neither', () => {
    const recent = [passing(2, 'pending'), passing(1, 'held', null)]
    const entry = render({ snapshot: { ...snapshot, role: 'entry' }, recent })
    expect(entry).toContain('aria-label="Bib (Enter records the time; Enter alone: fill in later)"')
    expect(entry).toContain('aria-label="Void 2"')
    const viewer = render({ snapshot: { ...snapshot, role: 'viewer' }, recent })
    expect(viewer).not.toContain('Enter records the time')
    expect(viewer).not.toContain('Void')
    expect(viewer).toMatch(
      /<tr class="state-held" data-num="1" tabindex="-1"><td class="num">1<\/td><td class="bib">—<\/td>/
    )
  })

  it('shows the station link and the cloud as two indicators: a lost station hides the stale cloud state', () => {
    const reachable = render({ snapshot: { ...snapshot, sync: { ...snapshot.sync, online: true } } })
    expect(reachable).toContain('Station: connected')
    expect(reachable).toContain('RUFUS Cloud: online')
    const cut = render({
      snapshot: { ...snapshot, sync: { ...snapshot.sync, online: true } },
      connected: false
    })
    expect(cut).toContain('Station: unreachable')
    expect(cut).toContain('RUFUS Cloud: unknown while the station is unreachable')
    expect(cut).toContain('what you type is kept on this device')
  })

  it('puts the station’s notices and a reader’s problem into the screen’s language', () => {
    const withMessages: StationSnapshot = {
      ...snapshot,
      readers: [
        {
          id: 'COM3',
          path: 'COM3',
          protocol: 'line',
          state: 'silent',
          message: { code: 'reader.silent', params: { seconds: 12 } },
          lastReadAgeMs: null,
          readsPerSecond: 0,
          decodeErrors: 0,
          lastDecodeError: null,
          clockOffsetMs: null,
          details: {}
        }
      ],
      notices: [
        {
          level: 'warning',
          message: { code: 'clock.laptop-off', params: { seconds: 60, laptop: 'behind' } },
          at: '2026-11-28T10:00:00.000Z'
        }
      ]
    }
    const english = render({ snapshot: withMessages })
    expect(english).toContain('This laptop&#x27;s clock is about 60 s behind RUFUS Cloud.')
    expect(english).toContain('Nothing received for 12 s: check the cable and the reader.')
    expect(english).toContain('COM3</b> line · silent ·')
    const spanish = render({
      snapshot: { ...withMessages, settings: { ...withMessages.settings, language: 'es' } }
    })
    expect(spanish).toContain('El reloj de este portátil va unos 60 s por detrás de RUFUS Cloud.')
    expect(spanish).toContain('No llega nada desde hace 12 s: revise el cable y el lector.')
    expect(spanish).toContain('COM3</b> line · en silencio ·')
    expect(spanish).toContain('<b>6</b> en la nube · <b>4</b> por subir · 1 sin dorsal')
  })

  it('speaks Spanish when asked', () => {
    const html = render(
      { snapshot: { ...snapshot, settings: { ...snapshot.settings, beep: false, language: 'es' } } },
      <App />
    )
    expect(html).toContain('Línea de meta')
    expect(html).toContain('sin conexión')
  })
})

describe('the store', () => {
  it('merges new passings newest first, replacing updated ones', () => {
    const p = (id: number, state: PassingState = 'pending') => ({
      id,
      session: 1,
      num: id,
      bib: String(id),
      name: null,
      chip: null,
      timestamp: '',
      source: 'reader' as const,
      port: null,
      state,
      note: null,
      correctedBib: null,
      voided: false,
      differsFromCloud: false
    })
    expect(mergeRecent([p(2), p(1)], [p(3), p(1, 'synced')]).map(x => [x.id, x.state])).toEqual([
      [1, 'synced'],
      [3, 'pending'],
      [2, 'pending']
    ])
  })
})

describe('passings browser', () => {
  it('lines up the cloud and the journal by number and marks what is missing, extra or different', () => {
    const at = passing(1, 'synced').timestamp
    const cloud = [
      { num: 1, bib: '1', chip: null, timestamp: at.replace('Z', '+00:00') },
      { num: 3, bib: 'X', chip: null, timestamp: at },
      // The same bib is not the same passing: the sync engine's read-back calls these conflicts, so do the rows.
      { num: 5, bib: '5', chip: null, timestamp: '2026-11-28T10:00:00.001Z' },
      { num: 6, bib: '6', chip: 'E200', timestamp: at },
      { num: 9, bib: '9', chip: null, timestamp: at }
    ]
    const local = [1, 2, 3, 5, 6].map(num => passing(num, 'synced'))
    expect(alignRows(cloud, [...local, passing(4, 'pending')], 0).map(r => [r.num, r.status])).toEqual([
      [1, 'ok'],
      [2, 'missing-in-cloud'],
      [3, 'different'],
      [4, 'local-only'],
      [5, 'different'],
      [6, 'different'],
      [9, 'only-in-cloud']
    ])
  })
})
