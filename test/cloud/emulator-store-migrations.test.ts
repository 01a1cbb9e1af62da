import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'libsql'
import { describe, expect, it } from 'vitest'
import { schemaVersion } from '../../src/core/db/migrations'
import { EMULATOR_SCHEMA_VERSION, EmulatorStore } from '../../src/emulator/store'
import { tempFolder } from '../helpers/station'

const now = () => Date.parse('2026-10-04T10:00:00Z')

/** The emulator's database from before its schema had versions (test/fixtures/emulator-unversioned.sql). */
function unversionedDatabase(): string {
  const path = join(tempFolder(), 'rufus-cloud.sqlite')
  const raw = new Database(path)
  raw.exec(readFileSync(join(import.meta.dirname, '../fixtures/emulator-unversioned.sql'), 'utf8'))
  raw.close()
  return path
}

/** Every table's and index's definition and each table's row count: what "unchanged" means for the data. */
function contentsOf(path: string): unknown {
  const raw = new Database(path, { readonly: true })
  try {
    const entries = raw.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all() as Array<{
      type: string
      name: string
      sql: string | null
    }>
    return entries.map(({ type, name, sql }) => ({
      type,
      name,
      sql,
      rows:
        type === 'table'
          ? (raw.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n
          : null
    }))
  } finally {
    raw.close()
  }
}

function versionOf(path: string): number {
  const raw = new Database(path, { readonly: true })
  try {
    return schemaVersion(raw)
  } finally {
    raw.close()
  }
}

describe('the emulator database across versions', () => {
  it('takes a database from before versioning as version 1 and reads every row as it was', () => {
    const path = unversionedDatabase()
    const store = new EmulatorStore(path, { now })
    try {
      expect(store.findKey('key-rw')).toEqual({
        apiKey: 'key-rw',
        company: 'Club Atletismo',
        access: 'READ_WRITE',
        canUnbind: true
      })
      expect(store.findKey('key-w')?.access).toBe('WRITE')
      const { rows, total } = store.listDevices('Club Atletismo', 1, 10)
      expect(total).toBe(1)
      expect(rows[0]).toMatchObject({ deviceid: 'dev-1', serial_number: 'RS-AAAA', alias: 'Finish' })
      expect(store.sessionsOfDevice('dev-1').map(s => [s.token_session, s.alias, s.active])).toEqual([
        ['tok-1', 'FINISH', 0],
        ['tok-2', 'FINISH 2', 1]
      ])
      expect(
        store.passingsOfSession('tok-1', null, null, 10, 0).map(p => [p.num_passing, p.bib, p.ts_ms, p.chip])
      ).toEqual([
        [1, '101', 1791101100000, 'E2001'],
        [2, '102', 1791101160000, null]
      ])
      expect(store.passingsOfSession('tok-1', 2, 2, 10, 0)[0]).toMatchObject({
        participant_id: 'P-102',
        gender: 'F',
        status: 'OK',
        timezone: 'Europe/Madrid',
        latitude: '40.4168',
        longitude: '-3.7038'
      })
      // The counters go on from where they were: the next session is the third the cloud created.
      const token = store.insertSession('dev-1', 'FINISH 3')
      expect(store.sessionsOfDevice('dev-1').at(-1)).toMatchObject({ token_session: token, created_seq: 3 })
    } finally {
      store.close()
    }
    expect(versionOf(path)).toBe(EMULATOR_SCHEMA_VERSION)
  })

  it('refuses a database written by a newer emulator and leaves its schema and rows unchanged', () => {
    const path = unversionedDatabase()
    const raw = new Database(path)
    raw.exec(`PRAGMA user_version = ${EMULATOR_SCHEMA_VERSION + 1}`)
    raw.close()
    const before = contentsOf(path)
    expect(() => new EmulatorStore(path, { now })).toThrow(/written by a newer emulator.*left unchanged/)
    expect(versionOf(path)).toBe(EMULATOR_SCHEMA_VERSION + 1)
    expect(contentsOf(path)).toEqual(before)
  })
})
