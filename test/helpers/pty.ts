import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { SerialPort } from 'serialport'

export interface PtyPair {
  /** The station's end. */
  readonly a: string
  /** The reader's (simulator's) end. */
  readonly b: string
  stop(): Promise<void>
}

/** A pair of connected pseudo-terminals made by socat: a real serial line for tests. */
export function ptyPair(folder: string, names: [string, string] = ['ttyA', 'ttyB']): Promise<PtyPair> {
  const a = join(folder, names[0])
  const b = join(folder, names[1])
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe']
  })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.once('error', reject)
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      if (stderr.includes('starting data transfer loop')) {
        resolve({
          a,
          b,
          async stop() {
            if (child.exitCode === null) child.kill('SIGKILL')
            await exited
          }
        })
      }
    })
    void exited.then(() => reject(new Error(`socat exited: ${stderr}`)))
  })
}

/** Opens the reader's end of a PTY pair for writing, as a reader's serial line. */
export async function openSerialWriter(path: string, baudRate = 9600): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open(error => (error ? reject(error) : resolve())))
  return port
}
