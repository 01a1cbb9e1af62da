import { afterEach } from 'vitest'
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server'
import { RufusClient } from '../../src/core/rufus/client'
import type { ApiKeyRecord } from '../../src/emulator/store'

export const KEYS = {
  admin: { apiKey: 'ror-admin000000000000001', access: 'READ_WRITE', canUnbind: true, company: 'acme' },
  readWrite: { apiKey: 'ror-rw00000000000000002', access: 'READ_WRITE', canUnbind: false, company: 'acme' },
  read: { apiKey: 'ror-read000000000000003', access: 'READ', canUnbind: false, company: 'acme' },
  write: { apiKey: 'ror-write00000000000004', access: 'WRITE', canUnbind: false, company: 'acme' },
  writeUnbind: { apiKey: 'ror-wunb000000000000005', access: 'WRITE', canUnbind: true, company: 'acme' },
  otherCompany: { apiKey: 'ror-other00000000000006', access: 'READ_WRITE', canUnbind: true, company: 'rival' }
} as const satisfies Record<string, ApiKeyRecord>

const running: RunningEmulator[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map(emulator => emulator.close()))
})

/** Starts an emulator on a free loopback port, closed automatically after the test. */
export async function emulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const started = await startEmulator({ port: 0, keys: Object.values(KEYS), admin: true, ...options })
  running.push(started)
  return started
}

export function clientFor(
  target: { apiUrl: string },
  key: ApiKeyRecord = KEYS.admin,
  timeoutMs = 5000
): RufusClient {
  return new RufusClient({ baseUrl: target.apiUrl, apiKey: key.apiKey, timeoutMs })
}

/** Passings numbered from `from` to `to` inclusive, one second apart. */
export function numberedPassings(from: number, to: number, startMs = Date.UTC(2026, 10, 28, 9, 0, 0)) {
  const list = []
  for (let n = from; n <= to; n += 1) {
    list.push({ bib: String(n), num_passing: n, timestamp: new Date(startMs + n * 1000).toISOString() })
  }
  return list
}

/** Inserts passings in batches of 5000. */
export async function insertAll(
  client: RufusClient,
  token: string,
  passings: ReturnType<typeof numberedPassings>
) {
  for (let i = 0; i < passings.length; i += 5000) {
    await client.insertPassings(token, passings.slice(i, i + 5000))
  }
}
