import type { StationApi } from '../shared/station-api'

declare global {
  interface Window {
    station?: StationApi
  }
}

export {}
