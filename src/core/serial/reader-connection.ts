import { existsSync } from 'node:fs'
import { SerialPort } from 'serialport'
import type { StationMessage } from '../../shared/messages'
import type { DecoderContext } from '../reader/decoder'
import { createDriver, type DriverCommand, type DriverOptions, type ReaderDriver } from '../reader/drivers'
import { findPortPath, type PortIdentity, type PortInfo } from '../reader/port-identity'
import type { Protocol, ProtocolOptions } from '../reader/protocols'
import { ReaderHealth, type ReaderState } from '../reader/reader-health'
import { SerialPortSource, type SerialPortSourceOptions } from './serial-port-source'
import { timerDelay } from '../time/timer-delay'
import { logIgnored } from '../platform/log-ignored'

export interface ReaderConfig {
  /** A stable name for the reader (the journal's "port"): the path it was first found at, or a chosen name. */
  readonly id: string
  readonly path: string
  readonly baudRate: number
  readonly protocol: Protocol
  readonly protocolOptions?: ProtocolOptions
  readonly driver?: DriverOptions
  /** No byte for this long marks the reader silent (default 10 s). */
  readonly silentAfterMs?: number
}

/** How late a command for the top of a second may go out (ms), and how many seconds it may try. */
const TIMED_COMMAND_TOLERANCE_MS = 10
const TIMED_COMMAND_ATTEMPTS = 5

/** Where a reader's bytes come from: a serial port, or (for the demo) a simulated reader in the process. */
export interface ByteSource {
  start(): void
  stop(): Promise<void>
  write(bytes: Uint8Array): void
  /** Raises then lowers DTR (the RR box's time reference); sources without the line ignore it. */
  pulseDtr?(): void
}

export type ByteSourceFactory = (options: SerialPortSourceOptions) => ByteSource

/** What a reader connection needs from the station. */
export interface ReaderSink {
  nextConnection(readerId: string): number
  ingest(readerId: string, bytes: Uint8Array, receivedAtUs: number): void
  decoderContext(readerId: string): DecoderContext
  readerState(readerId: string, state: ReaderState, message: StationMessage | null): void
}

export async function listSerialPorts(): Promise<PortInfo[]> {
  return (await SerialPort.list()).map(p => ({
    path: p.path,
    manufacturer: p.manufacturer,
    serialNumber: p.serialNumber,
    vendorId: p.vendorId,
    productId: p.productId,
    friendlyName: (p as { friendlyName?: string }).friendlyName
  }))
}

/**
 * One reader on one serial port: opens it, speaks its protocol's driver (inventory cadence, pull commands),
 * watches for silence, and after an unplug reopens it, finding a USB reader again by its serial number or
 * vendor/product id if the OS gave it a new path.
 */
export class ReaderConnection {
  readonly health: ReaderHealth
  readonly #config: ReaderConfig
  readonly #sink: ReaderSink
  readonly #driver: ReaderDriver
  readonly #source: ByteSource
  readonly #listPorts: () => Promise<PortInfo[]>
  #identity: PortIdentity
  #firstOpen = true
  #tick: NodeJS.Timeout | null = null
  #openDelay: NodeJS.Timeout | null = null
  #watchdog: NodeJS.Timeout | null = null
  #timed: NodeJS.Timeout | null = null
  readonly #nowMs: () => number

