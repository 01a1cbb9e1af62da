/**
 * The entry screen's own queue of typed entries, kept on the device (localStorage) until the station has stored
 * each one, so nothing typed is lost when the station or the network is down, or the page is reloaded.
 *
 * Each entry keeps its keypress time on this device's clock and this device's offset to the station's clock at
 * that moment (null when unknown then: the offset measured once the station is back is used).
 */
export interface QueuedEntry {
  /** Sent with the entry: the station stores an entry sent twice (answer lost) once. */
  readonly key: string
  readonly bib: string | null
  /** Keypress time, this device's clock (ms since the epoch). */
  readonly deviceMs: number
  /** Station clock minus this device's clock at the keypress, when known. */
  readonly offsetMs: number | null
  /** Why the station refused it (the entry stays, with its time, until corrected or discarded). */
  readonly rejected: string | null
}

/** Where the queue is kept: the browser's localStorage, or a map (tests, server-side rendering). */
export type EntryStorage =
  { getItem(key: string): string | null; setItem(key: string, value: string): void } | Map<string, string>

/** Far more than a finish line types while a station is down; beyond it, keypresses are refused out loud. */
export const ENTRY_QUEUE_CAP = 5000
export const ENTRY_QUEUE_STORAGE_KEY = 'rufus-station.entry-queue.v1'
const STORAGE_KEY = ENTRY_QUEUE_STORAGE_KEY

/** The keypress time in station time: the offset known at the keypress, else the one known now. */
export function stationTimeMs(entry: QueuedEntry, currentOffsetMs: number): number {
  return entry.deviceMs + (entry.offsetMs ?? currentOffsetMs)
}

function isEntry(value: unknown): value is QueuedEntry {
  if (typeof value !== 'object' || value === null) return false
  const e = value as Record<string, unknown>
  return (
    typeof e['key'] === 'string' &&
    (typeof e['bib'] === 'string' || e['bib'] === null) &&
    typeof e['deviceMs'] === 'number' &&
    (typeof e['offsetMs'] === 'number' || e['offsetMs'] === null) &&
    (typeof e['rejected'] === 'string' || e['rejected'] === null)
  )
}

export class EntryQueue {
  readonly #storage: EntryStorage
  readonly #cap: number
  readonly #listeners = new Set<() => void>()
  #entries: readonly QueuedEntry[]
  /** The last write failed: memory holds entries the storage lacks, so it (not the storage) is the base. */
  #unsaved = false

  constructor(storage: EntryStorage, cap = ENTRY_QUEUE_CAP) {
    this.#storage = storage
    this.#cap = cap
    this.#entries = EntryQueue.#load(storage) ?? []
  }

  /** The stored queue, or null when it cannot be read. */
  static #load(storage: EntryStorage): QueuedEntry[] | null {
    try {
      const stored = storage instanceof Map ? storage.get(STORAGE_KEY) : storage.getItem(STORAGE_KEY)
      const parsed: unknown = JSON.parse(stored ?? '[]')
      return Array.isArray(parsed) ? parsed.filter(isEntry) : []
    } catch {
      return null
    }
  }

  /** Another screen of this browser (another tab) changed the stored queue: show and send what it holds. */
  reload(): void {
    if (this.#unsaved) return
    const stored = EntryQueue.#load(this.#storage)
    if (stored === null) return
    this.#entries = stored
    for (const listener of this.#listeners) listener()
  }

  get entries(): readonly QueuedEntry[] {
    return this.#entries
  }

  /** Entries still to send, oldest first. */
  get waiting(): readonly QueuedEntry[] {
    return this.#entries.filter(e => e.rejected === null)
  }

  get rejected(): readonly QueuedEntry[] {
    return this.#entries.filter(e => e.rejected !== null)
  }

  /** Adds an entry; false (nothing stored) when the queue is full, so the screen says so. */
  add(entry: Omit<QueuedEntry, 'rejected'>): boolean {
    const base = this.#base()
    if (base.length >= this.#cap) return false
    this.#set([...base, { ...entry, rejected: null }])
    return true
  }

  /** The station stored it: forget it here. */
  remove(key: string): void {
    this.#set(this.#base().filter(e => e.key !== key))
  }

  reject(key: string, reason: string): void {
    this.#set(this.#base().map(e => (e.key === key ? { ...e, rejected: reason } : e)))
  }

  /** A refused entry corrected by the timer: same key, same time, sent again. */
  correct(key: string, bib: string | null): void {
    this.#set(this.#base().map(e => (e.key === key ? { ...e, bib, rejected: null } : e)))
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * What a change applies to: the stored queue as it is now, since another tab of this browser shares it (changing
   * this tab's copy would write over the entries typed there), unless memory holds entries the storage could not.
   */
  #base(): readonly QueuedEntry[] {
    if (this.#unsaved) return this.#entries
    return EntryQueue.#load(this.#storage) ?? this.#entries
  }

  #set(entries: readonly QueuedEntry[]): void {
    this.#entries = entries
    try {
      const json = JSON.stringify(entries)
      if (this.#storage instanceof Map) this.#storage.set(STORAGE_KEY, json)
      else this.#storage.setItem(STORAGE_KEY, json)
      this.#unsaved = false
    } catch (error) {
      // Storage full or blocked: the entries stay in memory and are still sent; the screen keeps showing them.
      console.warn('RUFUS Station: typed entries could not be kept in this browser’s storage', error)
      this.#unsaved = true
    }
    for (const listener of this.#listeners) listener()
  }
}
