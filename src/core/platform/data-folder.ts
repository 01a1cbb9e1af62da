import { homedir } from 'node:os'
import { join, posix, win32 } from 'node:path'
import { MessageError } from '../message-error'

/**
 * Where RUFUS Station keeps its files on each OS: the one place that knows these paths. The desktop app and the
 * headless station (without `--data`) use the same data folder.
 *
 * | OS      | app folder (Electron's userData)              | data folder (journal, CSV copies) |
 * | ------- | --------------------------------------------- | --------------------------------- |
 * | Windows | %APPDATA%\RUFUS Station                       | …\RUFUS Station\data              |
 * | macOS   | ~/Library/Application Support/RUFUS Station   | …/RUFUS Station/data              |
 * | Linux   | $XDG_CONFIG_HOME/RUFUS Station (~/.config/…)  | …/RUFUS Station/data              |
 */

/** The packaged app's productName, which is also the name of its folder (electron-builder.ts). */
export const APP_FOLDER_NAME = 'RUFUS Station'
/** The folder name Electron used before the app had a productName: the package name. */
const OLD_APP_FOLDER_NAME = 'rufus-station'
const DATA_SUBFOLDER = 'data'

/**
 * A folder from the environment, or the home-based default when it is unset, empty or relative: a relative folder
 * would be taken from wherever the station was started (a service starts in C:\Windows\System32), and XDG's own
 * rule ignores relative paths. Without an absolute home either there is nowhere safe to put the journal.
 */
function absoluteFolder(
  platform: NodeJS.Platform,
  given: string | undefined,
  variable: string,
  home: string,
  ...fromHome: string[]
): string {
  const paths = platform === 'win32' ? win32 : posix
  if (given !== undefined && paths.isAbsolute(given)) return given
  if (!paths.isAbsolute(home))
    throw new MessageError({ code: 'start.app-folder-unknown', params: { variable } })
  return paths.join(home, ...fromHome)
}

/** Electron's `appData`: the per-user folder every application's own folder sits in. Always absolute. */
export function appDataRoot(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir()
): string {
  switch (platform) {
    case 'win32':
      return absoluteFolder(platform, env['APPDATA'], 'APPDATA', home, 'AppData', 'Roaming')
    case 'darwin':
      return absoluteFolder(platform, undefined, 'HOME', home, 'Library', 'Application Support')
    default:
      return absoluteFolder(platform, env['XDG_CONFIG_HOME'], 'XDG_CONFIG_HOME', home, '.config')
  }
}

/** The app's own folder (settings file, and Electron's userData in the desktop app). */
export function appFolder(root: string = appDataRoot()): string {
  return join(root, APP_FOLDER_NAME)
}

/** The station's data folder when none is given. */
export function defaultDataFolder(root: string = appDataRoot()): string {
  return join(appFolder(root), DATA_SUBFOLDER)
}

/** The settings file the desktop app (electron-store) keeps in its app folder. */
export const DESKTOP_SETTINGS_FILE = 'config.json'

/**
 * What the desktop app's folder holds that must follow the data folder from the old app folder: the settings file
 * (API address, readers, language, the encrypted API key), Chromium's `Local State` (on Windows it holds the key
 * that decrypts the API key: without it the stored key is unreadable) and its `Local Storage` (the entry screen's
 * queue of typed entries not yet stored). Chromium's caches are not worth carrying.
 */
export const DESKTOP_CARRIED_FILES: readonly string[] = [
  DESKTOP_SETTINGS_FILE,
  'Local State',
  'Local Storage'
]

/** The desktop app's folder before it had a productName; its settings file sits there too. */
export function oldDesktopAppFolder(root: string = appDataRoot()): string {
  return join(root, OLD_APP_FOLDER_NAME)
}

/**
 * Data folders earlier versions used by default, most likely first: the desktop app's (under its package name),
 * then the headless station's own default (Windows and macOS: the app folder itself; Linux: the XDG data folder).
 */
export function oldDataFolders(
  root: string = appDataRoot(),
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir()
): string[] {
  const desktop = join(oldDesktopAppFolder(root), DATA_SUBFOLDER)
  const headless =
    platform === 'win32' || platform === 'darwin'
      ? appFolder(root)
      : join(
          absoluteFolder(platform, env['XDG_DATA_HOME'], 'XDG_DATA_HOME', home, '.local', 'share'),
          OLD_APP_FOLDER_NAME
        )
  return [desktop, headless]
}
