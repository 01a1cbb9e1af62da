import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { headlessArgs } from '../helpers/headless-args'
import { ROOT } from '../helpers/process'
import { ptyPair, type PtyPair } from '../helpers/pty'
import { tempFolder } from '../helpers/station'

const ptys: PtyPair[] = []
afterEach(async () => {
  for (const pty of ptys.splice(0)) await pty.stop()
})

describe('the last line', () => {
  it('an exception no boundary caught is written to stderr and exits 70, for a supervisor to restart', async () => {
    const folder = tempFolder('rufus-last-line-')
    const pty = await ptyPair(folder)
    ptys.push(pty)
    // A planted bug: on SIGUSR2 something throws outside every boundary.
    const bug = join(folder, 'planted-bug.mjs')
    writeFileSync(
      bug,
      "process.on('SIGUSR2', () => setImmediate(() => { throw new Error('planted bug') }))\n"
    )
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        bug,
        join(ROOT, 'src/headless/cli.ts'),
        ...headlessArgs(join(folder, 'data'), pty.a)
      ],
      { cwd: ROOT, env: { ...process.env, RUFUS_API_KEY: 'k' }, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
    await new Promise<void>(resolve => {
      const check = () => (/reader .*: open/.test(stdout) ? resolve() : setTimeout(check, 50))
      check()
    })
    child.kill('SIGUSR2')
    expect(await exited).toBe(70)
    expect(stderr).toMatch(/RUFUS Station stopped on an unexpected error \(exit 70\): Error: planted bug/)
  })
})
