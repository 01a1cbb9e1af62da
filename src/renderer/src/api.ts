import type { CommandFailure } from '../../shared/contract'
import { renderMessage } from '../../shared/messages'
import type { StationApi } from '../../shared/station-api'
import { ENTRY_QUEUE_STORAGE_KEY, EntryQueue } from './entry/entry-queue'
import { currentLanguage, TEXTS } from './i18n'
import { EntrySender } from './entry/entry-sender'
import { connectWebSocket, measureClockOffset } from './transport'
import { useStation } from './store'

let api: StationApi | null = null
let entries: { queue: EntryQueue; sender: EntrySender } | null = null

/** This screen's queue of typed entries (kept on the device) and what sends it to the station, in order. */
export function entryQueue(): { queue: EntryQueue; sender: EntrySender } {
  if (entries) return entries
  // Server-side rendering (tests) has no window: a queue in memory then.
  const queue = new EntryQueue(
    typeof window === 'undefined' ? new Map<string, string>() : window.localStorage
  )
  const sender = new EntrySender(
    queue,
    async args => {
      const result = await stationApi().recordManual(args)
      // A refused entry keeps its reason in words, in the language of the moment it was refused.
      return result.ok ? result : { ok: false, error: { ...result.error, message: inWords(result.error) } }
    },
    () => useStation.getState().clockOffsetMs
  )
  entries = { queue, sender }
  // Another tab of this browser shares the stored queue: show its entries here too (and send them, once).
  if (typeof window !== 'undefined') {
    window.addEventListener('storage', event => {
      if (event.key !== ENTRY_QUEUE_STORAGE_KEY) return
      queue.reload()
      if (useStation.getState().connected) void sender.drain()
    })
  }
  return entries
}

/** The station API: the Electron preload's `window.station`, or the WebSocket in a plain browser. */
export function stationApi(): StationApi {
  if (api) return api
  const store = useStation.getState()
  if (window.station) {
    api = window.station
    store.setConnected(true)
    store.setClockOffset(0)
  } else {
    api = connectWebSocket(connected => {
      useStation.getState().setConnected(connected)
      if (connected && api) {
        // Entries typed meanwhile go once the offset is known (those typed without one use it).
        void measureClockOffset(api).then(offset => {
          useStation.getState().setClockOffset(offset)
          void entryQueue().sender.drain()
        })
      }
    })
  }
  let counted = ''
  let refreshing = false
  api.onUpdate(update => {
    useStation.getState().applyUpdate(update, Date.now())
    // More passings than one update carries: ask for the newest ones, so no row is missing from the list.
    if (update.dropped > 0 && api) {
      void api.recentPassings({ limit: 300 }).then(result => {
        if (result.ok) useStation.getState().mergeNewest(result.value)
      })
    }
    // Passings change state as they reach the cloud, or as it refuses them: refresh the visible ones when a count
    // of those states moves (at most one refresh at a time), or a refused row would still read "waiting".
    const { synced, quarantined, conflict, held } = update.snapshot.sync
    const counts = `${synced}/${quarantined}/${conflict}/${held}`
    if (counts !== counted && !refreshing && api) {
      counted = counts
      refreshing = true
      void api.recentPassings({ limit: 100 }).then(result => {
        refreshing = false
        if (result.ok) useStation.getState().refreshStates(result.value)
      })
    }
  })
  void api.status({}).then(result => {
    if (result.ok) {
      useStation.getState().applyUpdate({ snapshot: result.value, passings: [], dropped: 0 }, Date.now())
    }
  })
  void api.recentPassings({ limit: 300 }).then(result => {
    if (result.ok) useStation.getState().setRecent(result.value)
  })
  return api
}

/** A command's failure in the screen's language. */
function inWords(failure: CommandFailure): string {
  return renderMessage(currentLanguage(), failure.message)
}

/**
 * Runs a command and shows its failure in plain words; returns the value or null. A failure stays on screen until
 * the timer dismisses it or another failure replaces it: a later command that succeeds (a list refreshed after the
 * refusal) must not wipe it before anyone has read it.
 */
export async function run<T>(
  call: Promise<{ ok: true; value: T } | { ok: false; error: CommandFailure }>
): Promise<T | null> {
  const result = await call
  if (result.ok) return result.value
  useStation.getState().setError(inWords(result.error))
  return null
}

/** Reloads the newest passings' states after a correction. */
export async function refreshRecent(): Promise<void> {
  const result = await stationApi().recentPassings({ limit: 100 })
  if (result.ok) useStation.getState().refreshStates(result.value)
}

/**
 * Runs a void, fix or undo; true when the station took it. A passing in a batch being uploaded cannot change
 * this instant: say so rather than offer an undo for nothing.
 */
export async function runCorrection(
  call: Promise<{ ok: true; value: { outcome: string } } | { ok: false; error: CommandFailure }>
): Promise<boolean> {
  const result = await run(call)
  if (result?.outcome !== 'being-uploaded') return result !== null
  useStation.getState().setError(TEXTS[currentLanguage()].beingUploaded)
  return false
}
