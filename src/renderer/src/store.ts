import { useSyncExternalStore } from 'react'
import { createStore } from 'zustand/vanilla'
import type { PassingView, StationSnapshot, StationUpdate } from '../../shared/contract'

export type Screen = 'live' | 'browser' | 'sessions' | 'setup'

const RECENT_CAP = 300

export interface StationState {
  readonly snapshot: StationSnapshot | null
  readonly recent: readonly PassingView[]
  readonly connected: boolean
  readonly screen: Screen
  readonly clockOffsetMs: number
  /** Whether the offset to the station's clock has been measured (entries typed before keep theirs open). */
  readonly clockOffsetKnown: boolean
  /** Reads per second, one sample per update, for the chart. */
  readonly rate: readonly number[]
  readonly lastError: string | null
  applyUpdate(update: StationUpdate, nowMs: number): void
  setRecent(passings: readonly PassingView[]): void
  /** Newest-first passings fetched after an update that could not carry them all. */
  mergeNewest(passings: readonly PassingView[]): void
  replacePassing(passing: PassingView): void
  /** Newer states of passings already listed (synced, voided, fixed). */
  refreshStates(passings: readonly PassingView[]): void
  setConnected(connected: boolean): void
  setScreen(screen: Screen): void
  setClockOffset(offsetMs: number): void
  setError(message: string | null): void
}

/** Merges new passings (oldest first) into the newest-first list, replacing any with the same id. */
export function mergeRecent(
  current: readonly PassingView[],
  incoming: readonly PassingView[]
): PassingView[] {
  if (incoming.length === 0) return current as PassingView[]
  const ids = new Set(incoming.map(p => p.id))
  return [...[...incoming].reverse(), ...current.filter(p => !ids.has(p.id))].slice(0, RECENT_CAP)
}

/** The screens' state: a zustand store, bound to React below. */
export const stationStore = createStore<StationState>()(set => ({
  snapshot: null,
  recent: [],
  connected: false,
  screen: 'live',
  clockOffsetMs: 0,
  clockOffsetKnown: false,
  rate: [],
  lastError: null,
  applyUpdate: update =>
    set(state => {
      const readsPerSecond = update.snapshot.readers.reduce((sum, r) => sum + r.readsPerSecond, 0)
      return {
        snapshot: update.snapshot,
        recent: mergeRecent(state.recent, update.passings),
        rate: [...state.rate, readsPerSecond].slice(-60),
        screen:
          state.screen === 'live' && !update.snapshot.configured && update.snapshot.role === 'station'
            ? 'setup'
            : state.screen
      }
    }),
  setRecent: passings => set({ recent: [...passings] }),
  mergeNewest: passings => set(state => ({ recent: mergeRecent(state.recent, [...passings].reverse()) })),
  replacePassing: passing =>
    set(state => ({ recent: state.recent.map(p => (p.id === passing.id ? passing : p)) })),
  refreshStates: passings =>
    set(state => {
      const byId = new Map(passings.map(p => [p.id, p]))
      return { recent: state.recent.map(p => byId.get(p.id) ?? p) }
    }),
  setConnected: connected => set({ connected }),
  setScreen: screen => set({ screen }),
  setClockOffset: clockOffsetMs => set({ clockOffsetMs, clockOffsetKnown: true }),
  setError: lastError => set({ lastError })
}))

/**
 * Reads the store in a component. Any render, server rendering included, sees the current state (zustand's own
 * binding server-renders the initial state).
 */
export function useStation<T>(selector: (state: StationState) => T): T {
  const read = () => selector(stationStore.getState())
  return useSyncExternalStore(stationStore.subscribe, read, read)
}
useStation.getState = stationStore.getState
useStation.setState = stationStore.setState

export const INITIAL_STATE = stationStore.getState()
