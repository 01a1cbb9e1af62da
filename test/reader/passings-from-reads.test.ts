import { inEnglish, renderMessage, type StationMessage } from '../../src/shared/messages'
import { describe, expect, it } from 'vitest'
import { bibFromEpcAscii } from '../../src/core/reader/bib-policy'
import { parseParticipantsFile } from '../../src/core/csv/participants-file'
import { decideFirstRead, decideStrongest, validateDedup } from '../../src/core/reader/dedup'
import { createLineDecoder } from '../../src/core/reader/line-decoder'
import { createDecoder } from '../../src/core/reader/protocols'
import { r2000Frame } from '../../src/core/reader/protocols/r2000'
import { closeStation, EventLog, lines, openStation, tempFolder } from '../helpers/station'

const offline = { apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false } as const
const S = 1_000_000

function tag(chipHex: string, rssiDbm: number): Uint8Array {
  const epc = [...Buffer.from(chipHex, 'hex')]
  const pc = (epc.length / 2) << 11
  return r2000Frame(0x01, 0x89, [0x00, pc >> 8, pc & 0xff, ...epc, rssiDbm + 129])
}

describe('duplicate decisions', () => {
  it('first read: suppresses within the window, lets an earlier read replace a passing not yet sent', () => {
    const accepted = { id: 7, timeUs: 10 * S, replaceable: true }
    expect(decideFirstRead(10.5 * S, accepted, 2000)).toEqual({
      kind: 'suppress',
      reason: 'same chip 500 ms after passing',
      keptId: 7
    })
    expect(decideFirstRead(12 * S, accepted, 2000)).toEqual({ kind: 'accept' })
    expect(decideFirstRead(9.2 * S, accepted, 2000)).toEqual({ kind: 'supersede', replacedId: 7 })
    expect(decideFirstRead(9.2 * S, { ...accepted, replaceable: false }, 2000).kind).toBe('suppress')
    expect(decideFirstRead(1 * S, null, 2000)).toEqual({ kind: 'accept' })
  })

  it('strongest read: holds, replaces a weaker hold, drops a weaker read', () => {
    expect(decideStrongest({ timeUs: 1, rssi: -60 }, null)).toEqual({ kind: 'hold' })
    const held = { timeUs: 1, rssi: -60, windowEndUs: 2 * S }
    expect(decideStrongest({ timeUs: 5, rssi: -50 }, held).kind).toBe('replace-hold')
    expect(decideStrongest({ timeUs: 5, rssi: -70 }, held).kind).toBe('suppress')
    expect(decideStrongest({ timeUs: 3 * S, rssi: -70 }, held).kind).toBe('hold')
  })

  it('refuses a strongest-read window too long to hold passings', () => {
    expect(() => validateDedup({ windowMs: 60_000, mode: 'strongest' })).toThrow(/at most 10 s/)
    expect(validateDedup({ windowMs: 3_600_000, mode: 'first' }).windowMs).toBe(3_600_000)
  })
})

describe('chip to bib', () => {
  it('reads a bib carried as ASCII in the EPC', () => {
    expect(bibFromEpcAscii('303030303030304D4330303937380000')).toBe('MC00978')
    expect(bibFromEpcAscii('000000000000000000000313')).toBeNull()
    expect(bibFromEpcAscii('30303132')).toBe('12')
  })

  it('parses a participants file and reports its problems by line', () => {
    const { participants, errors } = parseParticipantsFile(
      'name;bib;chip\nAna;12;E2001\nBo;;E2002\nCy;14;E2001\n'
    )
    expect(participants).toEqual([
      { chip: 'E2001', bib: '12', name: 'Ana' },
      { chip: 'E2001', bib: '14', name: 'Cy' }
    ])
    expect(errors.map(inEnglish)).toEqual([
      'Line 3: chip or bib is empty.',
      'Line 4: chip E2001 was already given on line 2; the later line wins.'
    ])
  })
})

