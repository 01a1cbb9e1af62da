import { describe, expect, it } from 'vitest'
import { explainStartError } from '../../src/core/station/start-errors'

function failure(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code })
}

describe('start failures are told apart by their code, never their words', () => {
  it('reads Node and SQLite codes, extended forms included', () => {
    expect(explainStartError(failure('x', 'EROFS'), '/d').problem).toBe('read-only')
    expect(explainStartError(failure('x', 'SQLITE_READONLY_DBMOVED'), '/d').problem).toBe('read-only')
    expect(explainStartError(failure('x', 'SQLITE_FULL'), '/d').problem).toBe('disk-full')
    expect(explainStartError(failure('x', 'SQLITE_CORRUPT_INDEX'), '/d').problem).toBe('damaged')
  })

  it('does not blame the data folder for an error without a code, whatever its message says', () => {
    const explained = explainStartError(failure('database or disk is full'), '/d')
    expect(explained.problem).toBe('other')
    expect(explained.message).toBe('database or disk is full')
    const setting = explainStartError(
      new TypeError('duplicate window must be a number of milliseconds ≥ 0'),
      '/d'
    )
    expect(setting.message).not.toMatch(/data folder/)
  })

  it("blames the data folder only for a system or SQLite code, not for a Node code naming a program's mistake", () => {
    const bug = explainStartError(
      failure('The "path" argument must be of type string', 'ERR_INVALID_ARG_TYPE'),
      '/d'
    )
    expect(bug.problem).toBe('other')
    expect(bug.message).toBe('The "path" argument must be of type string')
    const system = explainStartError(failure('EISDIR: illegal operation on a directory', 'EISDIR'), '/d')
    expect(system.message).toBe(
      'RUFUS Station could not use its data folder /d: EISDIR: illegal operation on a directory'
    )
  })
})
