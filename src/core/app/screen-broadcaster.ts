import { logIgnored } from '../platform/log-ignored'
import type { PassingView, Role, StationSnapshot, StationUpdate } from '../../shared/contract'

/** New passings carried by one update, at most; the rest are counted as dropped (the screen reloads). */
export const UPDATE_PASSING_CAP = 200

export interface ScreenBroadcasterOptions {
  /** The station as a screen of this role sees it now. */
  readonly snapshot: (role: Role) => StationSnapshot
  /** How often updates go out (default 250 ms): a few a second whatever the read rate. */
  readonly intervalMs?: number
}

/** One screen's subscription: its own, even when two screens hand over the same function. */
interface Subscription {
  readonly listener: (update: StationUpdate) => void
  readonly role: Role
}

/**
 * Sends every subscribed screen coalesced updates: a snapshot and the passings since the last one, at a steady
 * pace whatever the read rate. Each subscription is one screen with its own role; screens of the same role share
 * one snapshot per round. Nothing runs while no screen listens.
 */
export class ScreenBroadcaster {
  readonly #o: ScreenBroadcasterOptions
  readonly #subscriptions = new Set<Subscription>()
  #passings: PassingView[] = []
  #dropped = 0
  #dirty = true
  #timer: NodeJS.Timeout | null = null

  constructor(options: ScreenBroadcasterOptions) {
    this.#o = options
  }

  /** A screen's updates, starting with the snapshot now; returns the unsubscribe function (for this one only). */
  subscribe(listener: (update: StationUpdate) => void, role: Role): () => void {
    const subscription: Subscription = { listener, role }
    this.#subscriptions.add(subscription)
    listener({ snapshot: this.#o.snapshot(role), passings: [], dropped: 0 })
    if (!this.#timer) {
      this.#timer = setInterval(() => this.flush(), this.#o.intervalMs ?? 250)
      this.#timer.unref()
    }
    return () => {
      this.#subscriptions.delete(subscription)
      if (this.#subscriptions.size === 0) this.#stopTimer()
    }
  }

  get screens(): number {
    return this.#subscriptions.size
  }

  /** A new passing for the next update; beyond the cap the oldest are dropped and counted. */
  passing(view: PassingView): void {
    this.#passings.push(view)
    if (this.#passings.length > UPDATE_PASSING_CAP) {
      this.#dropped += this.#passings.length - UPDATE_PASSING_CAP
      this.#passings = this.#passings.slice(-UPDATE_PASSING_CAP)
    }
    this.#dirty = true
  }

  /** Something in the snapshot may have changed: the next round sends one. */
  changed(): void {
    this.#dirty = true
  }

  /** One round: every screen gets the news, if there is any. */
  flush(): void {
    if (!this.#dirty && this.#passings.length === 0) return
    const passings = this.#passings
    const dropped = this.#dropped
    this.#passings = []
    this.#dropped = 0
    this.#dirty = false
    const byRole = new Map<Role, StationUpdate>()
    for (const { listener, role } of [...this.#subscriptions]) {
      let update = byRole.get(role)
      if (!update) {
        update = { snapshot: this.#o.snapshot(role), passings, dropped }
        byRole.set(role, update)
      }
      try {
        listener(update)
      } catch (error) {
        // One screen's failure (a window going away) must not keep the news from the others.
        logIgnored('a screen could not take an update', error)
      }
    }
  }

  /** No more updates to anyone. */
  stop(): void {
    this.#stopTimer()
    this.#subscriptions.clear()
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }
}
