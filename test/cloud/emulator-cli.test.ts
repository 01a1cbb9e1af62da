import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RufusClient } from '../../src/core/rufus/client'
import { spawnTs, type Spawned } from '../helpers/process'

const started: Spawned[] = []
const folders: string[] = []
afterEach(async () => {
  for (const process of started.splice(0)) {
    if (process.child.exitCode === null) process.child.kill('SIGKILL')
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

async function startCli(args: string[]) {
  const process = spawnTs('src/emulator/cli.ts', args)
  started.push(process)
  const line = await process.waitForLine(/^listening on /)
  return { process, rootUrl: line.replace('listening on ', '') }
}

describe('npm run emulator', () => {
  it('prints one listening line, serves /v0, exits cleanly on SIGTERM and keeps its data across restarts', async () => {
    const data = mkdtempSync(join(tmpdir(), 'rufus-emu-cli-'))
    folders.push(data)
    const args = [
      '--port',
      '0',
      '--data',
      data,
      '--key',
      'ror-cli:READ_WRITE:unbind@acme',
      '--key',
      'ror-ro:READ'
    ]
    const first = await startCli(args)
    expect(first.rootUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(first.process.lines).toEqual([`listening on ${first.rootUrl}`])
    const client = new RufusClient({ baseUrl: `${first.rootUrl}/v0`, apiKey: 'ror-cli' })
    const { deviceid } = await client.bindDevice({ model: 'M', serial_number: 'CLI-1' })
    first.process.child.kill('SIGTERM')
    expect(await first.process.exited()).toBe(0)

    const second = await startCli(args)
    const again = new RufusClient({ baseUrl: `${second.rootUrl}/v0`, apiKey: 'ror-cli' })
    expect((await again.deviceInfo(deviceid)).serial_number).toBe('CLI-1')
    // A key of another company does not see it.
    const ro = new RufusClient({ baseUrl: `${second.rootUrl}/v0`, apiKey: 'ror-ro' })
    expect((await ro.listDevices()).devices).toEqual([])
  })

  it('refuses a malformed --key with a clear message', async () => {
    const process = spawnTs('src/emulator/cli.ts', ['--port', '0', '--key', 'ror-x:ADMIN'])
    started.push(process)
    expect(await process.exited()).toBe(2)
    expect(process.stderr()).toMatch(/is not <apikey>:<READ\|WRITE\|READ_WRITE>/)
  })
})
