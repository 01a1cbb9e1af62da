import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Journal, type PassingRecord } from '../../src/core/journal/journal'
import { appFolder, defaultDataFolder, oldDataFolders } from '../../src/core/platform/data-folder'
import {
  adoptDataFolder,
  type AdoptionOptions,
  type AdoptionStep
} from '../../src/core/station/adopt-data-folder'
import { JOURNAL_FILE } from '../../src/core/station/journal-file'
import { StationStartError } from '../../src/core/station/start-errors'
import { spawnTs } from '../helpers/process'
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

  const steps: AdoptionStep[] = ['files-copied', 'old-folder-free', 'target-cleared', 'moved']
  for (const step of steps) {
    it(`loses nothing when killed after "${step}", and the next start finishes the adoption`, async () => {
      const place = laptop()
      const before = await oldJournalKilledOpen(place.oldDesktop)
      // An empty new folder (a start that failed early) makes the clearing step real.
      mkdirSync(place.target, { recursive: true })
      const settingsFrom = join(place.root, 'rufus-station', 'config.json')
      const settingsTo = join(appFolder(place.root), 'config.json')
      writeFileSync(settingsFrom, '{"apiUrl":"http://127.0.0.1:4100/v0"}')
      const options = place.options({ files: [{ from: settingsFrom, to: settingsTo }] })
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
    adoptDataFolder(place.options())
    expectAllKept(place.target, before)
    const asides = readdirSync(appFolder(place.root)).filter(name => name.startsWith('data-set-aside-'))
    expect(asides).toHaveLength(1)
    expect(readFileSync(join(appFolder(place.root), asides[0] ?? '', 'screen-pairing.json'), 'utf8')).toBe(
      '{"tokens":"kept"}'
    )
  })

  it('opens the journal where it is when the old folder contains the new one (Windows and macOS headless default)', async () => {
    const root = tempFolder('rufus-adopt-')
    const old = oldDataFolders(root, 'darwin', {}, join(root, 'home'))
    expect(old[1]).toBe(appFolder(root))
    const before = await oldJournalKilledOpen(appFolder(root))
    const result = adoptDataFolder({ target: defaultDataFolder(root), old })
    expect(result.dataFolder).toBe(appFolder(root))
    expect(englishOf(result.notices[0])).toMatch(/stays in .*\(the new folder would be inside it\)/)
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

  it('leaves a first start with no old journal alone', () => {
    const place = laptop()
    expect(adoptDataFolder(place.options())).toEqual({ dataFolder: place.target, notices: [] })
    expect(existsSync(place.target)).toBe(false)
  })
})
