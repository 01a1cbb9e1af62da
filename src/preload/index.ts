import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { CommandName, StationUpdate } from '../shared/contract'
import { IPC_INVOKE, IPC_UPDATE } from '../shared/ipc-channels'
import { createStationApi } from '../shared/station-api'

// The page gets named functions only (window.station.recordManual …), never ipcRenderer itself.
const station = createStationApi(
  {
    invoke: (name: CommandName, args: unknown) => ipcRenderer.invoke(IPC_INVOKE, name, args),
    subscribe(listener: (update: StationUpdate) => void) {
      const handler = (_event: IpcRendererEvent, update: StationUpdate) => listener(update)
      ipcRenderer.on(IPC_UPDATE, handler)
      return () => ipcRenderer.removeListener(IPC_UPDATE, handler)
    }
  },
  'electron'
)

contextBridge.exposeInMainWorld('station', station)
