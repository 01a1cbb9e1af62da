import Conf from 'conf'
import { PRIVATE_FILE_MODE } from '../platform/private-folder'
import { DEFAULT_UPLOAD_GRACE } from '../sync/upload-grace'

/**
 * The desktop app's settings, one schema on `conf` (electron-store wraps the same in Electron). The API key is
 * never here in plain text: only its encrypted form, written by the key store.
 */
export interface AppSettings {
  apiUrl: string
  /** base64 of the key encrypted by the OS (safeStorage); empty when none is kept. */
  encryptedApiKey: string
  /** The safeStorage backend that encrypted it (a change means the key cannot be read back). */
  keyBackend: string
  beep: boolean
  language: 'en' | 'es'
  /** How long manual passings (or all, with `graceAllPassings`) wait before upload. */
  uploadGraceMs: number
  graceAllPassings: boolean
  readers: Array<{ path: string; protocol: 'line' | 'r2000' | 'rrbox' | 'timy' | 'chafon'; baudRate: number }>
}

export const SETTINGS_DEFAULTS: AppSettings = {
  apiUrl: 'https://api.runonrufus.com/v0',
  encryptedApiKey: '',
  keyBackend: '',
  beep: true,
  language: 'en',
  uploadGraceMs: DEFAULT_UPLOAD_GRACE.graceMs,
  graceAllPassings: DEFAULT_UPLOAD_GRACE.allPassings,
  readers: []
}

export const SETTINGS_SCHEMA = {
  apiUrl: { type: 'string', format: 'uri' },
  encryptedApiKey: { type: 'string' },
  keyBackend: { type: 'string' },
  beep: { type: 'boolean' },
  language: { type: 'string', enum: ['en', 'es'] },
  uploadGraceMs: { type: 'integer', minimum: 0, maximum: 60000 },
  graceAllPassings: { type: 'boolean' },
  readers: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        protocol: { type: 'string', enum: ['line', 'r2000', 'rrbox', 'timy', 'chafon'] },
        baudRate: { type: 'integer', minimum: 300 }
      },
      required: ['path', 'protocol', 'baudRate']
    }
  }
} as const

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

/** Opens the settings file in a folder (plain Node: tests, tools). */
export function openSettings(cwd: string): Conf<AppSettings> {
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
