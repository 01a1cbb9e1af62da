import { readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import Conf from 'conf'
import { z } from 'zod'
import { BAUD_RANGE, PROTOCOLS } from '../../shared/protocols'
import { API_URL, PRODUCTION_API_URL } from '../../shared/rufus-cloud'
import { logIgnored } from '../platform/log-ignored'
import { PRIVATE_FILE_MODE } from '../platform/private-folder'
import { DEFAULT_UPLOAD_GRACE } from '../sync/upload-grace'

/**
 * The desktop app's settings, one schema on `conf` (electron-store wraps the same in Electron). The API key is
 * never here in plain text: only its encrypted form, written by the key store. The zod schema is the one
 * definition: the type comes from it and so does the JSON schema that conf validates the file with.
 */
const settingsSchema = z.object({
  apiUrl: API_URL,
  /** base64 of the key encrypted by the OS (safeStorage); empty when none is kept. */
  encryptedApiKey: z.string(),
  /** The safeStorage backend that encrypted it (a change means the key cannot be read back). */
  keyBackend: z.string(),
  beep: z.boolean(),
  language: z.enum(['en', 'es']),
  /** How long manual passings (or all, with `graceAllPassings`) wait before upload. */
  uploadGraceMs: z.int().min(0).max(60_000),
  graceAllPassings: z.boolean(),
  readers: z.array(
    z.object({ path: z.string(), protocol: z.enum(PROTOCOLS), baudRate: z.int().min(BAUD_RANGE.min) })
  )
})

export type AppSettings = z.infer<typeof settingsSchema>

export const SETTINGS_DEFAULTS: AppSettings = {
  apiUrl: PRODUCTION_API_URL,
  encryptedApiKey: '',
  keyBackend: '',
  beep: true,
  language: 'en',
  uploadGraceMs: DEFAULT_UPLOAD_GRACE.graceMs,
  graceAllPassings: DEFAULT_UPLOAD_GRACE.allPassings,
  readers: []
}

/** conf's JSON schema (its top-level properties), generated; `input` leaves objects open to keys it does not know. */
export const SETTINGS_SCHEMA = z.toJSONSchema(settingsSchema, { io: 'input' }).properties

/** Settings migrations by app version (conf and electron-store run them in order on open). */
export const SETTINGS_MIGRATIONS = {
  // 0.1.0: readers became a list of { path, protocol, baudRate }; drop anything older that is not.
  '0.1.0': (store: {
    get(key: 'readers'): unknown
    set(key: 'readers', value: AppSettings['readers']): void
  }) => {
    const readers = store.get('readers')
    if (!Array.isArray(readers)) store.set('readers', [])
  }
}

export const SETTINGS_VERSION = '0.1.0'

/** Why a settings file's text cannot be used (not JSON, or against the schema), or null when it can. */
function damage(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return error
  }
  // What the migrations repair (a file of an older version) is not damage: checked as they leave it.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const store = value as Record<string, unknown>
    for (const migrate of Object.values(SETTINGS_MIGRATIONS)) {
      migrate({ get: key => store[key], set: (key, next) => (store[key] = next) })
    }
  }
  const checked = settingsSchema.partial().safeParse(value)
  return checked.success ? null : checked.error
}

/**
 * conf (and electron-store) told to clear an invalid settings file start over from the defaults without a word:
 * the remembered API address, readers, language and stored key were lost. A damaged file is moved aside first,
 * kept for whoever supports the station, with a line on stderr; then the defaults are used.
 */
export function setAsideDamagedSettings(path: string): void {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return // no file yet (or none readable: opening it says why)
  }
  const problem = damage(text)
  if (problem === null) return
  const aside = `${path}.damaged`
  renameSync(path, aside)
  logIgnored(
    `the settings file ${path} is damaged; it was moved to ${aside} and the defaults are used`,
    problem
  )
}

/** Opens the settings file in a folder (plain Node: tests, tools). */
export function openSettings(cwd: string): Conf<AppSettings> {
  setAsideDamagedSettings(join(cwd, 'settings.json'))
  return new Conf<AppSettings>({
    cwd,
    configName: 'settings',
    projectName: 'rufus-station',
    defaults: SETTINGS_DEFAULTS,
    schema: SETTINGS_SCHEMA as never,
    clearInvalidConfig: true,
    projectVersion: SETTINGS_VERSION,
    migrations: SETTINGS_MIGRATIONS as never,
    configFileMode: PRIVATE_FILE_MODE
  })
}
