import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ADOPTION_LOCK_DATABASE } from '../../src/core/journal/folder-lock'
import { Journal, type PassingRecord } from '../../src/core/journal/journal'
import { appFolder, defaultDataFolder, oldDataFolders } from '../../src/core/platform/data-folder'
import {
  adoptDataFolder,
  type AdoptionOptions,
  type AdoptionResult,
  type AdoptionStep
} from '../../src/core/station/adopt-data-folder'
import { JOURNAL_FILE } from '../../src/core/station/journal-file'
import { StationStartError } from '../../src/core/station/start-errors'
import { ROOT, spawnTs } from '../helpers/process'
import { inEnglish } from '../../src/shared/messages'
import type { AdoptionNotice } from '../../src/core/station/adopt-data-folder'
import { tempFolder } from '../helpers/station'

/** A notice as the headless command line prints it. */
function englishOf(notice: AdoptionNotice | undefined): string {
  return notice ? inEnglish(notice.message) : ''
}

const CHILD = 'test/helpers/adoption-child.ts'
const PASSINGS = 60
const SYNCED = 15

/** An older station that captured passings and was killed with its journal open (committed rows in the WAL). */
async function oldJournalKilledOpen(folder: string): Promise<PassingRecord[]> {
  mkdirSync(folder, { recursive: true })
  const child = spawnTs(CHILD, ['journal-then-die', folder, String(PASSINGS), String(SYNCED)])
  const line = await child.waitForLine(/^\[/)
  await child.exited()
  expect(child.child.signalCode).toBe('SIGKILL')
  expect(existsSync(join(folder, `${JOURNAL_FILE}-wal`))).toBe(true)
  return JSON.parse(line) as PassingRecord[]
}

function passingsIn(folder: string): PassingRecord[] {
  const journal = new Journal(join(folder, JOURNAL_FILE))
  try {
    const session = journal.lastSession()
    return session === null ? [] : journal.passingsOfSession(session.id)
  } finally {
    journal.close()
  }
}

function expectAllKept(folder: string, before: readonly PassingRecord[]): void {
  const after = passingsIn(folder)
  expect(after).toEqual(before)
  expect(after.filter(p => p.state === 'pending')).toHaveLength(PASSINGS - SYNCED)
}

function folderDigest(folder: string): Record<string, string> {
  const digest: Record<string, string> = {}
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name)
    if (statSync(path).isFile()) digest[name] = createHash('sha256').update(readFileSync(path)).digest('hex')
  }
  return digest
}

/** Whether the process has the file open (Linux: its descriptors are links in /proc). */
function holdsOpen(pid: number | undefined, name: string): boolean {
  try {
    const fds = `/proc/${pid}/fd`
    return readdirSync(fds).some(fd => readlinkSync(join(fds, fd)).endsWith(name))
  } catch {
    return false // gone, or a descriptor closed while it was read
  }
}

/** The layout of a laptop (Linux) under one appData root: the new folder and the two old ones. */
function laptop() {
  const root = tempFolder('rufus-adopt-')
  const home = join(root, 'home')
  const old = oldDataFolders(root, 'linux', {}, home)
  return {
    root,
    target: defaultDataFolder(root),
    oldDesktop: old[0] ?? '',
    oldHeadless: old[1] ?? '',
    options: (extra: Partial<AdoptionOptions> = {}): AdoptionOptions => ({
      target: defaultDataFolder(root),
      old,
      ...extra
    })
  }
}

