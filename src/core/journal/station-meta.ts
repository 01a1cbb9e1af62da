/**
 * What the journal keeps about the station itself: small named values (`meta`: installation id, decode cursor,
 * connection counter), the technician's log, and the device's identity and cloud binding.
 */
import type { JournalDb } from './journal-db'
import type { DeviceRecord, LogEntry } from './records'
import { toDevice, toLogEntry, toMetaValue } from './rows'

export class StationMeta {
  constructor(private readonly db: JournalDb) {}

  getMeta(key: string): string | null {
    return this.db.one(toMetaValue, 'SELECT value FROM meta WHERE key = ?', key)
  }

  setMeta(key: string, value: string): void {
    this.db.run(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      value
    )
  }

  log(kind: string, message: string, atUs: number): void {
    this.db.run('INSERT INTO station_log (at_us, kind, message) VALUES (?, ?, ?)', atUs, kind, message)
  }

  logEntries(limit: number): LogEntry[] {
    return this.db.all(
      toLogEntry,
      'SELECT at_us, kind, message FROM station_log ORDER BY id DESC LIMIT ?',
      limit
    )
  }

  device(): DeviceRecord | null {
    return this.db.one(toDevice, 'SELECT * FROM device WHERE id = 1')
  }

  setDeviceIdentity(identity: { serialNumber: string; model: string; alias: string | null }): void {
    this.db.run(
      `INSERT INTO device (id, serial_number, model, alias) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET serial_number = excluded.serial_number, model = excluded.model,
         alias = excluded.alias`,
      identity.serialNumber,
      identity.model,
      identity.alias
    )
  }

  setDeviceBinding(deviceid: string | null, atMs: number | null): void {
    this.db.run('UPDATE device SET deviceid = ?, bound_at_ms = ? WHERE id = 1', deviceid, atMs)
  }
}
