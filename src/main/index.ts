import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, dialog, powerSaveBlocker } from 'electron'
import Store from 'electron-store'
import { EventHub } from '../core/app/event-hub'
import { StationService } from '../core/app/station-service'
import { KeyStore } from '../core/settings/key-store'
import {
  SETTINGS_DEFAULTS,
  SETTINGS_MIGRATIONS,
  SETTINGS_SCHEMA,
  setAsideDamagedSettings,
  type AppSettings
} from '../core/settings/settings-store'
import { Station } from '../core/station/station'
import { MessageError } from '../core/message-error'
import { renderMessage } from '../shared/messages'
import type { Language } from '../shared/languages'
import { registerIpc } from './ipc/register'
import { appFolder } from '../core/platform/data-folder'
import { adoptDesktopData, type AdoptionResult } from '../core/station/adopt-data-folder'
import { PRIVATE_FILE_MODE } from '../core/platform/private-folder'
import { lockNavigation } from './shell/navigation'
import { electronEncryption } from './shell/safe-storage'
import { createWindowOptions } from './shell/window-options'

// The composition root of the desktop app: the one place that wires Electron to the core.

const rendererIndex = join(import.meta.dirname, '../renderer/index.html')

// The app's folder is decided by the core, the same for the headless station and the docs; Electron follows it
// (its own choice from productName "RUFUS Station" is the same folder). Set before anything reads it.
const appDataRoot = app.getPath('appData')
app.setPath('userData', appFolder(appDataRoot))

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow(createWindowOptions(join(import.meta.dirname, '../preload/index.cjs')))
  lockNavigation(window.webContents)
  window.once('ready-to-show', () => window.show())
  const devServerUrl = process.env['ELECTRON_RENDERER_URL']
  if (!app.isPackaged && devServerUrl) void window.loadURL(devServerUrl)
  else void window.loadFile(rendererIndex)
  return window
}

/**
 * A start the timer must fix first (the folder busy, read-only, …): one dialog that says why, exit code 3. Before the
 * settings are read (adopting the data folder) the reason is in English; after, in the timer's language.
 */
function refuseToStart(error: unknown, language: Language = 'en'): void {
  const why =
    error instanceof MessageError
      ? renderMessage(language, error.reason)
      : error instanceof Error
        ? error.message
        : String(error)
  dialog.showErrorBox('RUFUS Station cannot start', why)
  app.exit(3)
}

/** The adoption's outcome, decided before Electron is ready: its result, or why the app cannot start. */
type Adoption = { readonly adopted: AdoptionResult } | { readonly refused: unknown }

/**
 * Adopts an earlier version's folder in this module's top-level code, before Electron is ready: Chromium reads
 * `Local State` (on Windows the key safeStorage decrypts the stored API key with) and `Local Storage` (the entry
 * screen's queue) from userData as it starts, right after Electron has evaluated this module (JoinAppCode in
 * PostEarlyInitialization) and before "ready". Copied later, the old key would be replaced by a new one and the
 * stored API key could never be read. A refusal is shown once Electron can show dialogs.
 */
function adoptBeforeReady(): Adoption {
  try {
    return { adopted: adoptDesktopData(appDataRoot) }
  } catch (error) {
    return { refused: error }
  }
}

async function start(adoption: Adoption): Promise<void> {
  if ('refused' in adoption) {
    refuseToStart(adoption.refused)
    return
  }
  const { adopted } = adoption
  setAsideDamagedSettings(join(app.getPath('userData'), 'config.json'))
  const settings = new Store<AppSettings>({
    defaults: SETTINGS_DEFAULTS,
    schema: SETTINGS_SCHEMA as never,
    clearInvalidConfig: true,
    migrations: SETTINGS_MIGRATIONS as never,
    configFileMode: PRIVATE_FILE_MODE
  })
  const keys = new KeyStore(electronEncryption, {
    get: () => ({ encryptedApiKey: settings.get('encryptedApiKey'), keyBackend: settings.get('keyBackend') }),
    set: value => {
      settings.set('encryptedApiKey', value.encryptedApiKey)
      settings.set('keyBackend', value.keyBackend)
    }
  })
  const apiKey = keys.load()
  const hub = new EventHub()
  let station: Station
  try {
    station = Station.open(
      {
        dataFolder: adopted.dataFolder,
        apiUrl: settings.get('apiUrl'),
        apiKey: apiKey ?? '',
        sync: apiKey !== null
      },
      hub.emit
    )
  } catch (error) {
    refuseToStart(error, settings.get('language'))
    return
  }
  const service = new StationService({
    station,
    runtime: 'electron',
    apiUrl: settings.get('apiUrl'),
    keySet: apiKey !== null,
    keyStorage: keys.canPersist ? 'encrypted' : 'memory',
    saveKey: async (apiUrl, key) => {
      settings.set('apiUrl', apiUrl)
      return keys.save(key)
    },
    settings: {
      beep: settings.get('beep'),
      language: settings.get('language'),
      uploadGraceMs: settings.get('uploadGraceMs'),
      graceAllPassings: settings.get('graceAllPassings')
    },
    saveSettings: value => {
      settings.set('beep', value.beep)
      settings.set('language', value.language)
      settings.set('uploadGraceMs', value.uploadGraceMs)
      settings.set('graceAllPassings', value.graceAllPassings)
    },
    rememberReaders: readers => settings.set('readers', readers)
  })
  hub.add(service.onStationEvent)
  for (const notice of adopted.notices) hub.emit({ type: notice.level, ...notice.message })
  // The readers of the last run resume with the open session.
  for (const reader of settings.get('readers')) {
    service.addReader(reader.path, reader.protocol, reader.baudRate)
  }

  let window: BrowserWindow | null = createMainWindow()
  const dispose = registerIpc(
    service,
    () => window?.webContents ?? null,
    () => pathToFileURL(rendererIndex).href.replace(/index\.html$/, '')
  )
  // A finish-line laptop must not sleep while timing.
  const blocker = powerSaveBlocker.start('prevent-app-suspension')

  window.on('close', event => {
    const counts = station.records.counts()
    const unsynced = counts.pending + counts.held
    const timing =
      station.records.openedSession() !== null && station.readerHealth().some(r => r.state === 'open')
    if (!timing && unsynced === 0) return
    const choice = dialog.showMessageBoxSync(window as BrowserWindow, {
      type: 'warning',
      buttons: ['Keep timing', 'Quit anyway'],
      defaultId: 0,
      cancelId: 0,
      message: timing
        ? 'A session is open and readers are running.'
        : `${unsynced} passings are not in RUFUS Cloud yet.`,
      detail: 'Every passing is saved on this laptop and will be uploaded at the next launch.'
    })
    if (choice === 0) event.preventDefault()
  })
  window.on('closed', () => {
    window = null
  })
  app.on('before-quit', event => {
    event.preventDefault()
    dispose()
    service.stop()
    powerSaveBlocker.stop(blocker)
    void station.close().finally(() => app.exit(0))
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createMainWindow()
  })
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    const [existing] = BrowserWindow.getAllWindows()
    if (existing) {
      if (existing.isMinimized()) existing.restore()
      existing.focus()
    }
  })
  app.on('web-contents-created', (_event, contents) => lockNavigation(contents))
  // After the single-instance lock (a second window of this app adopts nothing), before Chromium starts.
  const adoption = adoptBeforeReady()
  void app.whenReady().then(() => start(adoption))
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
