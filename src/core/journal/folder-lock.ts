import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export class DataFolderBusyError extends Error {
  override readonly name = 'DataFolderBusyError'
  constructor(
    readonly folder: string,
    readonly pid: number
  ) {
    super(
      `Another RUFUS Station (process ${pid}) is already using the data folder ${folder}. Close it first.`
    )
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * One station per data folder: a lock file holding the owner's pid.
 *
 * A lock left by a process that no longer runs (a crash, a power cut) is taken over; a live owner is refused.
 */
export function lockDataFolder(folder: string): { release(): void } {
  const path = join(folder, 'station.lock')
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      return {
        release() {
          if (released) return
          released = true
          rmSync(path, { force: true })
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number(readFileSync(path, 'utf8').trim())
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new DataFolderBusyError(folder, owner)
      }
      rmSync(path, { force: true })
    }
  }
  throw new Error(`Could not lock the data folder ${folder}`)
}
