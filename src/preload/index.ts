import { contextBridge } from 'electron'

// The preload exposes a small named API and never raw IPC. It grows with the IPC contract.
const station = Object.freeze({
  runtime: 'electron' as const
})

contextBridge.exposeInMainWorld('station', station)
