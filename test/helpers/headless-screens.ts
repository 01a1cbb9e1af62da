import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SerialPort } from 'serialport'
import WebSocket from 'ws'
import { headlessArgs } from './headless-args'
import { spawnTs, type Spawned } from './process'
import { ptyPair } from './pty'

export type Cleanups = Array<() => Promise<unknown>>

export interface ScreenUrls {
  readonly station: string
  readonly entry: string
  readonly viewer: string
}

export interface HeadlessWithScreens {
  readonly process: Spawned
  readonly urls: ScreenUrls
  readonly port: number
  /** Writes a bib on the reader's end of the serial line and waits until the station prints the passing. */
  captures(bib: string): Promise<void>
  /** Writes raw text on the reader's end of the serial line. */
  write(text: string): void
  /** SIGTERM; resolves with the exit code once the reader's end is closed too (to start again on the same line). */
  stop(): Promise<number | null>
  /** The line the last-line handler writes; no test may ever see it. */
  unexpectedErrorLine(): string | undefined
  rssBytes(): number
  openDescriptors(): number
}

/** Waits for a condition on the growing stderr of a process, polling until a deadline. */
async function stderrMatch(process: Spawned, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const match = process.stderr().match(pattern)
    if (match) return match
    if (process.child.exitCode !== null) throw new Error(`station exited: ${process.stderr()}`)
    if (Date.now() > deadline) throw new Error(`no ${pattern} on stderr: ${process.stderr()}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** The three pairing URLs (the station's from `screens: station` or, on older builds, the `open` line). */
export async function pairingUrls(process: Spawned): Promise<ScreenUrls> {
  const entry = (await stderrMatch(process, /screens: entry (\S+)/))[1] ?? ''
  const viewer = (await stderrMatch(process, /screens: viewer (\S+)/))[1] ?? ''
  const fromStderr = process.stderr().match(/screens: station (\S+)/)?.[1]
  const station =
    fromStderr ?? (await process.waitForLine(/open (http[^"\s]+)/)).match(/open (http[^"\s]+)/)?.[1]
  return { station: station ?? '', entry, viewer }
}

/**
 * The headless station with its screen server, reading a real PTY: the process the screen tests attack. The
 * serial line and the process are cleaned up after the test. Without `cloud` it works offline.
 */
export async function startHeadlessWithScreens(
  folder: string,
  cleanups: Cleanups,
  extra: readonly string[] = [],
  pty?: { a: string; b: string },
  cloud?: { readonly apiUrl: string; readonly apiKey: string }
): Promise<HeadlessWithScreens> {
  const line = pty ?? (await ptyPair(folder))
  if (!pty && 'stop' in line) cleanups.push(() => (line as { stop(): Promise<void> }).stop())
  const flags = extra.includes('--http-port') ? extra : ['--http-port', '0', ...extra]
  const process = spawnTs(
    'src/headless/cli.ts',
    headlessArgs(join(folder, 'data'), line.a, flags, cloud?.apiUrl),
    { RUFUS_API_KEY: cloud?.apiKey ?? 'k' }
  )
  cleanups.push(async () => {
    if (process.child.exitCode === null) process.child.kill('SIGKILL')
    await process.exited()
  })
  const urls = await pairingUrls(process)
  const reader = new SerialPort({ path: line.b, baudRate: 9600, autoOpen: false })
  await new Promise<void>((resolve, reject) => reader.open(error => (error ? reject(error) : resolve())))
  cleanups.push(
    () =>
      new Promise(resolve => (reader.isOpen ? reader.close(() => resolve(undefined)) : resolve(undefined)))
  )
  const pid = process.child.pid ?? 0
  return {
    process,
    urls,
    port: Number(new URL(urls.viewer).port),
    write: text => reader.write(text),
    async stop() {
      process.child.kill('SIGTERM')
      const code = await process.exited()
      await new Promise(resolve => reader.close(() => resolve(undefined)))
      return code
    },
    async captures(bib) {
      reader.write(`${bib}\r\n`)
      await process.waitForLine(new RegExp(`passing.*\\b${bib}\\b`))
    },
    unexpectedErrorLine: () => process.stderr().match(/.*unexpected error.*/)?.[0],
    rssBytes: () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    openDescriptors: () => readdirSync(`/proc/${pid}/fd`).length
  }
}

export function tokenOf(url: string): string {
  return new URL(url).searchParams.get('token') ?? ''
}

export interface ScreenClient {
  readonly socket: WebSocket
  /** Every text message received, as sent. */
  readonly received: string[]
  /** Sends a command and resolves with its result. */
  command(name: string, args: unknown): Promise<unknown>
  /** Resolves once a received message passes the check. */
  until(check: (message: { type?: string; [key: string]: unknown }) => boolean): Promise<void>
}

/** A screen the way the browser page connects: token from its URL, Origin and Host naming the server. */
export function connectScreen(url: string, hostHeader?: string): Promise<ScreenClient> {
  const { host } = new URL(url)
  const name = hostHeader ?? host
  const socket = new WebSocket(`ws://${host}/ws?token=${tokenOf(url)}`, {
    headers: { host: name, origin: `http://${name}` }
  })
  const received: string[] = []
  const waiters: Array<{ check: (m: Record<string, unknown>) => boolean; resolve: () => void }> = []
  let nextId = 1
  socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8')
    received.push(text)
    const message = JSON.parse(text) as Record<string, unknown>
    for (const waiter of waiters.splice(0)) {
      if (waiter.check(message)) waiter.resolve()
      else waiters.push(waiter)
    }
  })
  const until = (check: (m: Record<string, unknown>) => boolean) =>
    new Promise<void>((resolve, reject) => {
      if (received.some(text => check(JSON.parse(text) as Record<string, unknown>))) return resolve()
      socket.once('close', () => reject(new Error('the screen was disconnected')))
      waiters.push({ check, resolve })
    })
  return new Promise((resolve, reject) => {
    socket.once('open', () =>
      resolve({
        socket,
        received,
        until,
        async command(commandName, args) {
          const id = nextId++
          let result: unknown
          const answered = until(m => {
            if (m['type'] === 'result' && m['id'] === id) result = m['result']
            return m['type'] === 'result' && m['id'] === id
          })
          socket.send(JSON.stringify({ id, name: commandName, args }))
          await answered
          return result
        }
      })
    )
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`refused with ${response.statusCode}`))
    )
    socket.once('error', reject)
  })
}