describe('from reads to passings in the station', () => {
  it('main and backup mats count as one line, the earliest read wins, and every suppression is explained', async () => {
    const { station, log } = openStation({ ...offline, lineField: 'chip' })
    const now = station.clock.nowUs()
    station.ingest('main', lines('CHIP1'), now - 5 * S)
    station.ingest('main', lines('CHIP1'), now - 4.5 * S)
    await log.until(() => log.of('passing').length === 1, 'one passing')
    // The backup mat's read of the same crossing arrives later but happened earlier.
    station.ingest('backup', lines('CHIP1'), now - 5.3 * S)
    await log.until(() => log.of('passing').length === 2, 'the earlier read taken')
    const passings = station.records.passingsOfSession(station.currentSession().id)
    expect(passings.map(p => [p.port, p.state])).toEqual([
      ['main', 'void'],
      ['backup', 'pending']
    ])
    // Why the first is void, as a message the screens put in their language (it was an English sentence).
    const note = passings[0]?.note as StationMessage
    expect(note).toEqual({ code: 'note.superseded', params: { num: 2 } })
    expect(inEnglish(note)).toBe('replaced by an earlier read of the same chip (passing 2)')
    expect(renderMessage('es', note)).toBe('sustituido por una lectura anterior del mismo chip (paso 2)')
    expect(station.records.suppressions(station.currentSession().id).map(s => s.reason)).toEqual([
      'same chip 500 ms after passing'
    ])
  })

  it('keeps the window across a restart, and never suppresses manual entries', async () => {
    const folder = tempFolder()
    const first = openStation({
      ...offline,
      dataFolder: folder,
      lineField: 'chip',
      dedup: { windowMs: 3_600_000, mode: 'first' }
    })
    first.station.ingest('p', lines('CHIP9'))
    await first.log.until(() => first.log.of('passing').length === 1, 'first passing')
    await first.station.recordManual('55')
    await first.station.recordManual('55')
    await closeStation(first.station)
    const second = openStation({
      ...offline,
      dataFolder: folder,
      lineField: 'chip',
      dedup: { windowMs: 3_600_000, mode: 'first' }
    })
    second.station.ingest('p', lines('CHIP9', 'OTHER'))
    await second.log.until(() => second.log.of('passing').length === 1, 'the other chip after restart')
    expect(second.station.records.suppressions(second.station.currentSession().id)).toHaveLength(1)
    expect(
      second.station.records.passingsOfSession(second.station.currentSession().id).map(p => p.bib)
    ).toEqual(['CHIP9', '55', '55', 'OTHER'])
  })

  it('strongest read: holds the passing until the window closes and keeps the strongest read', async () => {
    const log = new EventLog()
    const { station } = openStation(
      { ...offline, decoderFor: () => createDecoder('r2000'), dedup: { windowMs: 1000, mode: 'strongest' } },
      log
    )
    const now = station.clock.nowUs()
    const chip = 'E20000170000000000000077'
    station.ingest('uhf', tag(chip, -70), now - 3 * S)
    station.ingest('uhf', tag(chip, -52), now - 2.8 * S)
    station.ingest('uhf', tag(chip, -61), now - 2.6 * S)
    await log.until(() => log.of('passing').length === 1, 'the held passing released')
    const passing = station.records.passingsOfSession(station.currentSession().id)[0]
    expect(passing?.timeUs).toBe(Math.round(now - 2.8 * S))
    expect(station.records.suppressions(station.currentSession().id).map(s => s.reason)).toEqual([
      'weaker (-70) than a later read (-52)',
      'weaker (-61) than the held read (-52)'
    ])
  })

  it('applies ignore-before and ignore-after times', async () => {
    const { station, log } = openStation({ ...offline, lineField: 'chip' })
    const now = station.clock.nowUs()
    station.setIgnoreWindow(now - 10 * S, now - 2 * S)
    station.ingest('p', lines('EARLY'), now - 20 * S)
    station.ingest('p', lines('OK'), now - 5 * S)
    station.ingest('p', lines('LATE'), now - 1 * S)
    await log.until(() => log.of('passing').length === 1, 'one passing inside the window')
    expect(log.of('passing')[0]?.chip).toBe('OK')
    expect(station.records.suppressions(station.currentSession().id).map(s => [s.chip, s.reason])).toEqual([
      ['EARLY', 'before the ignore-before time'],
      ['LATE', 'after the ignore-after time']
    ])
  })

  it('maps chips to bibs from an imported participants file; unknown chips wait for a bib', async () => {
    const { station, log } = openStation({ ...offline, lineField: 'chip' })
    expect(station.importParticipants('chip,bib,name\nE1,101,Ana\n').imported).toBe(1)
    station.ingest('p', lines('E1', 'E2'))
    await log.until(() => log.of('passing').length === 2, 'two passings')
    expect(log.of('passing').map(p => [p.chip, p.bib, p.state])).toEqual([
      ['E1', '101', 'pending'],
      ['E2', null, 'held']
    ])
    expect(station.records.participantName('101')).toBe('Ana')
  })

  it('replays raw input with another protocol, producing passings only for what is new', async () => {
    const { station, log } = openStation({
      ...offline,
      decoderFor: () => createLineDecoder({ field: 'bib', maxLineLength: 20 }),
      dedup: { windowMs: 0, mode: 'first' }
    })
    // A Timy read with the line protocol by mistake: its lines are too long, so nothing becomes a passing.
    station.ingest('timy', new TextEncoder().encode('0012 C1 10:00:00.0000 00\r0013 C1 10:00:01.0000 00\r'))
    station.ingest('timy', new TextEncoder().encode('99\r'))
    await log.until(() => log.of('passing').length === 1, 'the one short line')
    expect(log.of('bad-frame').map(b => b.reason)).toEqual(['line too long', 'line too long'])
    const replayed = station.replay('timy', 'timy', { timy: { utcOffsetMinutes: 0 } })
    expect(replayed.map(p => [p.num, p.bib])).toEqual([
      [2, '12'],
      [3, '13']
    ])
    expect(station.replay('timy', 'timy', { timy: { utcOffsetMinutes: 0 } })).toEqual([])
    expect(station.records.passingsOfSession(station.currentSession().id).map(p => p.bib)).toEqual([
      '99',
      '12',
      '13'
    ])
  })
})