  constructor(
    config: ReaderConfig,
    sink: ReaderSink,
    deps: {
      readonly nowUs: () => number
      readonly listPorts?: () => Promise<PortInfo[]>
      readonly openSource?: ByteSourceFactory
    }
  ) {
    this.#config = config
    this.#sink = sink
    this.#driver = createDriver(config.protocol, config.driver)
    this.#listPorts = deps.listPorts ?? listSerialPorts
    this.#nowMs = () => deps.nowUs() / 1000
    this.#identity = { path: config.path }
    this.health = new ReaderHealth(
      config.id,
      config.path,
      config.protocol,
      config.silentAfterMs ?? 10_000,
      () => deps.nowUs() / 1000
    )
    const openSource =
      deps.openSource ?? ((options: SerialPortSourceOptions) => new SerialPortSource(options))
    this.#source = openSource({
      resolvePath: () => this.#resolvePath(),
      baudRate: config.baudRate,
      nowUs: deps.nowUs,
      onOpen: path => this.#opened(path),
      onData: (bytes, receivedAtUs) => {
        this.health.bytes()
        sink.ingest(config.id, bytes, receivedAtUs)
      },
      onState: (state, message) => {
        if (state !== 'open') this.#stopTalking()
        this.health.setState(state, message)
        sink.readerState(config.id, state, message)
      }
    })
  }

  start(): void {
    this.#source.start()
    this.#watchdog = setInterval(() => {
      if (this.health.checkSilence()) {
        this.#sink.readerState(this.#config.id, 'silent', this.health.snapshot().message)
      }
    }, 1000)
    this.#watchdog.unref()
  }

  async stop(): Promise<void> {
    this.#stopTalking()
    if (this.#watchdog) clearInterval(this.#watchdog)
    await this.#source.stop()
    this.health.setState('closed', null)
  }

  async #resolvePath(): Promise<string> {
    // Listing ports takes a while on some systems: the first open uses the path as given, and later ones look
    // only when the reader is not where it was (Windows COM names are not files, so there it always looks).
    if (this.#firstOpen || existsSync(this.#identity.path)) {
      this.#firstOpen = false
      return this.#identity.path
    }
    const ports = await this.#listPorts().catch((error: unknown) => {
      logIgnored('the serial ports could not be listed', error)
      return []
    })
    const path = findPortPath(this.#identity, ports)
    this.health.path = path
    return path
  }

  #opened(path: string): void {
    this.#sink.nextConnection(this.#config.id)
    // Remember the USB identity the first time it is known, to find the reader again after an unplug.
    void this.#listPorts()
      .then(ports => {
        const info = ports.find(p => p.path === path)
        if (info?.serialNumber || info?.vendorId) {
          this.#identity = {
            path,
            serialNumber: info.serialNumber,
            vendorId: info.vendorId,
            productId: info.productId
          }
        }
      })
      .catch((error: unknown) => logIgnored(`the USB identity of ${path} could not be read`, error))
    this.#openDelay = setTimeout(() => {
      this.#send(this.#driver.onOpen(this.#nowMs()))
      if (this.#driver.tickMs !== null) {
        this.#tick = setInterval(() => {
          this.#send(this.#driver.onTick(this.#sink.decoderContext(this.#config.id), this.#nowMs()))
        }, timerDelay(this.#driver.tickMs))
      }
    }, timerDelay(this.#driver.openDelayMs))
  }

  #send(commands: readonly DriverCommand[]): void {
    for (const command of commands) {
      if (command instanceof Uint8Array) {
        this.#source.write(command)
        continue
      }
      this.#sendTimed(command.atMs, command.bytesAt, 0)
    }
  }

  /**
   * Sends at `atMs` on the station clock (the clock passings are stamped with), so the box's clock becomes that
   * clock. A timer that fires late (a busy machine) would shift every box time by its lateness: the command then
   * moves to the next second, a few times at most.
   */
  #sendTimed(atMs: number, bytesAt: (atMs: number) => Uint8Array, attempt: number): void {
    if (this.#timed) clearTimeout(this.#timed)
    this.#timed = setTimeout(
      () => {
        this.#timed = null
        const lateMs = this.#nowMs() - atMs
        if (lateMs > TIMED_COMMAND_TOLERANCE_MS && attempt < TIMED_COMMAND_ATTEMPTS) {
          this.#sendTimed(atMs + 1000 * Math.ceil(lateMs / 1000), bytesAt, attempt + 1)
          return
        }
        this.#source.write(bytesAt(atMs))
        this.#source.pulseDtr?.()
      },
      Math.max(0, atMs - this.#nowMs())
    )
  }

  #stopTalking(): void {
    if (this.#tick) clearInterval(this.#tick)
    if (this.#openDelay) clearTimeout(this.#openDelay)
    if (this.#timed) clearTimeout(this.#timed)
    this.#timed = null
    this.#tick = null
    this.#openDelay = null
  }
}
