import type { StationEvent } from '../../shared/events'

/** Fans station events out to several listeners (the JSON printer, the screens). */
export class EventHub {
  readonly #listeners: Array<(event: StationEvent) => void> = []
  readonly emit = (event: StationEvent): void => {
    for (const listener of this.#listeners) listener(event)
  }
  add(listener: (event: StationEvent) => void): void {
    this.#listeners.push(listener)
  }
}
