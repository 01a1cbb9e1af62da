import { describe, expect, it } from 'vitest'
import { handleCommand } from '../../src/core/app/command-handler'
import { StationService } from '../../src/core/app/station-service'
import { COMMANDS, type CommandName } from '../../src/shared/contract'
import { API_COMMANDS, createStationApi } from '../../src/shared/station-api'
import { inEnglish, renderMessage } from '../../src/shared/messages'
import { emulator, KEYS } from '../helpers/emulator'
import { inWords } from '../helpers/english'
import { serviceOf } from '../helpers/screen-server'
import { lines, openStation } from '../helpers/station'

function service() {
  const { station, log } = openStation({ apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false })
  return {
    service: new StationService({
      station,
      runtime: 'headless',
      apiUrl: 'http://127.0.0.1:9/v0',
      keySet: true,
      keyStorage: 'command-line'
    }),
    station,
    log
  }
}

describe('the command contract', () => {
  it('rejects unknown commands and invalid arguments with a plain message', async () => {
    const { service: s } = service()
    expect(inWords(await handleCommand(s, 'station', 'shell.exec', {}))).toEqual({
      ok: false,
      error: { code: 'unknown-command', message: 'Unknown command "shell.exec".' }
    })
    const bad = await handleCommand(s, 'station', 'passings.manual', { atMs: 'now' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } })
    const wrongType = await handleCommand(s, 'station', 'passings.recent', { limit: 'all' })
    expect(inWords(wrongType)).toMatchObject({
      ok: false,
      error: { code: 'invalid-arguments', message: expect.stringMatching(/^Invalid limit/) }
    })
    expect(await handleCommand(s, 'station', '__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown-command' }
    })
  })

  it("refuses a typed bib by the station's own bib rules, whose words every language has, not the validator's", async () => {
    const { service: s } = service()
    const cases = [
      ['', { code: 'bib.empty', params: {} }],
      ['   ', { code: 'bib.empty', params: {} }],
      ['X'.repeat(40), { code: 'bib.too-long', params: { length: 40, max: 32 } }]
    ] as const
    for (const [bib, message] of cases) {
      expect(await handleCommand(s, 'entry', 'passings.manual', { bib })).toEqual({
        ok: false,
        error: { code: 'not-possible', message }
      })
      expect(await handleCommand(s, 'entry', 'passings.fixBib', { id: 1, bib })).toEqual({
        ok: false,
        error: { code: 'not-possible', message }
      })
    }
  })

  it("says what is wrong with a refused argument in every screen language, not in the validator's English", async () => {
    const { service: s } = service()
    const refused = async (name: CommandName, args: unknown) => {
      const result = await handleCommand(s, 'station', name, args)
      if (result.ok) throw new Error(`${name} was accepted`)
      return [inEnglish(result.error.message), renderMessage('es', result.error.message)]
    }
    expect(await refused('session.open', { alias: '  ' })).toEqual([
      'Invalid alias: it cannot be empty.',
      'Valor no válido en alias: no puede estar vacío.'
    ])
    expect(await refused('setup.checkKey', { apiUrl: 'localhost:4100', apiKey: 'k' })).toEqual([
      'Invalid apiUrl: it must be a web address (http or https).',
      'Valor no válido en apiUrl: debe ser una dirección web (http o https).'
    ])
    expect(await refused('passings.recent', { limit: 501 })).toEqual([
      'Invalid limit: at most 500.',
      'Valor no válido en limit: como máximo 500.'
    ])
    expect(await refused('sync.action', { action: 'explode' })).toEqual([
      'Invalid action: it must be one of resume, continue-new-session, rebind.',
      'Valor no válido en action: debe ser uno de estos: resume, continue-new-session, rebind.'
    ])
  })

  it('a refused bib typed while no session is open opens none', async () => {
    const { service: s, station } = service()
    station.closeSession()
    const sessions = station.records.sessions().length
    expect(await handleCommand(s, 'entry', 'passings.manual', { bib: 'X'.repeat(40) })).toMatchObject({
      ok: false,
      error: { code: 'not-possible', message: { code: 'bib.too-long' } }
    })
    expect(station.records.sessions()).toHaveLength(sessions)
    expect(station.records.openedSession()).toBeNull()
  })

  it('enforces roles: viewers watch, entry screens record, only the station changes key, device and sessions', async () => {
    const { service: s } = service()
    expect(await handleCommand(s, 'viewer', 'passings.manual', { bib: '9' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' }
    })
    expect(await handleCommand(s, 'entry', 'passings.manual', { bib: '9' })).toMatchObject({
      ok: true,
      value: { bib: '9', source: 'manual' }
    })
    for (const name of ['setup.saveKey', 'device.bindNew', 'device.unbind', 'session.open'] as const) {
      expect(inWords(await handleCommand(s, 'entry', name, {}))).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: 'Only the station itself can do this.' }
      })
    }
    expect(await handleCommand(s, 'viewer', 'status.get', {})).toMatchObject({
      ok: true,
      value: { role: 'viewer' }
    })
    // The export is the entry and station screens': the announcer's (viewer) only watches.
    const sessionId = s.station.records.openedSession()?.id ?? 0
    expect(await handleCommand(s, 'viewer', 'export.csv', { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' }
    })
    expect(await handleCommand(s, 'entry', 'export.csv', { sessionId })).toMatchObject({ ok: true })
  })

  it('stamps a manual entry at the given keypress time and refuses what the core refuses, in words', async () => {
    const { service: s } = service()
    // A keypress a minute ago with its milliseconds (a fixed date would leave the session's days as time passes).
    const at = (Math.floor(Date.now() / 1000) - 60) * 1000 + 123
    expect(await handleCommand(s, 'entry', 'passings.manual', { bib: '12', atMs: at })).toMatchObject({
      ok: true,
      value: { timestamp: new Date(at).toISOString() }
    })
    const missing = await handleCommand(s, 'entry', 'passings.void', { id: 999 })
    expect(missing).toEqual({
      ok: false,
      error: { code: 'not-possible', message: { code: 'passing.not-found', params: { id: 999 } } }
    })
    expect(inWords(missing)).toEqual({
      ok: false,
      error: { code: 'not-possible', message: 'There is no passing 999' }
    })
    expect(await handleCommand(s, 'station', 'device.unbind', { confirmAlias: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not-possible' }
    })
  })

  it('has a named API function for every command, and each reaches its handler', async () => {
    expect(new Set(Object.values(API_COMMANDS))).toEqual(new Set(Object.keys(COMMANDS)))
    const { service: s, station, log } = service()
    station.ingest('p', lines(1))
    await log.until(() => log.of('passing').length === 1, 'one passing')
    const api = createStationApi(
      { invoke: (name, args) => handleCommand(s, 'station', name, args), subscribe: () => () => undefined },
      'browser'
    )
    const recent = await api.recentPassings({ limit: 5 })
    expect(recent).toMatchObject({ ok: true, value: [{ num: 1, bib: '1' }] })
    for (const name of Object.keys(COMMANDS) as CommandName[]) {
      const result = await handleCommand(s, 'station', name, {})
      if (!result.ok) expect(result.error.code).not.toBe('unknown-command')
    }
  })

  it('coalesces updates: 600 passings reach a screen as one capped update, not 600 messages', async () => {
    const { service: s, station, log } = service()
    for (let i = 0; i < 20; i += 1) {
      station.ingest('p', lines(...Array.from({ length: 30 }, (_, j) => i * 30 + j)))
    }
    await log.until(() => log.of('passing').length === 600, '600 passings')
    const updates: Array<{ passings: number; dropped: number }> = []
    let resolveNext: () => void = () => undefined
    const next = new Promise<void>(resolve => (resolveNext = resolve))
    const stop = s.subscribe(update => {
      updates.push({ passings: update.passings.length, dropped: update.dropped })
      if (update.passings.length > 0) resolveNext()
    }, 'viewer')
    for (const event of log.events) s.onStationEvent(event)
    await next
    stop()
    // The first update is the snapshot on subscribe; the second carries the newest 200 and says 400 were left out.
    expect(updates).toEqual([
      { passings: 0, dropped: 0 },
      { passings: 200, dropped: 400 }
    ])
  })
})

