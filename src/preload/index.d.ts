export interface StationBridge {
  readonly runtime: 'electron' | 'browser'
}

declare global {
  interface Window {
    station?: StationBridge
  }
}
