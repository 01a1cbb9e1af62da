import { SerialPort } from 'serialport'
import type { SimulatedReader } from './readers'

/**
 * The simulated reader's end of the cable: answers what the station sends, and when the port disappears (the
 * cable is pulled) keeps trying to reconnect, as a reader left switched on would.
 */
export class SerialLink {
  #port: SerialPort | null = null
  #stopped = false
  #timer: NodeJS.Timeout | null = null

  constructor(
    private readonly path: string,
    private readonly reader: SimulatedReader,
    private readonly baudRate = 115200,
    private readonly onState: (connected: boolean) => void = () => undefined
  ) {}

  get connected(): boolean {
    return this.#port !== null
  }

  start(): void {
    this.#connect()
  }

  send(bytes: Uint8Array): boolean {
    if (!this.#port) return false
    this.#port.write(Buffer.from(bytes))
    return true
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    const port = this.#port
    this.#port = null
    if (port?.isOpen) await new Promise<void>(resolve => port.drain(() => port.close(() => resolve())))
  }

  #connect(): void {
    if (this.#stopped) return
    const candidate = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false })
    candidate.open(error => {
      if (error || this.#stopped) {
        if (!this.#stopped) this.#timer = setTimeout(() => this.#connect(), 100)
        return
      }
      this.#port = candidate
      this.onState(true)
      candidate.on('data', (bytes: Buffer) => {
        for (const answer of this.reader.onBytes(new Uint8Array(bytes), Date.now())) {
          candidate.write(Buffer.from(answer))
        }
      })
      const lost = () => {
        if (this.#port !== candidate) return
        this.#port = null
        candidate.removeAllListeners()
        candidate.on('error', () => undefined)
        this.onState(false)
        this.#timer = setTimeout(() => this.#connect(), 100)
      }
      candidate.on('close', lost)
      candidate.on('error', lost)
    })
  }
}