describe('what screens learn', () => {
  it('never the API key: only whether one is set and what it may do', async () => {
    const secret = 'ror-this-must-stay-in-main'
    const { station, log } = openStation({ apiUrl: 'http://127.0.0.1:9/v0', apiKey: secret, sync: false })
    station.ingest('p', lines(1))
    await log.until(() => log.of('passing').length === 1, 'a passing')
    const s = new StationService({
      station,
      runtime: 'electron',
      apiUrl: 'http://127.0.0.1:9/v0',
      keySet: true,
      keyStorage: 'encrypted'
    })
    const everything = JSON.stringify(
      await Promise.all(
        (['status.get', 'passings.recent', 'sessions.list'] as const).map(name =>
          handleCommand(s, 'station', name, name === 'passings.recent' ? { limit: 10 } : {})
        )
      )
    )
    expect(everything).not.toContain(secret)
    expect(everything).toContain('"key":{"set":true')
  })

  it('a correction made after upload is shown next to the passing', async () => {
    const cloud = await emulator()
    const { station, log } = openStation({ apiUrl: cloud.apiUrl, apiKey: KEYS.readWrite.apiKey })
    const s = serviceOf(station, { apiUrl: cloud.apiUrl })
    station.ingest('p', lines(1))
    await log.untilSynced(1)
    const passing = station.records.passingsOfSession(station.currentSession().id)[0]
    expect(await handleCommand(s, 'entry', 'passings.void', { id: passing?.id ?? 0 })).toEqual({
      ok: true,
      value: { outcome: 'kept-locally-after-sync' }
    })
    expect(await handleCommand(s, 'viewer', 'passings.recent', { limit: 1 })).toMatchObject({
      ok: true,
      value: [{ state: 'synced', note: { code: 'note.voided-after-upload' } }]
    })
    const note = s.recentPassings(1)[0]?.note
    expect(note && inEnglish(note)).toBe(
      'voided here after upload (RUFUS Cloud keeps the original; the export carries the correction)'
    )
  })
})
