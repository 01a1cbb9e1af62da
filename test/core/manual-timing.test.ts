import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { StationService } from '../../src/core/app/station-service'
import { standingCorrection } from '../../src/core/journal/corrections'
import { Journal } from '../../src/core/journal/journal'
import { collectPages, sessionPassingPages } from '../../src/core/rufus/paging'
import { JOURNAL_FILE } from '../../src/core/station/journal-file'
import { nextSessionAlias } from '../../src/core/station/session-names'
import type { ClockSources } from '../../src/core/time/anchored-clock'
import { clientFor, emulator, KEYS } from '../helpers/emulator'
import { OFFLINE_API_URL } from '../helpers/headless-args'
import { closeStation, lines, openStation, tempFolder } from '../helpers/station'

/** A clock that moves only when the test says so (wall and monotonic together, so no jump is seen). */
function fakeClock(startMs = Date.UTC(2026, 10, 29, 9, 0, 0)) {
  let wallMs = startMs
  let monoNs = 1_000_000_000n
  const sources: ClockSources = { wallMs: () => wallMs, monoNs: () => monoNs }
  return {
    sources,
    advance(ms: number) {
      wallMs += ms
      monoNs += BigInt(ms) * 1_000_000n
    }
  }
}

function service(station: ReturnType<typeof openStation>['station']) {
  return new StationService({
    station,
    runtime: 'headless',
    apiUrl: OFFLINE_API_URL,
    keySet: true,
    keyStorage: 'command-line'
  })
}

