import type { CommandArgs, CommandName, CommandResult, StationUpdate } from './contract'

/**
 * The transport both sides share: the preload builds `window.station` from Electron IPC with it, and the browser
 * build from the WebSocket. Screens only see the named functions below.
 */
export interface StationTransport {
  invoke(name: CommandName, args: unknown): Promise<unknown>
  subscribe(listener: (update: StationUpdate) => void): () => void
}

type Call<N extends CommandName> = (args: CommandArgs<N>) => Promise<CommandResult<N>>

export interface StationApi {
  readonly runtime: 'electron' | 'browser'
  readonly status: Call<'status.get'>
  readonly recentPassings: Call<'passings.recent'>
  readonly recordManual: Call<'passings.manual'>
  readonly voidPassing: Call<'passings.void'>
  readonly fixBib: Call<'passings.fixBib'>
  readonly openSession: Call<'session.open'>
  readonly closeSession: Call<'session.close'>
  readonly sessions: Call<'sessions.list'>
  readonly cloudSessionPassings: Call<'cloud.sessionPassings'>
  readonly cloudDevicePassings: Call<'cloud.devicePassings'>
  readonly localSessionPassings: Call<'local.sessionPassings'>
  readonly compareSession: Call<'compare.session'>
  readonly exportCsv: Call<'export.csv'>
  readonly clockPing: Call<'clock.ping'>
  readonly checkKey: Call<'setup.checkKey'>
  readonly saveKey: Call<'setup.saveKey'>
  readonly listDevices: Call<'device.list'>
  readonly bindNewDevice: Call<'device.bindNew'>
  readonly useDevice: Call<'device.use'>
  readonly deviceInfo: Call<'device.info'>
  readonly unbindDevice: Call<'device.unbind'>
  readonly listPorts: Call<'ports.list'>
  readonly addReader: Call<'reader.add'>
  readonly removeReader: Call<'reader.remove'>
  readonly detectReader: Call<'reader.detect'>
  readonly syncAction: Call<'sync.action'>
  readonly setSettings: Call<'settings.set'>
  readonly pairingUrls: Call<'screens.pairing'>
  readonly onUpdate: (listener: (update: StationUpdate) => void) => () => void
}

/** Each named function and the command it sends. */
export const API_COMMANDS = {
  status: 'status.get',
  recentPassings: 'passings.recent',
  recordManual: 'passings.manual',
  voidPassing: 'passings.void',
  fixBib: 'passings.fixBib',
  openSession: 'session.open',
  closeSession: 'session.close',
  sessions: 'sessions.list',
  cloudSessionPassings: 'cloud.sessionPassings',
  cloudDevicePassings: 'cloud.devicePassings',
  localSessionPassings: 'local.sessionPassings',
  compareSession: 'compare.session',
  exportCsv: 'export.csv',
  clockPing: 'clock.ping',
  checkKey: 'setup.checkKey',
  saveKey: 'setup.saveKey',
  listDevices: 'device.list',
  bindNewDevice: 'device.bindNew',
  useDevice: 'device.use',
  deviceInfo: 'device.info',
  unbindDevice: 'device.unbind',
  listPorts: 'ports.list',
  addReader: 'reader.add',
  removeReader: 'reader.remove',
  detectReader: 'reader.detect',
  syncAction: 'sync.action',
  setSettings: 'settings.set',
  pairingUrls: 'screens.pairing'
} as const satisfies Record<string, CommandName>

export function createStationApi(transport: StationTransport, runtime: 'electron' | 'browser'): StationApi {
  const api: Record<string, unknown> = {
    runtime,
    onUpdate: (listener: (update: StationUpdate) => void) => transport.subscribe(listener)
  }
  for (const [method, command] of Object.entries(API_COMMANDS)) {
    api[method] = (args: unknown) => transport.invoke(command, args ?? {})
  }
  return Object.freeze(api) as unknown as StationApi
}
