// A second process for the data-folder adoption tests: an older station that dies with its journal open, an older
// station still running, an adoption killed between two steps, or two stations adopting at once. Run with spawnTs.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Journal } from '../../src/core/journal/journal'
import { lockDataFolder } from '../../src/core/journal/folder-lock'
import { adoptDataFolder, type AdoptionOptions } from '../../src/core/station/adopt-data-folder'
import { JOURNAL_FILE } from '../../src/core/station/journal-file'

const [mode, ...args] = process.argv.slice(2)

function die(): never {
  process.kill(process.pid, 'SIGKILL')
  throw new Error('still alive after SIGKILL')
}

switch (mode) {
  case 'journal-then-die': {
    // Passings committed (synchronous=FULL) but never checkpointed: they live in journal.sqlite-wal.
    const [folder = '', count = '0', synced = '0'] = args
    const journal = new Journal(join(folder, JOURNAL_FILE))
    const startUs = Date.now() * 1000
    const session = journal.openSession('FINISH', startUs)
    const ids: number[] = []
    for (let i = 1; i <= Number(count); i += 1) {
      ids.push(journal.insertManual(session.id, String(i), startUs + i * 1000, startUs + i * 1000).id)
    }
    journal.markSynced(ids.slice(0, Number(synced)), 'cloud-token', Date.now())
    process.stdout.write(`${JSON.stringify(journal.passingsOfSession(session.id))}\n`)
    die()
    break
  }
  case 'hold-lock': {
    const [folder = ''] = args
    lockDataFolder(folder)
    process.stdout.write('locked\n')
    setInterval(() => undefined, 60_000)
    break
  }
  case 'adopt-then-die': {
    const [optionsJson = '{}', dieAfter = ''] = args
    const options = JSON.parse(optionsJson) as AdoptionOptions
    adoptDataFolder({ ...options, afterStep: step => (step === dieAfter ? die() : undefined) })
    process.stdout.write('finished\n')
    break
  }
  case 'adopt': {
    // A plain start: the result is the last line.
    const [optionsJson = '{}'] = args
    const options = JSON.parse(optionsJson) as AdoptionOptions
    process.stdout.write(`${JSON.stringify(adoptDataFolder(options))}\n`)
    break
  }
  case 'adopt-paused': {
    // Stops after one step until the file `go` exists, as a start the OS stopped scheduling for a moment.
    const [optionsJson = '{}', pauseAfter = '', go = ''] = args
    const options = JSON.parse(optionsJson) as AdoptionOptions
    const result = adoptDataFolder({
      ...options,
      afterStep: step => {
        if (step !== pauseAfter) return
        process.stdout.write('paused\n')
        const nap = new Int32Array(new SharedArrayBuffer(4))
        while (!existsSync(go)) Atomics.wait(nap, 0, 0, 20)
      }
    })
    process.stdout.write(`${JSON.stringify(result)}\n`)
    break
  }
  default:
    process.stderr.write(`unknown mode ${mode}\n`)
    process.exit(2)
}