describe('capture never depends on an open session', () => {
  it('names the next session from the last', () => {
    expect(nextSessionAlias('FINISH')).toBe('FINISH 2')
    expect(nextSessionAlias('FINISH 2')).toBe('FINISH 3')
    expect(nextSessionAlias('FINISH 10K')).toBe('FINISH 10K 2')
    expect(nextSessionAlias('LAP9')).toBe('LAP10')
    expect(nextSessionAlias('x'.repeat(60))).toHaveLength(60)
  })

  it('reads arriving after "close session" become passings of a session the station opens itself, and it says which', async () => {
    const { station, log } = openStation({ apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    station.ingest('p', lines(1, 2, 3))
    station.closeSession()
    station.ingest('p', lines(4, 5))
    station.closeSession()
    station.ingest('p', lines(6))
    await log.until(() => log.of('passing').length === 6, 'six passings')
    const sessions = station.records.sessions()
    expect(sessions.map(s => s.alias)).toEqual(['FINISH', 'FINISH 2', 'FINISH 3'])
    expect(log.of('passing').map(p => [p.bib, p.session])).toEqual([
      ['1', sessions[0]?.id],
      ['2', sessions[0]?.id],
      ['3', sessions[0]?.id],
      ['4', sessions[1]?.id],
      ['5', sessions[1]?.id],
      ['6', sessions[2]?.id]
    ])
    expect(log.of('info').map(e => e.message)).toContain(
      'No session was open when reads arrived: session "FINISH 2" was opened for them.'
    )
    expect(log.of('warning').filter(w => /no session open/.test(w.message))).toEqual([])
  })

  it('a manual entry with no session open is kept in the next session, not refused', async () => {
    const { station } = openStation({ apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    station.closeSession()
    // A keypress an hour ago, on a whole second (a fixed date would leave the session's days as time passes).
    const atUs = (Math.floor(Date.now() / 1000) - 3600) * 1_000_000
    const passing = await station.recordManual('77', atUs)
    expect(station.records.session(passing.sessionId)?.alias).toBe('FINISH 2')
    expect(passing.timeUs).toBe(atUs)
  })

  it('closing with "open the next at once" leaves no moment without a session', () => {
    const { station } = openStation({ apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    const s = service(station)
    expect(s.snapshot('station').nextSessionAlias).toBe('FINISH 2')
    expect(s.closeSession(true)?.alias).toBe('FINISH 2')
    expect(station.records.openedSession()?.alias).toBe('FINISH 2')
    expect(s.closeSession(false)).toBeNull()
    expect(station.records.openedSession()).toBeNull()
  })
})

describe('manual entries from an entry screen', () => {
  it('an entry sent again with the same key (its answer was lost) is stored once', async () => {
    const { station, log } = openStation({ apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    // A time within the session (the station refuses one in 1970).
    const atUs = Date.now() * 1000
    const first = await station.recordManual('12', atUs, 'entry-key-0001')
    const again = await station.recordManual('12', atUs, 'entry-key-0001')
    const other = await station.recordManual('12', atUs, 'entry-key-0002')
    expect(again.id).toBe(first.id)
    expect(other.id).not.toBe(first.id)
    expect(station.records.passingsOfSession(first.sessionId)).toHaveLength(2)
    await log.until(() => log.of('passing').length === 2, 'two passing events')
  })

  it('void and fix can be undone: the passing gets back its bib and state', async () => {
    const { station } = openStation({ apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    const held = await station.recordManual(null)
    const typed = await station.recordManual('15')
    expect(station.voidPassing(typed.id)).toBe('applied')
    expect(station.records.passing(typed.id)?.state).toBe('void')
    expect(station.undoCorrection(typed.id)).toBe('applied')
    expect(station.records.passing(typed.id)).toMatchObject({ state: 'pending', bib: '15' })
    station.fixBib(held.id, '31')
    station.fixBib(held.id, '32')
    station.undoCorrection(held.id)
    expect(station.records.passing(held.id)).toMatchObject({ state: 'pending', bib: '31' })
    station.undoCorrection(held.id)
    expect(station.records.passing(held.id)).toMatchObject({ state: 'held', bib: null })
    expect(() => station.undoCorrection(held.id)).toThrow(/no correction to undo/)
    expect(
      standingCorrection([
        { kind: 'void', oldBib: '1', newBib: null, afterSync: true },
        { kind: 'undo', oldBib: '1', newBib: '1', afterSync: true }
      ])
    ).toBeNull()
  })

  it('unbinding explains the times without a bib that wait for one, instead of refusing silently', async () => {
    const { station } = openStation({ apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    const held = await station.recordManual(null)
    await expect(station.unbindDevice()).rejects.toThrow(
      'Unbinding waits for 1 times without a bib (entered with Enter alone). They are pinned at the top of the finish screen: give each its bib, or void it, then unbind.'
    )
    expect(
      service(station)
        .heldPassings()
        .map(p => p.id)
    ).toEqual([held.id])
    station.fixBib(held.id, '9')
    expect(service(station).heldPassings()).toEqual([])
  })

  it('checks a bib as it is typed: name, already passed, unlike every participant bib', async () => {
    const { station } = openStation({ apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    const s = service(station)
    expect(s.checkBib('abc')).toEqual({
      name: null,
      inParticipants: null,
      alreadyInSession: false,
      unusual: false
    })
    station.importParticipants('chip,bib,name\nE1,101,Ana Díaz\nE2,102,Bo Li\n')
    await station.recordManual('101')
    expect(s.checkBib('101')).toEqual({
      name: 'Ana Díaz',
      inParticipants: true,
      alreadyInSession: true,
      unusual: false
    })
    expect(s.checkBib('103')).toMatchObject({ name: null, inParticipants: false, unusual: false })
    expect(s.checkBib('1O2')).toMatchObject({ inParticipants: false, unusual: true })
  })
})

describe('corrections reach the cloud when they still can', () => {
  it('a manual passing waits out the grace period, so a fix made meanwhile goes up corrected', async () => {
    const cloud = await emulator()
    const clock = fakeClock()
    const { station, log } = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      clockSources: clock.sources,
      uploadGrace: { graceMs: 5000, allPassings: false }
    })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    const typo = await station.recordManual('4O')
    const after = await station.recordManual('8')
    station.ingest('p', lines(9))
    await log.until(() => log.of('passing').length === 4, 'four passings')
    // The engine looked, and found the manual entry in its grace period: nothing from it on goes up yet.
    const entered = station.clock.nowUs()
    await expect.poll(() => station.syncStatus().graceEndsUs, { timeout: 10_000 }).toBe(entered + 5e6)
    expect(station.records.counts()).toMatchObject({ synced: 1, pending: 3 })
    clock.advance(3000)
    expect(station.fixBib(typo.id, '40')).toBe('applied')
    // The fix restarts the wait: it goes up 5 s after the fix, not 5 s after the entry.
    station.wakeSync()
    await expect.poll(() => station.syncStatus().graceEndsUs, { timeout: 10_000 }).toBe(entered + 8e6)
    clock.advance(2500)
    station.wakeSync()
    await expect.poll(() => station.syncStatus().graceEndsUs, { timeout: 10_000 }).toBe(entered + 8e6)
    expect(station.records.counts()).toMatchObject({ synced: 1, pending: 3 })
    clock.advance(2500)
    station.wakeSync()
    await log.untilSynced(4)
    const token = station.currentSession().token ?? ''
    const inCloud = await collectPages(sessionPassingPages(clientFor(cloud, KEYS.read), token))
    expect(inCloud.map(p => [p.num_passing, p.bib])).toEqual([
      [1, '1'],
      [2, '40'],
      [3, '8'],
      [4, '9']
    ])
    expect(station.records.passing(after.id)?.state).toBe('synced')
  })

  it('with "all passings" reader passings wait too; with no grace they go at once', async () => {
    const folder = tempFolder()
    const { station } = openStation({ dataFolder: folder, apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    station.ingest('p', lines(1))
    const manual = await station.recordManual('2')
    const now = station.clock.nowUs()
    const session = manual.sessionId
    // The outbox is the journal's: read on the file once the station has let go of it.
    await closeStation(station)
    const journal = new Journal(join(folder, JOURNAL_FILE))
    onTestFinished(() => journal.close())
    const nums = (grace: Parameters<typeof journal.pendingBatch>[2]) =>
      journal.pendingBatch(session, 10, grace).map(p => p.num)
    expect(nums(null)).toEqual([1, 2])
    expect(nums({ cutoffUs: now - 5e6, allSources: false })).toEqual([1])
    expect(nums({ cutoffUs: now - 5e6, allSources: true })).toEqual([])
    expect(nums({ cutoffUs: now + 1, allSources: true })).toEqual([1, 2])
  })
})

describe('the export', () => {
  it('carries corrected_bib and voided beside the cloud value, for corrections made after upload', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    station.ingest('p', lines(11, 12, 13, 'A,B'))
    await log.untilSynced(4)
    const [first, second, , fourth] = station.records.passingsOfSession(station.currentSession().id)
    expect(station.fixBib(first?.id ?? 0, '111')).toBe('kept-locally-after-sync')
    expect(station.voidPassing(second?.id ?? 0)).toBe('kept-locally-after-sync')
    station.fixBib(fourth?.id ?? 0, 'C,D')
    const s = service(station)
    const csv = s.exportCsv(station.currentSession().id).csv.trimEnd().split('\n')
    // The file starts with a UTF-8 byte order mark (for spreadsheets).
    expect(csv[0]?.replace(/^\uFEFF/, '')).toBe(
      'num_passing,bib,chip,timestamp_utc,source,port,captured_at_utc,state,correction,corrected_bib,voided,local_time,name'
    )
    // corrected_bib and voided (local_time and name follow).
    const tail = (line: string | undefined) => (line ?? '').split(',').slice(-4, -2).join(',')
    expect(csv[1]).toMatch(/^1,11,/)
    expect(tail(csv[1])).toBe('111,')
    expect(csv[2]).toMatch(/^2,12,/)
    expect(tail(csv[2])).toBe(',yes')
    expect(tail(csv[3])).toBe(',')
    expect(csv[4]).toMatch(/^4,"A,B",/)
    expect(csv[4]).toMatch(/,"C,D",,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3},$/)
    const views = s.recentPassings(10)
    expect(views.find(v => v.num === 1)).toMatchObject({
      bib: '11',
      correctedBib: '111',
      differsFromCloud: true
    })
    expect(views.find(v => v.num === 2)).toMatchObject({ voided: true, differsFromCloud: true })
    expect(views.find(v => v.num === 3)).toMatchObject({ differsFromCloud: false, voided: false })
    // An undo after upload takes the difference back.
    station.undoCorrection(second?.id ?? 0)
    expect(s.recentPassings(10).find(v => v.num === 2)).toMatchObject({
      voided: false,
      differsFromCloud: false
    })
  })
})

describe('attack 11: two station screens close the session at once', () => {
  it('a close from a screen that saw an older session does not close the one opened since', () => {
    const { station } = openStation({ apiUrl: OFFLINE_API_URL, apiKey: 'k', sync: false })
    const s = service(station)
    const seen = station.records.openedSession()?.id ?? 0
    // Both screens show "FINISH: close and open FINISH 2"; both timers click it.
    expect(s.closeSession(true, seen)?.alias).toBe('FINISH 2')
    expect(() => s.closeSession(true, seen)).toThrow(/already closed/)
    expect(() => s.closeSession(false, seen)).toThrow(/already closed/)
    expect(station.records.sessions().map(s => s.alias)).toEqual(['FINISH', 'FINISH 2'])
    expect(station.records.openedSession()?.alias).toBe('FINISH 2')
  })
})

describe('attack 11: the undo offered after a fix outlives the grace period', () => {
  it('an undo clicked after the fixed passing went up is kept like any correction after upload, not refused', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({
      apiUrl: cloud.apiUrl,
      apiKey: KEYS.readWrite.apiKey,
      uploadGrace: { graceMs: 300, allPassings: false }
    })
    const typed = await station.recordManual('21')
    // Fixed within the grace period: the fix goes up; the undo toast stays longer than the grace period.
    expect(station.fixBib(typed.id, '12')).toBe('applied')
    await log.untilSynced(1)
    expect(station.records.passing(typed.id)).toMatchObject({ state: 'synced', bib: '12' })
    expect(station.undoCorrection(typed.id)).toBe('kept-locally-after-sync')
    const s = service(station)
    expect(s.recentPassings(5)[0]).toMatchObject({ bib: '12', correctedBib: '21', differsFromCloud: true })
  })
})
