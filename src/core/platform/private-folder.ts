import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { logIgnored } from './log-ignored'

/**
 * The data folder holds participants' names and every passing: only its owner may read it. The one place that
 * knows file modes, which exist on macOS and Linux. Windows has none: there the folder sits under the user's
 * profile (%APPDATA%), whose ACL already keeps other users out, and modes are left alone.
 */
export const PRIVATE_FOLDER_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

const hasModes = (platform: NodeJS.Platform) => platform !== 'win32'

/**
 * Best effort: a folder on a drive without modes (FAT, exFAT, some network shares) or owned by someone else refuses
 * chmod, and that must never stop capture.
 */
function tryChmod(path: string, mode: number): void {
  try {
    chmodSync(path, mode)
  } catch (error) {
    // Left as the file system allows.
    logIgnored(`the permissions of ${path} could not be narrowed`, error)
  }
}

/** Creates the folder (and parents) if needed and makes it owner-only. */
export function makePrivateFolder(folder: string, platform: NodeJS.Platform = process.platform): void {
  mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE })
  if (hasModes(platform)) tryChmod(folder, PRIVATE_FOLDER_MODE)
}

/**
 * Makes the folder, its subfolders and its files owner-only (0700 and 0600), two levels deep: files an older
 * version created with the default modes, and the journal just opened (SQLite gives its -wal and -shm files the
 * mode of the database file).
 */
export function restrictFolder(
  folder: string,
  platform: NodeJS.Platform = process.platform,
  depth = 2
): void {
  if (!hasModes(platform)) return
  tryChmod(folder, PRIVATE_FOLDER_MODE)
  for (const name of readdirSync(folder)) {
    const path = join(folder, name)
    const stat = statSync(path, { throwIfNoEntry: false })
    if (stat?.isDirectory() && depth > 1) restrictFolder(path, platform, depth - 1)
    else if (stat?.isFile()) tryChmod(path, PRIVATE_FILE_MODE)
  }
}
