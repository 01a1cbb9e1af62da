import { afterEach } from 'vitest'
import { StationService } from '../../src/core/app/station-service'
import { startStationHttp, type StationHttpServer } from '../../src/headless/http-server'
import { ensureRendererBuilt } from '../../src/headless/renderer-build'
import { openStation } from './station'

const running: Array<{ server: StationHttpServer; service: StationService }> = []
afterEach(async () => {
  for (const { server, service } of running.splice(0)) {
    service.stop()
    await server.close()
  }
})

/** The screen server in the test's own process, on an offline station; closed after the test. */
export async function inProcessScreenServer(): Promise<StationHttpServer> {
  const { station } = openStation({ apiUrl: 'http://127.0.0.1:9/v0', apiKey: 'k', sync: false })
  const service = new StationService({
    station,
    runtime: 'headless',
    apiUrl: 'x',
    keySet: true,
    keyStorage: 'command-line'
  })
  const server = await startStationHttp({
    service,
    rendererDir: ensureRendererBuilt(() => undefined),
    port: 0
  })
  running.push({ server, service })
  return server
}
