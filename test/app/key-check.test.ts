import { describe, expect, it } from 'vitest'
import { checkKey, keyMessage } from '../../src/core/app/key-check'
import { RufusError, type RufusErrorKind } from '../../src/core/rufus/errors'

type Answer = 'ok' | RufusErrorKind

/** A cloud that answers each probe as told (the real client against the emulator: test/app/contract.test.ts). */
function cloud(read: Answer, write: Answer, unbind: Answer) {
  const answer = async (kind: Answer): Promise<never> => {
    if (kind === 'ok') return undefined as never
    throw new RufusError(kind, kind)
  }
  return {
    listDevices: () => answer(read),
    insertSession: () => answer(write),
    unbindDevice: () => answer(unbind)
  }
}

describe('what a key may do', () => {
  const rows: Array<[read: Answer, write: Answer, unbind: Answer, expected: object]> = [
    [
      'not-found',
      'not-found',
      'not-found',
      { canRead: true, canWrite: true, canUnbind: true, code: 'key.read-write' }
    ],
    [
      'ok',
      'not-found',
      'forbidden',
      { canRead: true, canWrite: true, canUnbind: false, code: 'key.read-write' }
    ],
    [
      'ok',
      'forbidden',
      'forbidden',
      { canRead: true, canWrite: false, canUnbind: false, code: 'key.read-only' }
    ],
    [
      'forbidden',
      'not-found',
      'forbidden',
      { canRead: false, canWrite: true, canUnbind: false, code: 'key.write-only' }
    ],
    [
      'forbidden',
      'forbidden',
      'forbidden',
      { canRead: false, canWrite: false, canUnbind: false, code: 'key.refused' }
    ],
    // A write probe that fails otherwise (a server error) is not a permission.
    ['ok', 'server', 'not-found', { canRead: true, canWrite: false, canUnbind: true, code: 'key.read-only' }]
  ]
  it.each(rows)('read %s, write %s, unbind %s', async (read, write, unbind, expected) => {
    const { canRead, canWrite, canUnbind, message, reachable } = await checkKey('u', 'k', {
      client: cloud(read, write, unbind)
    })
    expect({ canRead, canWrite, canUnbind, code: message.code }).toEqual(expected)
    expect(reachable).toBe(true)
  })

  it('a cloud that cannot be reached says so, and nothing is granted', async () => {
    const result = await checkKey('u', 'k', { client: cloud('network', 'ok', 'ok') })
    expect(result).toMatchObject({ reachable: false, canRead: false, canWrite: false, canUnbind: false })
    expect(result.message.code).toMatch(/^cloud\./)
  })

  it('the read-write message says whether the key may also unbind', () => {
    expect(keyMessage(true, true, false)).toEqual({ code: 'key.read-write', params: { canUnbind: false } })
  })
})
