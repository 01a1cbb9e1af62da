import { SerialPort } from 'serialport'
import type { StationMessage } from '../../shared/messages'
import { logIgnored } from '../platform/log-ignored'

export type PortState = 'opening' | 'open' | 'closed' | 'error'

export interface SerialPortSourceOptions {
  /** Where the port is now (a USB reader may come back under another path). */
  readonly resolvePath: () => Promise<string>
  readonly baudRate: number
  /** Called for each chunk with its arrival time, stamped before anything else happens to it. */
  readonly onData: (bytes: Uint8Array, receivedAtUs: number) => void
  /** Each successful open starts a new byte stream. */
  readonly onOpen: (path: string) => void
  readonly onState: (state: PortState, message: StationMessage | null) => void
  readonly nowUs: () => number
  /** Delays between reopen attempts, growing to the last value. */
  readonly reopenDelaysMs?: readonly number[]
}

/**
 * Reads one serial port and keeps it open: after an unplug, an error or a close, it reopens with backoff until
 * stopped. (Finding a reader again under a new path by its USB ids belongs to the reader layer.)
 */
export class SerialPortSource {
  readonly #o: SerialPortSourceOptions
  #port: SerialPort | null = null
  #timer: NodeJS.Timeout | null = null
  #attempt = 0
  #stopped = false

  constructor(options: SerialPortSourceOptions) {
    this.#o = options
  }

  start(): void {
    this.#stopped = false
    this.#open()
  }

  /** Sends bytes to the reader (commands of pull protocols). */
  write(bytes: Uint8Array): void {
    this.#port?.write(Buffer.from(bytes))
  }

  /**
   * A short DTR pulse (the RR box takes its time reference at it). A port without modem lines (a PTY, some USB
   * adapters) refuses it: capture goes on, and the line on stderr says why the box's time base may be off.
   */
  pulseDtr(): void {
    const port = this.#port
    if (!port) return
    const refused = (error: Error | null) => {
      if (error)
        logIgnored(`the DTR pulse (the RR box time reference) could not be given on ${port.path}`, error)
    }
    port.set({ dtr: true }, error => {
      refused(error)
      if (!error) port.set({ dtr: false }, refused)
    })
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    const port = this.#port
    this.#port = null
    if (port?.isOpen) await new Promise<void>(resolve => port.close(() => resolve()))
  }

  #open(): void {
    if (this.#stopped) return
    this.#o.onState('opening', null)
    void this.#o.resolvePath().then(
      path => this.#openAt(path),
      (error: unknown) => this.#retry({ code: 'reader.ports-unlisted', params: { detail: String(error) } })
    )
  }

  #openAt(path: string): void {
    if (this.#stopped) return
    let port: SerialPort
    try {
      port = new SerialPort({ path, baudRate: this.#o.baudRate, autoOpen: false })
    } catch (error) {
      // The library refuses some settings before trying the port (no path, a speed it does not know): said like
      // any port that will not open, and tried again, rather than a crash that stops capture.
      const detail = error instanceof Error ? error.message : String(error)
      this.#retry({ code: 'reader.cannot-open', params: { path, detail } })
      return
    }
    port.on('data', (chunk: Buffer) => {
      const receivedAtUs = this.#o.nowUs()
      this.#o.onData(new Uint8Array(chunk), receivedAtUs)
    })
    port.on('close', () => this.#lost(port, { code: 'reader.port-closed', params: {} }))
    port.on('error', (error: Error) =>
      this.#lost(port, { code: 'reader.port-error', params: { detail: error.message } })
    )
    port.open(error => {
      if (error) {
        this.#lost(port, { code: 'reader.cannot-open', params: { path, detail: error.message } })
        return
      }
      this.#attempt = 0
      this.#port = port
      this.#o.onOpen(path)
      this.#o.onState('open', null)
    })
  }

  #lost(port: SerialPort, message: StationMessage): void {
    if (this.#port !== null && this.#port !== port) return
    this.#port = null
    port.removeAllListeners()
    // The port is given up on and reopened; what it still reports while closing leaves a line, not a crash.
    port.on('error', error => logIgnored(`the lost port ${port.path} reported an error`, error))
    if (port.isOpen) {
      port.close(error => {
        if (error) logIgnored(`the lost port ${port.path} could not be closed`, error)
      })
    }
    this.#retry(message)
  }

  #retry(message: StationMessage): void {
    if (this.#stopped) return
    this.#o.onState('error', message)
    const delays = this.#o.reopenDelaysMs ?? [100, 250, 500, 1000]
    const delay = delays[Math.min(this.#attempt, delays.length - 1)] ?? 1000
    this.#attempt += 1
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#open(), delay)
  }
}
