import { networkInterfaces } from 'node:os'
import type { Role } from '../shared/contract'

/** The screen server's bounds, each far below what a stuck or hostile screen used to cost. */
export interface ScreenLimits {
  /** Open WebSockets on one pairing token. */
  readonly connectionsPerToken: number
  /** Commands of one screen being worked on at once. */
  readonly commandsInFlight: number
  /** Unsent bytes queued for one screen before it is dropped as not reading. */
  readonly sendBufferBytes: number
  /** A screen that does not answer a ping within this is dropped. */
  readonly heartbeatMs: number
  /** Commands per second and burst, per role. */
  readonly commandRate: Readonly<Record<Role, { readonly perSecond: number; readonly burst: number }>>
  /** Connections that have not yet sent a whole request; the oldest is closed to make room. */
  readonly pendingConnections: number
  /** All connections at once (descriptors). */
  readonly connections: number
  /** Time to send a request's headers. */
  readonly headersTimeoutMs: number
  /** The share of the station's thread one role's screen commands may take (see `WorkGate`). */
  readonly workShare: number
}

export const SCREEN_LIMITS: ScreenLimits = {
  connectionsPerToken: 8,
  commandsInFlight: 4,
  sendBufferBytes: 4 * 1024 * 1024,
  heartbeatMs: 15_000,
  commandRate: {
    viewer: { perSecond: 10, burst: 40 },
    entry: { perSecond: 20, burst: 60 },
    station: { perSecond: 50, burst: 100 }
  },
  pendingConnections: 32,
  connections: 128,
  headersTimeoutMs: 5000,
  workShare: 0.2
}

/** A token bucket on an injected clock: `take()` is false when the screen sends faster than its role allows. */
export class CommandRate {
  #tokens: number
  #at: number
  constructor(
    private readonly rate: { readonly perSecond: number; readonly burst: number },
    private readonly now: () => number
  ) {
    this.#tokens = rate.burst
    this.#at = now()
  }

  take(): boolean {
    const now = this.now()
    this.#tokens = Math.min(this.rate.burst, this.#tokens + ((now - this.#at) / 1000) * this.rate.perSecond)
    this.#at = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}

/** Refusals are counted by reason and summarised in one line, so a flood cannot flood the log. */
export class RefusalCount {
  readonly #counts = new Map<string, number>()
  static readonly MAX_REASONS = 20

  add(reason: string): void {
    const known = this.#counts.get(reason)
    if (known === undefined && this.#counts.size >= RefusalCount.MAX_REASONS) reason = 'other'
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + 1)
  }

  /** One line for everything since the previous summary, or null when nothing was refused. */
  takeSummary(): string | null {
    if (this.#counts.size === 0) return null
    const total = [...this.#counts.values()].reduce((a, b) => a + b, 0)
    const parts = [...this.#counts].map(([reason, count]) => `${count} ${reason}`).join(', ')
    this.#counts.clear()
    return `screens: refused ${total} request${total === 1 ? '' : 's'} (${parts})`
  }
}

/** Addresses that mean "every interface of this machine". */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === ''
}

const bracketed = (address: string) => (address.includes(':') ? `[${address}]` : address)

/** This machine's own addresses, as they appear in a Host header. */
export function interfaceAddresses(
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()
): string[] {
  return Object.values(interfaces)
    .flatMap(list => list ?? [])
    .filter(entry => !entry.address.startsWith('fe80:'))
    .map(entry => bracketed(entry.address.toLowerCase()))
}

/**
 * The Host header values this server answers to: loopback names, the address it is bound to, and when bound to
 * all interfaces each address this machine has right now (DHCP may change them while the station runs).
 */
export function allowedHosts(boundHost: string, port: number, addresses: readonly string[]): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]', bracketed(boundHost.toLowerCase())]
  if (isWildcardHost(boundHost)) names.push(...addresses)
  return new Set(names.map(name => `${name}:${port}`))
}

/** The address a phone on the LAN should use: the first non-internal IPv4 one, else loopback. */
export function lanAddress(interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): string {
  const entry = Object.values(interfaces)
    .flatMap(list => list ?? [])
    .find(e => e.family === 'IPv4' && !e.internal)
  return entry?.address ?? '127.0.0.1'
}

/**
 * One role's screens share a slice of the station's single thread. Their commands run one after another, and after
 * each the thread is left free for the reader for (1 / share − 1) times as long as that command took, so no flood
 * of costly commands (a 5,000-passing page takes hundreds of milliseconds) can hold back capture, whose passings
 * are stamped when read.
 */
export class WorkGate {
  #queue: Promise<void> = Promise.resolve()
  #readyAt = 0

  constructor(
    private readonly share: number,
    private readonly now: () => number
  ) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.#queue
    let release: () => void = () => undefined
    this.#queue = new Promise<void>(resolve => {
      release = resolve
    })
    return previous
      .then(() => {
        const wait = this.#readyAt - this.now()
        return wait > 0 ? new Promise(resolve => setTimeout(resolve, wait)) : undefined
      })
      .then(() => {
        const started = this.now()
        try {
          // Only the synchronous part is timed: a command waiting on the cloud does not hold the thread.
          return work()
        } finally {
          this.#readyAt = this.now() + (this.now() - started) * (1 / this.share - 1)
          release()
        }
      })
  }
}
