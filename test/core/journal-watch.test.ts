import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Journal, type JournalChange } from '../../src/core/journal/journal'
import { tempFolder } from '../helpers/station'

const journals: Journal[] = []
afterEach(() => {
  for (const journal of journals.splice(0)) journal.close()
})

function watched() {
  const journal = new Journal(join(tempFolder(), 'journal.sqlite'))
  journals.push(journal)
  journal.setDeviceIdentity({ serialNumber: 'RS-1', model: 'RUFUS Station', alias: null })
  const changes: JournalChange[] = []
  journal.watch(change => changes.push(change))
  return { journal, changes }
}

describe('the journal says what it changed, as it writes it', () => {
  it('the device binding: each new value once, a repeat of the same value not at all', () => {
    const { journal, changes } = watched()
    journal.setDeviceBinding('D1', 1)
    journal.setDeviceBinding('D1', 2)
    journal.setDeviceBinding(null, null)
    expect(changes).toEqual([{ kind: 'device' }, { kind: 'device' }])
  })

  it("a session's cloud token or state, not its number offset alone", () => {
    const { journal, changes } = watched()
    const session = journal.openSession('FINISH', 1)
    journal.setSessionCloud(session.id, { cloudState: 'creating' })
    journal.setSessionCloud(session.id, { token: 'T', cloudState: 'attached' })
    journal.setSessionCloud(session.id, { cloudOffset: 40 })
    journal.setSessionCloud(session.id, { cloudState: 'attached' })
    expect(changes).toEqual([
      { kind: 'session', id: session.id },
      { kind: 'session', id: session.id }
    ])
  })

  it('the device deleted in the cloud: every session that had a cloud link, once each', () => {
    const { journal, changes } = watched()
    const first = journal.openSession('FINISH', 1)
    journal.setSessionCloud(first.id, { token: 'T1', cloudState: 'closed' })
    const second = journal.openSession('FINISH 2', 2)
    journal.setSessionCloud(second.id, { token: 'T2', cloudState: 'attached' })
    const third = journal.openSession('FINISH 3', 3)
    changes.length = 0
    journal.resetAllToPending({ code: 'sync.note.reuploaded', params: {} })
    expect(changes).toEqual([
      { kind: 'session', id: first.id },
      { kind: 'session', id: second.id }
    ])
    expect(journal.session(third.id)?.cloudState).toBe('none')
  })
})
