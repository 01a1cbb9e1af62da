import { homedir } from 'node:os'
import { join } from 'node:path'

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

/** Electron's `appData`: the per-user folder every application's own folder sits in. */
export function appDataRoot(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir()
): string {
  switch (platform) {
    case 'win32':
      return env['APPDATA'] ?? join(home, 'AppData', 'Roaming')
    case 'darwin':
      return join(home, 'Library', 'Application Support')
    default:
      return env['XDG_CONFIG_HOME'] || join(home, '.config')
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
      : join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), OLD_APP_FOLDER_NAME)
  return [desktop, headless]
}