describe('adopting the journal an earlier version left in its own folder', () => {
  it('moves the old folder as a whole, WAL included: every passing is there, the unsynced ones still unsynced', async () => {
    const place = laptop()
    const before = await oldJournalKilledOpen(place.oldDesktop)
    const result = adoptDataFolder(place.options())
    expect(result.dataFolder).toBe(place.target)
    expect(existsSync(place.oldDesktop)).toBe(false)
    expect(result.notices).toEqual([
      {
        level: 'info',
        message: { code: 'start.folder-adopted', params: { from: place.oldDesktop, to: place.target } }
      }
    ])
    expectAllKept(place.target, before)
    // The next start finds nothing more to do.
    expect(adoptDataFolder(place.options())).toEqual({ dataFolder: place.target, notices: [] })
  })

  const steps: AdoptionStep[] = [
    'locked',
    'copy-written',
    'files-copied',
    'old-folder-free',
    'target-cleared',
    'moved'
  ]
  for (const step of steps) {
    it(`loses nothing when killed after "${step}", and the next start finishes the adoption`, async () => {
      const place = laptop()
      const before = await oldJournalKilledOpen(place.oldDesktop)
      // An empty new folder (a start that failed early) makes the clearing step real.
      mkdirSync(place.target, { recursive: true })
      const settingsFrom = join(place.root, 'rufus-station', 'config.json')
      const settingsTo = join(appFolder(place.root), 'config.json')
      writeFileSync(settingsFrom, '{"apiUrl":"http://127.0.0.1:4100/v0"}')
      // A folder carried along too (the desktop app's Local Storage, where the entry screen keeps its queue).
      const storageFrom = join(place.root, 'rufus-station', 'Local Storage')
      const storageTo = join(appFolder(place.root), 'Local Storage')
      mkdirSync(join(storageFrom, 'leveldb'), { recursive: true })
      writeFileSync(join(storageFrom, 'leveldb', 'CURRENT'), 'MANIFEST-000001\n')
      writeFileSync(join(storageFrom, 'leveldb', '000003.log'), 'entry queue')
      // An earlier start was killed inside the copy of that folder: half of it waits under the temporary name.
      const halfCopy = join(appFolder(place.root), 'Local Storage.adopting', 'leveldb')
      mkdirSync(halfCopy, { recursive: true })
      writeFileSync(join(halfCopy, 'MANIFEST-000001'), 'half written')
      const options = place.options({
        files: [
          { from: settingsFrom, to: settingsTo },
          { from: storageFrom, to: storageTo }
        ]
      })
      const child = spawnTs(CHILD, ['adopt-then-die', JSON.stringify(options), step])
      await child.exited()
      expect(child.child.signalCode, child.stderr()).toBe('SIGKILL')
      // Between two steps the journal is whole in exactly one place.
      expect([existsSync(place.oldDesktop), existsSync(join(place.target, JOURNAL_FILE))]).toContain(true)
      expect(existsSync(place.oldDesktop) && existsSync(join(place.target, JOURNAL_FILE))).toBe(false)

      const result = adoptDataFolder(options)
      expect(result.dataFolder).toBe(place.target)
      expect(existsSync(place.oldDesktop)).toBe(false)
      expectAllKept(place.target, before)
      expect(readFileSync(settingsTo, 'utf8')).toBe('{"apiUrl":"http://127.0.0.1:4100/v0"}')
      expect(existsSync(`${settingsTo}.adopting`)).toBe(false)
      expect(readdirSync(join(storageTo, 'leveldb')).sort()).toEqual(['000003.log', 'CURRENT'])
      expect(readFileSync(join(storageTo, 'leveldb', '000003.log'), 'utf8')).toBe('entry queue')
      expect(existsSync(`${storageTo}.adopting`)).toBe(false)
    })
  }

  for (const first of ['finishes', 'is killed'] as const) {
    it(`lets one of two stations starting at once move the old folder; when the first ${first}, the other opens the adopted one`, async () => {
      const place = laptop()
      const before = await oldJournalKilledOpen(place.oldDesktop)
      // A start that failed early left a file in the new folder: the one that moves sets it aside first.
      mkdirSync(place.target, { recursive: true })
      writeFileSync(join(place.target, 'screen-pairing.json'), '{}')
      const go = join(place.root, 'go')
      const pauseAt = first === 'finishes' ? 'old-folder-free' : 'target-cleared'
      const mover = spawnTs(CHILD, ['adopt-paused', JSON.stringify(place.options()), pauseAt, go])
      await mover.waitForLine(/^paused$/)
      const second = spawnTs(CHILD, ['adopt', JSON.stringify(place.options())])
      // The second start runs to its end unless something makes it wait for the first: then it waits at the lock.
      let secondDone = false
      void second.exited().then(() => (secondDone = true))
      await vi.waitFor(
        () => expect(secondDone || holdsOpen(second.child.pid, ADOPTION_LOCK_DATABASE)).toBe(true),
        { timeout: 20_000, interval: 20 }
      )
      if (first === 'finishes') writeFileSync(go, '')
      else mover.child.kill('SIGKILL')
      const moverExit = await mover.exited()
      expect(await second.exited(), second.stderr()).toBe(0)
      const starts = first === 'finishes' ? [mover, second] : [second]
      if (first === 'finishes') expect(moverExit, mover.stderr()).toBe(0)
      const results = starts.map(start => JSON.parse(start.lines.at(-1) ?? '{}') as AdoptionResult)
      expect(results.map(result => result.dataFolder)).toEqual(starts.map(() => place.target))
      const moves = results
        .flatMap(result => result.notices)
        .filter(notice => notice.message.code === 'start.folder-adopted')
      expect(moves).toHaveLength(1)
      expect(existsSync(place.oldDesktop)).toBe(false)
      expectAllKept(place.target, before)
      // What the failed start left in the new folder is kept aside, once.
      const asides = readdirSync(appFolder(place.root)).filter(name => name.startsWith('data-set-aside-'))
      expect(asides).toHaveLength(1)
      expect(existsSync(join(appFolder(place.root), asides[0] ?? '', JOURNAL_FILE))).toBe(false)
    })
  }

  it('refuses to start while an older station still has the old folder open, and moves nothing', async () => {
    const place = laptop()
    const before = await oldJournalKilledOpen(place.oldDesktop)
    const holder = spawnTs(CHILD, ['hold-lock', place.oldDesktop])
    await holder.waitForLine(/^locked$/)
    try {
      let refused: unknown = null
      try {
        adoptDataFolder(place.options())
      } catch (error) {
        refused = error
      }
      expect(refused).toBeInstanceOf(StationStartError)
      expect((refused as StationStartError).problem).toBe('busy')
      expect((refused as StationStartError).message).toContain(place.oldDesktop)
      expect(existsSync(join(place.oldDesktop, JOURNAL_FILE))).toBe(true)
      expect(existsSync(place.target)).toBe(false)
    } finally {
      holder.child.kill('SIGKILL')
      await holder.exited()
    }
    expect(adoptDataFolder(place.options()).dataFolder).toBe(place.target)
    expectAllKept(place.target, before)
  })

  it('keeps using the new folder when both hold a journal, and leaves the old one untouched and reported', async () => {
    const place = laptop()
    await oldJournalKilledOpen(place.oldHeadless)
    mkdirSync(place.target, { recursive: true })
    const current = new Journal(join(place.target, JOURNAL_FILE))
    current.insertManual(current.openSession('FINISH', 1).id, '7', 2, 2)
    current.close()
    const oldFiles = folderDigest(place.oldHeadless)

    const result = adoptDataFolder(place.options())
    expect(result.dataFolder).toBe(place.target)
    expect(result.notices).toHaveLength(1)
    expect(result.notices[0]?.level).toBe('warning')
    expect(englishOf(result.notices[0])).toContain(place.oldHeadless)
    // Nothing syncs from there: the notice must not let the timer believe those passings will upload by themselves.
    expect(englishOf(result.notices[0])).toMatch(/does not upload/)
    expect(folderDigest(place.oldHeadless)).toEqual(oldFiles)
    expect(passingsIn(place.target).map(p => p.bib)).toEqual(['7'])
  })

  it('adopts the first old folder with a journal and reports the other one', async () => {
    const place = laptop()
    const before = await oldJournalKilledOpen(place.oldDesktop)
    await oldJournalKilledOpen(place.oldHeadless)
    const result = adoptDataFolder(place.options())
    expect(result.dataFolder).toBe(place.target)
    expectAllKept(place.target, before)
    expect(result.notices.map(n => n.level)).toEqual(['info', 'warning'])
    expect(englishOf(result.notices[1])).toContain(place.oldHeadless)
    expect(existsSync(join(place.oldHeadless, JOURNAL_FILE))).toBe(true)
  })

  it('keeps whatever a new folder without a journal holds, set aside under another name', async () => {
    const place = laptop()
    const before = await oldJournalKilledOpen(place.oldDesktop)
    mkdirSync(place.target, { recursive: true })
    writeFileSync(join(place.target, 'screen-pairing.json'), '{"tokens":"kept"}')
    const result = adoptDataFolder(place.options())
    expectAllKept(place.target, before)
    const asides = readdirSync(appFolder(place.root)).filter(name => name.startsWith('data-set-aside-'))
    expect(asides).toHaveLength(1)
    const keptAs = join(appFolder(place.root), asides[0] ?? '')
    expect(readFileSync(join(keptAs, 'screen-pairing.json'), 'utf8')).toBe('{"tokens":"kept"}')
    // Said in words: a timer looking for those files learns where they went.
    const setAside = result.notices.find(n => n.message.code === 'start.folder-set-aside')
    expect(setAside).toEqual({
      level: 'warning',
      message: { code: 'start.folder-set-aside', params: { folder: place.target, keptAs } }
    })
    expect(englishOf(setAside)).toContain(keptAs)
  })

  it('opens the journal where it is when the old folder contains the new one (Windows and macOS headless default)', async () => {
    const root = tempFolder('rufus-adopt-')
    const old = oldDataFolders(root, 'darwin', {}, join(root, 'home'))
    expect(old[1]).toBe(appFolder(root))
    const before = await oldJournalKilledOpen(appFolder(root))
    const result = adoptDataFolder({ target: defaultDataFolder(root), old })
    expect(result.dataFolder).toBe(appFolder(root))
    expect(englishOf(result.notices[0])).toMatch(/stays in .*\(the new folder would be inside it; /)
    // No start can move it (the rename is impossible, not refused for a while): the notice must not promise a retry.
    expect(englishOf(result.notices[0])).toMatch(/at every start until the journal is moved by hand/)
    expect(englishOf(result.notices[0])).not.toMatch(/tried again/)
    expect(existsSync(defaultDataFolder(root))).toBe(false)
    expectAllKept(appFolder(root), before)
  })

  describe('an old folder on another drive', () => {
    const otherDrive: string[] = []
    afterEach(() => {
      for (const folder of otherDrive.splice(0)) rmSync(folder, { recursive: true, force: true })
    })

    it('is opened where it is, whole, and the new folder is not created', async () => {
      // /dev/shm is a memory file system: a rename from there to the temporary folder crosses devices (EXDEV).
      const drive = mkdtempSync('/dev/shm/rufus-adopt-')
      otherDrive.push(drive)
      const place = laptop()
      expect(statSync(drive).dev).not.toBe(statSync(place.root).dev)
      const old = join(drive, 'rufus-station', 'data')
      const before = await oldJournalKilledOpen(old)
      const result = adoptDataFolder({ target: place.target, old: [old] })
      expect(result.dataFolder).toBe(old)
      expect(result.notices).toEqual([
        {
          level: 'warning',
          message: {
            code: 'start.folder-kept-in-place',
            params: { folder: old, target: place.target, why: 'other-drive' }
          }
        }
      ])
      expect(existsSync(place.target)).toBe(false)
      expectAllKept(old, before)
    })
  })

  it('is done by the headless station started without --data, which then uses the desktop app’s folder', async () => {
    const root = tempFolder('rufus-adopt-')
    const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_DATA_HOME: join(root, 'share') }
    const oldDefault = join(root, 'share', 'rufus-station')
    const before = await oldJournalKilledOpen(oldDefault)
    const target = join(root, 'config', 'RUFUS Station', 'data')
    const station = spawnTs('src/headless/cli.ts', ['--rotate-pairing'], env)
    expect(await station.exited(), station.stderr()).toBe(0)
    expect(station.stderr()).toContain(`Moved the data folder from ${oldDefault} to ${target}.`)
    expect(station.lines.join('\n')).toContain(join(target, 'screen-pairing.json'))
    expect(existsSync(oldDefault)).toBe(false)
    expectAllKept(target, before)
  })

  it('refuses a headless start without --data when no folder is absolute (exit 3), and creates nothing relative', async () => {
    // A home that is not a full path and no XDG folder: the old default was a folder under the working directory.
    const home = `rufus-relative-home-${process.pid}`
    try {
      const station = spawnTs('src/headless/cli.ts', ['--rotate-pairing'], {
        HOME: home,
        XDG_CONFIG_HOME: ''
      })
      expect(await station.exited(), station.stderr()).toBe(3)
      expect(station.stderr()).toContain('XDG_CONFIG_HOME is not set to a full path')
      expect(existsSync(join(ROOT, home))).toBe(false)
    } finally {
      rmSync(join(ROOT, home), { recursive: true, force: true })
    }
  })

  it('leaves a first start with no old journal alone', () => {
    const place = laptop()
    expect(adoptDataFolder(place.options())).toEqual({ dataFolder: place.target, notices: [] })
    expect(existsSync(place.target)).toBe(false)
  })
})
