import type { StationApi } from '../../shared/station-api'
import { connectWebSocket, measureClockOffset } from './transport'
import { useStation } from './store'

let api: StationApi | null = null

/** The station API: the Electron preload's `window.station`, or the WebSocket in a plain browser. */
export function stationApi(): StationApi {
  if (api) return api
  const store = useStation.getState()
  if (window.station) {
    api = window.station
    store.setConnected(true)
  } else {
    api = connectWebSocket(connected => {
      useStation.getState().setConnected(connected)
      if (connected && api) {
        void measureClockOffset(api).then(offset => useStation.getState().setClockOffset(offset))
      }
    })
  }
  let synced = -1
  let refreshing = false
  api.onUpdate(update => {
    useStation.getState().applyUpdate(update, Date.now())
    // Passings change state as they reach the cloud: refresh the visible ones, at most once per update.
    if (update.snapshot.sync.synced !== synced && !refreshing && api) {
      synced = update.snapshot.sync.synced
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

/** Runs a command and shows its failure in plain words; returns the value or null. */
export async function run<T>(
  call: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>
): Promise<T | null> {
  const result = await call
  if (result.ok) {
    useStation.getState().setError(null)
    return result.value
  }
  useStation.getState().setError(result.error.message)
  return null
}

/** Reloads the newest passings' states after a correction. */
export async function refreshRecent(): Promise<void> {
  const result = await stationApi().recentPassings({ limit: 100 })
  if (result.ok) useStation.getState().refreshStates(result.value)
}
