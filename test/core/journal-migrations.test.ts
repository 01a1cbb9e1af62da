import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'libsql'
import { describe, expect, it } from 'vitest'
import { schemaVersion } from '../../src/core/db/migrations'
import { plainRow } from '../../src/core/db/sqlite'
import { Journal } from '../../src/core/journal/journal'
import { JOURNAL_SCHEMA_VERSION } from '../../src/core/journal/schema'
import { tempFolder } from '../helpers/station'

/** A journal file exactly as the first released version wrote it (test/fixtures/journal-v1.sql). */
function journalFromVersion1(): string {
  const path = join(tempFolder(), 'journal.sqlite')
  const raw = new Database(path)
  raw.exec(readFileSync(join(import.meta.dirname, '../fixtures/journal-v1.sql'), 'utf8'))
  raw.close()
  return path
}

function rawRows(path: string, sql: string): unknown[] {
  const raw = new Database(path, { readonly: true })
  try {
    return raw
      .prepare(sql)
      .all()
      .map(row => plainRow(row))
  } finally {
    raw.close()
  }
}

describe('a journal written by the first released version (v1), opened by today’s code', () => {
  it('is brought to the current version and every row of every table reads back as it was', () => {
    const path = journalFromVersion1()
    const journal = new Journal(path)
    try {
      expect(journal.getMeta('installation_id')).toBe('4f1c2a9e-7b3d-4c11-8e2f-0a1b2c3d4e5f')
      expect(journal.device()).toEqual({
        serialNumber: 'RS-4F1C2A9E7B3D',
        model: 'RUFUS Station',
        alias: 'Finish laptop',
        deviceid: 'dev-7731',
        boundAtMs: 1767000000000
      })

      const [finish, second] = journal.sessions()
      expect(journal.sessions()).toHaveLength(2)
      expect(finish).toMatchObject({
        id: 1,
        alias: 'FINISH',
        openedAtUs: 1767000000000000,
        closedAtUs: 1767000600000000,
        nextNum: 4,
        token: 'tok-finish',
        cloudOffset: 0,
        cloudState: 'closed'
      })
      expect(second).toMatchObject({
        id: 2,
        alias: 'FINISH 2',
        closedAtUs: null,
        nextNum: 3,
        token: 'tok-finish-2',
        cloudOffset: 10,
        cloudState: 'attached',
        blockKind: 'key-refused',
        // A block stored as words, before blocks were messages, is shown as those words.
        blockMessage: { code: 'untranslated', params: { text: 'RUFUS Cloud refused the API key' } }
      })
      expect(journal.openedSession()?.id).toBe(2)

      const firstSession = journal.passingsOfSession(1)
      expect(
        firstSession.map(p => [p.num, p.bib, p.chip, p.timeUs, p.source, p.port, p.state, p.cloudToken])
      ).toEqual([
        [1, '101', 'E200001', 1767000100000123, 'reader', '/dev/ttyUSB0', 'synced', 'tok-finish'],
        [2, '102', null, 1767000200000000, 'manual', null, 'synced', 'tok-finish'],
        [3, '103', 'E200003', 1767000300000000, 'reader', '/dev/ttyUSB0', 'quarantined', null]
      ])
      // A note from before notes were messages is shown as the words it was written in.
      // Columns added later (sync attempts, v5) take their defaults on old rows.
      expect(firstSession.map(p => p.syncAttempts)).toEqual([0, 0, 0])
      expect(firstSession[2]?.note).toEqual({
        code: 'untranslated',
        params: { text: 'RUFUS Cloud refused this passing: bib too long' }
      })
      expect(journal.passingsOfSession(2).map(p => [p.num, p.bib, p.chip, p.state])).toEqual([
        [1, null, 'E200009', 'held'],
        [2, '205', null, 'void']
      ])

      // The counts kept by triggers (added in v4) start from the rows that were already there.
      expect(journal.counts(1)).toMatchObject({ synced: 2, quarantined: 1, pending: 0 })
      expect(journal.counts(2)).toMatchObject({ held: 1, void: 1, pending: 0 })

      expect(journal.corrections(1)).toEqual([
        {
          passingId: 2,
          num: 2,
          kind: 'bib',
          oldBib: '12',
          newBib: '102',
          atUs: 1767000200700000,
          afterSync: false
        }
      ])
      expect(journal.corrections(2)).toEqual([
        {
          passingId: 5,
          num: 2,
          kind: 'void',
          oldBib: '205',
          newBib: null,
          atUs: 1767000900200000,
          afterSync: false
        }
      ])
      expect(journal.inflight(2)).toEqual({
        sessionId: 2,
        token: 'tok-finish-2',
        firstNum: 1,
        lastNum: 2,
        resent: false
      })
      expect(journal.logEntries()).toEqual([
        { atUs: 1767000400000000, kind: 'clock', message: 'The wall clock jumped forward by 3600 s' }
      ])
      expect(journal.badFrameCount('/dev/ttyUSB0')).toEqual({
        count: 3,
        lastReason: 'no bib or chip in the line'
      })
      // Columns added later take their defaults on old rows.
      expect(journal.decoderContext('/dev/ttyUSB0')).toEqual({})
    } finally {
      journal.close()
    }

    expect(rawRows(path, 'SELECT id, length(bytes) AS n FROM raw_chunks ORDER BY id')).toEqual([
      { id: 1, n: 11 },
      { id: 2, n: 8 }
    ])
    expect(
      rawRows(path, 'SELECT reader_key, antenna, rssi FROM passings WHERE reader_key IS NOT NULL')
    ).toEqual([])
    const raw = new Database(path, { readonly: true })
    expect(schemaVersion(raw)).toBe(JOURNAL_SCHEMA_VERSION)
    raw.close()
  })

  it('goes on numbering the open session after the last number v1 gave, and counts the new passing', () => {
    const journal = new Journal(journalFromVersion1())
    try {
      const added = journal.insertManual(2, '207', 1767001000000000, 1767001000000100)
      expect(added.num).toBe(3)
      expect(journal.counts(2)).toMatchObject({ pending: 1, held: 1, void: 1 })
    } finally {
      journal.close()
    }
  })
})
