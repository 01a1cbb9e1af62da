import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { inProcessScreenServer as server } from '../helpers/screen-server'

/** Tries a WebSocket with the given token, Host and Origin; resolves with "open" or the refusal's status. */
function connect(port: number, token: string, headers: { host?: string; origin?: string }): Promise<string> {
  return new Promise(resolve => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, {
      headers: headers as Record<string, string>
    })
    socket.on('open', () => {
      socket.close()
      resolve('open')
    })
    socket.on('unexpected-response', (_req, response) => resolve(String(response.statusCode)))
    socket.on('error', () => resolve('error'))
  })
}

describe('screens over the network', () => {
  it('binds to loopback and gives each role its own pairing URL', async () => {
    const s = await server()
    expect(s.urls.station).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/)
    expect(new Set([s.urls.station, s.urls.entry, s.urls.viewer]).size).toBe(3)
  })

  it('needs a valid token and a matching Origin and Host, even on loopback', async () => {
    const s = await server()
    const token = new URL(s.urls.viewer).searchParams.get('token') ?? ''
    const host = `127.0.0.1:${s.port}`
    expect(await connect(s.port, token, { host, origin: `http://${host}` })).toBe('open')
    expect(await connect(s.port, 'f'.repeat(32), { host, origin: `http://${host}` })).toBe('403')
    expect(await connect(s.port, token, { host })).toBe('403')
    expect(await connect(s.port, token, { host, origin: 'https://evil.example' })).toBe('403')
    expect(
      await connect(s.port, token, {
        host: `evil.example:${s.port}`,
        origin: `http://evil.example:${s.port}`
      })
    ).toBe('421')
  })

  it('refuses pages under a foreign Host name (DNS rebinding) and paths outside the UI', async () => {
    const s = await server()
    const get = (path: string, host: string) =>
      new Promise<number>(resolve => {
        const req = request({ host: '127.0.0.1', port: s.port, path, headers: { host } }, response => {
          response.resume()
          resolve(response.statusCode ?? 0)
        })
        req.end()
      })
    expect(await get('/', `127.0.0.1:${s.port}`)).toBe(200)
    expect(await get('/', `attacker.example:${s.port}`)).toBe(421)
    expect(await get('/../../etc/passwd', `127.0.0.1:${s.port}`)).not.toBe(200)
    expect(await get('/%2e%2e/%2e%2e/etc/passwd', `127.0.0.1:${s.port}`)).not.toBe(200)
  })
})
