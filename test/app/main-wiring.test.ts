import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { COMMANDS } from '../../src/shared/contract'
import { IPC_INVOKE } from '../../src/shared/ipc-channels'
import { ROOT } from '../helpers/process'
import { tempFolder } from '../helpers/station'

// A minimal stand-in for the parts of Electron the composition root touches.
const fake = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  const windows: Array<Record<string, unknown>> = []
  let readyResolve: () => void = () => undefined
  const ready = new Promise<void>(resolve => (readyResolve = resolve))
  return { handlers, windows, ready, readyResolve, userData: '' }
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
      fake.readyResolve()
      return Promise.resolve()
    },
    on: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
    isPackaged: true,
    getPath: () => fake.userData
  }
  return {
    app,
    BrowserWindow,
    dialog: { showErrorBox: vi.fn(), showMessageBoxSync: vi.fn(() => 0) },
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
    'builds a hardened window and answers every contract command from our window only',
    { timeout: 30_000 },
    async () => {
      const bundle = join(ROOT, 'out', 'main', 'index.js')
      expect(existsSync(bundle)).toBe(true)
      fake.userData = tempFolder('rufus-electron-')
      await import(/* @vite-ignore */ bundle)
      await fake.ready
      await vi.waitFor(() => expect(fake.handlers.has(IPC_INVOKE)).toBe(true))
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
        value: { runtime: 'electron', key: { set: false, storage: 'memory' } }
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
