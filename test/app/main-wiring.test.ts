import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { COMMANDS } from '../../src/shared/contract'
import { IPC_INVOKE } from '../../src/shared/ipc-channels'
import { ROOT } from '../helpers/process'
import { sessionWithPassings } from '../helpers/journal-fill'
import { tempFolder } from '../helpers/station'

/** Every file under a folder, as paths relative to it ([] when it does not exist). */
function listed(folder: string): string[] {
  if (!existsSync(folder)) return []
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => join(entry.parentPath, entry.name).slice(folder.length + 1))
    .sort()
}

// A minimal stand-in for the parts of Electron the composition root touches.
const fake = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  const windows: Array<Record<string, unknown>> = []
  let readyResolve: () => void = () => undefined
  const ready = new Promise<void>(resolve => (readyResolve = resolve))
  /** What the app folder held when the app first waited for Electron to be ready (Chromium starts then). */
  const atReady: { files: string[] | null } = { files: null }
  return { handlers, windows, ready, readyResolve, atReady, appData: '', paths: new Map<string, string>() }
})

vi.mock('electron', () => {
  class BrowserWindow {
    static getAllWindows = () => fake.windows
    readonly options: unknown
    readonly webContents = {
      id: 7,
      mainFrame: { url: '' },
      isDestroyed: () => false,
      send: vi.fn(),
      setWindowOpenHandler: vi.fn(),
      on: vi.fn()
    }
    constructor(options: unknown) {
      this.options = options
      fake.windows.push(this as unknown as Record<string, unknown>)
    }
    once = vi.fn()
    on = vi.fn()
    loadFile = vi.fn(async (file: string) => {
      this.webContents.mainFrame.url = `file://${file}`
    })
    loadURL = vi.fn(async () => undefined)
  }
  const app = {
    requestSingleInstanceLock: () => true,
    whenReady: () => {
      fake.atReady.files ??= listed(join(fake.appData, 'RUFUS Station'))
      fake.readyResolve()
      return Promise.resolve()
    },
    on: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
    isPackaged: true,
    getPath: (name: string) => (name === 'appData' ? fake.appData : (fake.paths.get(name) ?? '')),
    setPath: (name: string, value: string) => fake.paths.set(name, value)
  }
  return {
    app,
    BrowserWindow,
    dialog: {
      showErrorBox: vi.fn(),
      showMessageBoxSync: vi.fn(() => 0),
      showMessageBox: vi.fn(async () => ({}))
    },
    powerSaveBlocker: { start: vi.fn(() => 1), stop: vi.fn() },
    safeStorage: {
      isEncryptionAvailable: () => false,
      getSelectedStorageBackend: () => 'basic_text',
      encryptString: vi.fn(),
      decryptString: vi.fn()
    },
    shell: { openExternal: vi.fn() },
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) =>
        fake.handlers.set(channel, handler),
      removeHandler: (channel: string) => fake.handlers.delete(channel)
    }
  }
})

vi.mock('electron-store', () => {
  class Store {
    readonly #values: Record<string, unknown>
    constructor(options: { defaults: Record<string, unknown> }) {
      this.#values = { ...options.defaults }
    }
    get = (key: string) => this.#values[key]
    set = (key: string, value: unknown) => {
      this.#values[key] = value
    }
  }
  return { default: Store }
})

describe('the built Electron main bundle', () => {
  it(
    'adopts the journal of the version before productName, builds a hardened window and answers every contract command from our window only',
    { timeout: 30_000 },
    async () => {
      const bundle = join(ROOT, 'out', 'main', 'index.js')
      expect(existsSync(bundle)).toBe(true)
      fake.appData = tempFolder('rufus-electron-')
      // A laptop that ran the app before it had a productName: its journal holds passings not in the cloud yet.
      const oldData = join(fake.appData, 'rufus-station', 'data')
      mkdirSync(oldData, { recursive: true })
      sessionWithPassings(oldData, 25)
      // Its settings file is damaged: adopted with the journal, then kept aside, never replaced by the defaults.
      writeFileSync(join(fake.appData, 'rufus-station', 'config.json'), '{"apiUrl": ')
      // Chromium's own files: Local State holds the key safeStorage decrypts the API key with (Windows), Local
      // Storage the entry screen's queue of typed entries. Chromium reads both as it starts, before "ready".
      const localState = '{"os_crypt":{"encrypted_key":"RFBBUEkBAAAA0Iyd3wEV0RGMegDAT8KX6wEAAAA="}}'
      writeFileSync(join(fake.appData, 'rufus-station', 'Local State'), localState)
      const oldStorage = join(fake.appData, 'rufus-station', 'Local Storage', 'leveldb')
      mkdirSync(oldStorage, { recursive: true })
      writeFileSync(join(oldStorage, '000003.log'), 'rufus-station.entry-queue.v1')
      await import(/* @vite-ignore */ bundle)
      await fake.ready
      await vi.waitFor(() => expect(fake.handlers.has(IPC_INVOKE)).toBe(true))
      const appFolder = join(fake.appData, 'RUFUS Station')
      expect(fake.paths.get('userData')).toBe(appFolder)
      // All of it was in place before Electron was asked to get ready, the journal moved too.
      expect(fake.atReady.files).toEqual(
        expect.arrayContaining([
          'Local State',
          join('Local Storage', 'leveldb', '000003.log'),
          'config.json',
          join('data', 'journal.sqlite')
        ])
      )
      expect(readFileSync(join(appFolder, 'Local State'), 'utf8')).toBe(localState)
      expect(existsSync(oldData)).toBe(false)
      expect(readFileSync(join(appFolder, 'config.json.damaged'), 'utf8')).toBe('{"apiUrl": ')
      const window = fake.windows[0] as {
        options: { webPreferences: Record<string, unknown> }
        webContents: { id: number; mainFrame: { url: string } }
      }
      expect(window.options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false
      })
      expect(String(window.options.webPreferences['preload'])).toMatch(/preload[\\/]index\.cjs$/)
      const invoke = fake.handlers.get(IPC_INVOKE) as (
        event: unknown,
        name: unknown,
        args: unknown
      ) => Promise<{ ok: boolean; error?: { code: string } }>
      const trusted = { sender: { id: window.webContents.id }, senderFrame: window.webContents.mainFrame }
      for (const name of Object.keys(COMMANDS)) {
        const result = await invoke(trusted, name, {})
        if (!result.ok) expect(result.error?.code, name).not.toBe('unknown-command')
      }
      expect(await invoke(trusted, 'status.get', {})).toMatchObject({
        ok: true,
        value: {
          runtime: 'electron',
          key: { set: false, storage: 'memory' },
          // The adopted journal: its passings still wait for the cloud, and the move is told.
          sync: { pending: 25 },
          notices: [
            expect.objectContaining({
              level: 'info',
              message: {
                code: 'start.folder-adopted',
                params: { from: oldData, to: join(appFolder, 'data') }
              }
            })
          ]
        }
      })
      const stranger = { sender: { id: 99 }, senderFrame: { url: 'https://evil.example/' } }
      expect(await invoke(stranger, 'status.get', {})).toEqual({
        ok: false,
        error: { code: 'forbidden', message: { code: 'screen.untrusted-sender', params: {} } }
      })
      const subFrame = {
        sender: { id: window.webContents.id },
        senderFrame: { url: window.webContents.mainFrame.url }
      }
      expect(await invoke(subFrame, 'status.get', {})).toMatchObject({
        ok: false,
        error: { code: 'forbidden' }
      })
    }
  )
})
