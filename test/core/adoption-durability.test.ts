import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { appFolder, defaultDataFolder, oldDataFolders } from '../../src/core/platform/data-folder'
import { adoptDataFolder } from '../../src/core/station/adopt-data-folder'
import { sessionWithPassings } from '../helpers/journal-fill'
import { tempFolder } from '../helpers/station'

// A copy or a rename that is not flushed can vanish in a power cut that follows it: the file system may write the
// folder entry before the file's bytes, or not at all. Here node:fs records which paths were flushed (fsync).
const flushed = vi.hoisted(() => ({ paths: [] as string[], open: new Map<number, string>() }))

vi.mock('node:fs', async original => {
  const fs = await original<typeof import('node:fs')>()
  const recorded = {
    ...fs,
    openSync: (path: string, ...rest: unknown[]) => {
      const fd = (fs.openSync as (...args: unknown[]) => number)(path, ...rest)
      flushed.open.set(fd, String(path))
      return fd
    },
    fsyncSync: (fd: number) => {
      fs.fsyncSync(fd)
      flushed.paths.push(flushed.open.get(fd) ?? `fd ${fd}`)
    }
  }
  return { ...recorded, default: recorded }
})

describe('an adoption flushes what it copies and moves before anything relies on it', () => {
  beforeEach(() => {
    flushed.paths.length = 0
    flushed.open.clear()
  })

  it('fsyncs the copied settings file, the copied folder’s files and folders, and both parents of the moved folder', () => {
    const root = tempFolder('rufus-durable-')
    const old = oldDataFolders(root, 'linux', {}, join(root, 'home'))
    const oldDesktop = old[0] ?? ''
    mkdirSync(oldDesktop, { recursive: true })
    sessionWithPassings(oldDesktop, 3)
    const settingsFrom = join(root, 'rufus-station', 'config.json')
    writeFileSync(settingsFrom, '{"apiUrl":"http://127.0.0.1:4100/v0"}')
    const storageFrom = join(root, 'rufus-station', 'Local Storage')
    mkdirSync(join(storageFrom, 'leveldb'), { recursive: true })
    writeFileSync(join(storageFrom, 'leveldb', 'CURRENT'), 'MANIFEST-000001\n')
    const app = appFolder(root)
    const target = defaultDataFolder(root)

    const result = adoptDataFolder({
      target,
      old,
      files: [
        { from: settingsFrom, to: join(app, 'config.json') },
        { from: storageFrom, to: join(app, 'Local Storage') }
      ]
    })
    expect(result.dataFolder).toBe(target)
    expect(flushed.paths).toEqual(
      expect.arrayContaining([
        // Written under a temporary name, flushed, renamed, then the folder that holds the new name flushed.
        join(app, 'config.json.adopting'),
        join(app, 'Local Storage.adopting', 'leveldb', 'CURRENT'),
        join(app, 'Local Storage.adopting', 'leveldb'),
        join(app, 'Local Storage.adopting'),
        app,
        // The journal's folder left one parent and arrived in the other.
        dirname(oldDesktop)
      ])
    )
    // The new name is flushed only after the copy under the temporary name was.
    const copied = flushed.paths.indexOf(join(app, 'config.json.adopting'))
    expect(flushed.paths.lastIndexOf(app)).toBeGreaterThan(copied)
  })
})
