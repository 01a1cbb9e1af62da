import { afterEach } from 'vitest'
import { StationService } from '../../src/core/app/station-service'
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

/** The screens' service over an offline station (closed after the test with the station). */
export function offlineService(): StationService {
  return new StationService({
    station: openOfflineStation().station,
    runtime: 'headless',
    apiUrl: 'x',
    keySet: true,
    keyStorage: 'command-line'
  })
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
