import type { BrowserWindowConstructorOptions } from 'electron'

/**
 * The one place that decides how the station window is built.
 *
 * Every security flag is fixed here and asserted by a unit test, so no environment can loosen them.
 */
export function createWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'RUFUS Station',
    backgroundColor: '#101418',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false
    }
  }
}

/** External pages the app may open in the system browser; everything else is refused. */
export const EXTERNAL_ALLOW_LIST = ['https://help.runonrufus.com/', 'https://cloud.runonrufus.com/']

export function isAllowedExternal(url: string): boolean {
  return EXTERNAL_ALLOW_LIST.some(prefix => url.startsWith(prefix))
}
