import { isAbsolute, join, win32 } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  appDataRoot,
  appFolder,
  defaultDataFolder,
  oldDataFolders
} from '../../src/core/platform/data-folder'
import { MessageError } from '../../src/core/message-error'
import { moveRefusal, planAdoption, type FolderLook } from '../../src/core/station/adoption-plan'

const missing = (path: string): FolderLook => ({ path, exists: false, hasJournal: false, isEmpty: false })
const empty = (path: string): FolderLook => ({ path, exists: true, hasJournal: false, isEmpty: true })
const cluttered = (path: string): FolderLook => ({ path, exists: true, hasJournal: false, isEmpty: false })
const journal = (path: string): FolderLook => ({ path, exists: true, hasJournal: true, isEmpty: false })

describe('one data folder per OS', () => {
  it('is Electron’s userData for "RUFUS Station" plus data, on each OS', () => {
    const home = '/home/ana'
    expect(appDataRoot('linux', {}, home)).toBe('/home/ana/.config')
    expect(appDataRoot('linux', { XDG_CONFIG_HOME: '/cfg' }, home)).toBe('/cfg')
    expect(appDataRoot('darwin', {}, '/Users/ana')).toBe('/Users/ana/Library/Application Support')
    expect(appDataRoot('win32', { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, home)).toBe(
      'C:\\Users\\ana\\AppData\\Roaming'
    )
    expect(defaultDataFolder('/home/ana/.config')).toBe('/home/ana/.config/RUFUS Station/data')
    expect(defaultDataFolder('/Users/ana/Library/Application Support')).toBe(
      '/Users/ana/Library/Application Support/RUFUS Station/data'
    )
  })

  it('never takes an empty or relative APPDATA or XDG folder (a Windows service has no APPDATA): the home-based default', () => {
    const home = 'C:\\Users\\ana'
    for (const APPDATA of ['', 'AppData\\Roaming', '.']) {
      const root = appDataRoot('win32', { APPDATA }, home)
      expect(root, `APPDATA=${JSON.stringify(APPDATA)}`).toBe('C:\\Users\\ana\\AppData\\Roaming')
      expect(win32.isAbsolute(defaultDataFolder(root))).toBe(true)
    }
    expect(appDataRoot('win32', {}, home)).toBe('C:\\Users\\ana\\AppData\\Roaming')
    // XDG's own rule: a relative path in these variables is invalid and ignored.
    expect(appDataRoot('linux', { XDG_CONFIG_HOME: 'cfg' }, '/home/ana')).toBe('/home/ana/.config')
    expect(oldDataFolders('/home/ana/.config', 'linux', { XDG_DATA_HOME: 'share' }, '/home/ana')[1]).toBe(
      '/home/ana/.local/share/rufus-station'
    )
    for (const platform of ['linux', 'darwin'] as const) {
      expect(isAbsolute(defaultDataFolder(appDataRoot(platform, { XDG_CONFIG_HOME: '' }, '/home/ana')))).toBe(
        true
      )
    }
  })

  it('refuses, in words, when no absolute folder can be found at all (no APPDATA and no home folder)', () => {
    let refused: unknown = null
    try {
      appDataRoot('win32', { APPDATA: '' }, '')
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(MessageError)
    expect((refused as MessageError).reason).toEqual({
      code: 'start.app-folder-unknown',
      params: { variable: 'APPDATA' }
    })
    expect(() => appDataRoot('linux', {}, 'relative/home')).toThrow(/XDG_CONFIG_HOME/)
  })

  it('knows where earlier versions kept it: the desktop app’s package-named folder, then the headless default', () => {
    expect(oldDataFolders('/home/ana/.config', 'linux', {}, '/home/ana')).toEqual([
      '/home/ana/.config/rufus-station/data',
      '/home/ana/.local/share/rufus-station'
    ])
    expect(oldDataFolders('/home/ana/.config', 'linux', { XDG_DATA_HOME: '/xdg' }, '/home/ana')[1]).toBe(
      '/xdg/rufus-station'
    )
    const mac = '/Users/ana/Library/Application Support'
    expect(oldDataFolders(mac, 'darwin', {}, '/Users/ana')).toEqual([
      join(mac, 'rufus-station', 'data'),
      appFolder(mac)
    ])
    expect(win32.basename(appFolder('C:\\AppData'))).toBe('RUFUS Station')
  })
})

describe('the adoption plan', () => {
  const target = '/cfg/RUFUS Station/data'
  const oldDesktop = '/cfg/rufus-station/data'
  const oldHeadless = '/share/rufus-station'

  it('uses the new folder when it has a journal, and names every old journal it leaves', () => {
    expect(planAdoption(journal(target), [journal(oldDesktop), missing(oldHeadless)])).toEqual({
      plan: { kind: 'use-target' },
      leftBehind: [oldDesktop]
    })
  })

  it('does nothing on a first start', () => {
    expect(planAdoption(missing(target), [missing(oldDesktop), empty(oldHeadless)])).toEqual({
      plan: { kind: 'use-target' },
      leftBehind: []
    })
  })

  it('moves the first old journal, clearing the new folder as needed, and reports the next', () => {
    expect(planAdoption(missing(target), [journal(oldDesktop), journal(oldHeadless)])).toEqual({
      plan: { kind: 'move', from: oldDesktop, clearing: 'nothing' },
      leftBehind: [oldHeadless]
    })
    expect(planAdoption(empty(target), [missing(oldDesktop), journal(oldHeadless)]).plan).toEqual({
      kind: 'move',
      from: oldHeadless,
      clearing: 'remove-empty'
    })
    expect(planAdoption(cluttered(target), [journal(oldDesktop)]).plan).toEqual({
      kind: 'move',
      from: oldDesktop,
      clearing: 'set-aside'
    })
  })

  it('opens in place an old folder that contains the new one or lies inside it', () => {
    expect(planAdoption(missing(target), [journal('/cfg/RUFUS Station')]).plan).toEqual({
      kind: 'open-in-place',
      folder: '/cfg/RUFUS Station',
      why: 'overlaps'
    })
    expect(planAdoption(cluttered(target), [journal(`${target}/inner`)]).plan.kind).toBe('open-in-place')
    // A sibling whose name merely starts the same is no overlap.
    expect(planAdoption(missing(target), [journal(`${target}-old`)]).plan.kind).toBe('move')
  })

  it('carries on in place only for a rename the OS refuses, never for a real failure', () => {
    expect(moveRefusal('EXDEV')).toBe('other-drive')
    expect(['EPERM', 'EACCES', 'EBUSY'].map(moveRefusal)).toEqual(['in-use', 'in-use', 'in-use'])
    expect([moveRefusal('ENOSPC'), moveRefusal('ENOENT'), moveRefusal(undefined)]).toEqual([null, null, null])
  })
})
