import { closeSync, cpSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * Copies and renames that survive a power cut. A file system may write a folder entry before the file's bytes, or
 * keep a rename in memory for seconds: a copy is flushed (fsync) under a temporary name before it takes the real
 * one, and a rename is flushed through the folders that hold its old and new names.
 *
 * Folders cannot be opened for fsync on Windows, where NTFS journals its own metadata: there only files are flushed.
 * On macOS fsync does not empty the drive's cache (Node has no F_FULLFSYNC): the data has left the process and the
 * OS, which a crash of either no longer loses.
 */

function isRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'EACCES' || code === 'EPERM'
}

/** Opens a file for flushing: Windows flushes only through a handle that may write; a read-only file has none. */
function openToFlush(path: string, platform: NodeJS.Platform): number | null {
  try {
    return openSync(path, 'r+')
  } catch (error) {
    if (!isRefusal(error)) throw error
    return platform === 'win32' ? null : openSync(path, 'r')
  }
}

/** Flushes one file, or one folder's entries, to the disk. */
function flush(path: string, folder: boolean, platform: NodeJS.Platform): void {
  if (folder && platform === 'win32') return
  const fd = folder ? openSync(path, 'r') : openToFlush(path, platform)
  if (fd === null) return
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Flushes a file, or every file and folder under a folder (each folder after its contents); links are left. */
export function flushTree(path: string, platform: NodeJS.Platform = process.platform): void {
  const stat = lstatSync(path)
  if (stat.isFile()) return flush(path, false, platform)
  if (!stat.isDirectory()) return
  for (const name of readdirSync(path)) flushTree(join(path, name), platform)
  flush(path, true, platform)
}

/** Flushes the folder that holds `path`, which makes a new or changed name there durable. */
export function flushParent(path: string, platform: NodeJS.Platform = process.platform): void {
  flush(dirname(path), true, platform)
}

/** Renames, then flushes both folders: the old name's removal and the new one's arrival. */
export function renameDurably(from: string, to: string, platform: NodeJS.Platform = process.platform): void {
  renameSync(from, to)
  flushParent(to, platform)
  if (dirname(from) !== dirname(to)) flushParent(from, platform)
}

/**
 * Copies a file or a folder to `to`, which must not exist yet: under `<to>.adopting`, flushed, then renamed. A crash
 * leaves either nothing under the real name or the whole copy; a half copy a crash left under the temporary name is
 * removed first. `written` runs between the copy and the rename (tests stop there).
 */
export function copyDurably(
  from: string,
  to: string,
  written: () => void = () => undefined,
  platform: NodeJS.Platform = process.platform
): void {
  const partial = `${to}.adopting`
  rmSync(partial, { recursive: true, force: true })
  cpSync(from, partial, { recursive: true, errorOnExist: true, force: false })
  flushTree(partial, platform)
  written()
  renameDurably(partial, to, platform)
}
