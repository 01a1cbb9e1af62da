import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'
import { RufusError } from '../../src/core/rufus/errors'

const servers: Server[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise(done => server.close(done))
  }
})

/** A real HTTP server on loopback that answers however the test says (or never); closed after the test. */
export async function loopbackServer(
  handler: Parameters<typeof createServer>[1]
): Promise<{ readonly server: Server; readonly apiUrl: string }> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  return { server, apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v0` }
}

/** The `RufusError` a call fails with (anything else fails the test). */
export async function failure(promise: Promise<unknown>): Promise<RufusError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e
  )
  if (!(error instanceof RufusError)) throw error
  return error
}
