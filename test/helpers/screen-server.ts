import { afterEach } from 'vitest'
import { StationService, type StationServiceOptions } from '../../src/core/app/station-service'
import type { Station } from '../../src/core/station/station'
import { startStationHttp, type StationHttpServer } from '../../src/headless/http-server'
import { ensureRendererBuilt } from '../../src/headless/renderer-build'
import { openOfflineStation } from './station'

const running: Array<{ server: StationHttpServer; service: StationService }> = []
afterEach(async () => {
  for (const { server, service } of running.splice(0)) {
    service.stop()
    await server.close()
  }
})

/** The screens' service over a station, as the headless command builds it (a key from the command line). */
export function serviceOf(station: Station, options: Partial<StationServiceOptions> = {}): StationService {
  return new StationService({
    station,
    runtime: 'headless',
    apiUrl: 'http://127.0.0.1:9/v0',
    keySet: true,
    keyStorage: 'command-line',
    ...options
  })
}

/** The screens' service over an offline station (closed after the test with the station). */
export function offlineService(): StationService {
  return serviceOf(openOfflineStation().station, { apiUrl: 'x' })
}

/** The screen server in the test's own process, on an offline station; closed after the test. */
export async function inProcessScreenServer(): Promise<StationHttpServer> {
  const service = offlineService()
  const server = await startStationHttp({
    service,
    rendererDir: ensureRendererBuilt(() => undefined),
    port: 0
  })
  running.push({ server, service })
  return server
}
