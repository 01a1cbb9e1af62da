import { StationService, type StationServiceOptions } from '../core/app/station-service'
import type { EventHub } from '../core/app/event-hub'
import { startStationHttp, type StationHttpServer } from './http-server'
import type { PairingTokens } from './pairing'
import { ensureRendererBuilt } from './renderer-build'

/** Serves the UI and the contract for the headless station and the demo. */
export async function serveScreens(
  hub: EventHub,
  options: Omit<StationServiceOptions, 'runtime'>,
  http: { port: number; host?: string; tokens?: PairingTokens },
  log: (line: string) => void
): Promise<{ service: StationService; server: StationHttpServer }> {
  const service = new StationService({ ...options, runtime: 'headless' })
  hub.add(service.onStationEvent)
  const server = await startStationHttp({
    service,
    rendererDir: ensureRendererBuilt(log),
    port: http.port,
    host: http.host,
    tokens: http.tokens,
    log
  })
  service.pairingUrls = { entry: server.urls.entry, viewer: server.urls.viewer }
  return { service, server }
}
