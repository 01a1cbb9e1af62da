import { randomBytes } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { handleCommand } from '../core/app/command-handler'
import type { StationService } from '../core/app/station-service'
import type { Role } from '../shared/contract'

export interface StationHttpOptions {
  readonly service: StationService
  /** The built renderer (out/renderer). */
  readonly rendererDir: string
  readonly port: number
  /** 127.0.0.1 unless told otherwise. */
  readonly host?: string
  readonly log?: (line: string) => void
}

export interface StationHttpServer {
  readonly port: number
  /** One URL per role, each carrying its pairing token. */
  readonly urls: Readonly<Record<Role, string>>
  close(): Promise<void>
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav'
}

/** Largest message a screen may send (a command with its arguments). */
const MAX_MESSAGE_BYTES = 64 * 1024

/**
 * Serves the same renderer build to browsers and carries the contract over a WebSocket. Every connection needs
 * a pairing token (which sets its role) and an Origin and Host that name this server, even on loopback, so no
 * other web page open in a browser on this laptop can drive the station.
 */
export async function startStationHttp(options: StationHttpOptions): Promise<StationHttpServer> {
  const host = options.host ?? '127.0.0.1'
  const tokens: Record<Role, string> = {
    station: randomBytes(16).toString('hex'),
    entry: randomBytes(16).toString('hex'),
    viewer: randomBytes(16).toString('hex')
  }
  const roleOf = (token: string | null): Role | null => {
    for (const role of ['station', 'entry', 'viewer'] as const) {
      if (token !== null && token === tokens[role]) return role
    }
    return null
  }
  let port = options.port
  const allowedHosts = () =>
    new Set([`127.0.0.1:${port}`, `localhost:${port}`, `${host}:${port}`, `[::1]:${port}`])
  const hostAllowed = (request: IncomingMessage) => allowedHosts().has(request.headers.host ?? '')
  const originAllowed = (request: IncomingMessage) => {
    const origin = request.headers.origin
    return origin !== undefined && origin === `http://${request.headers.host ?? ''}`
  }

  const server: Server = createServer((request, response) => {
    if (!hostAllowed(request)) {
      response.writeHead(421, { 'Content-Type': 'text/plain' }).end('Unknown host')
      return
    }
    const url = new URL(request.url ?? '/', 'http://station.invalid')
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '')
    const file = join(options.rendererDir, relative === '' ? 'index.html' : relative)
    if (!file.startsWith(options.rendererDir + sep) && file !== join(options.rendererDir, 'index.html')) {
      response.writeHead(403).end()
      return
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found')
      return
    }
    response.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': "frame-ancestors 'none'",
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store'
    })
    createReadStream(file).pipe(response)
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://station.invalid')
    const role = roleOf(url.searchParams.get('token'))
    if (url.pathname !== '/ws' || !hostAllowed(request) || !originAllowed(request) || role === null) {
      options.log?.(
        `refused a screen connection (${role === null ? 'no valid pairing token' : 'wrong Host or Origin'})`
      )
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    sockets.handleUpgrade(request, socket, head, ws => serveScreen(ws, role))
  })

  const serveScreen = (ws: WebSocket, role: Role) => {
    const unsubscribe = options.service.subscribe(update => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'update', update }))
    }, role)
    ws.on('message', (data: Buffer) => {
      let message: { id?: unknown; name?: unknown; args?: unknown }
      try {
        message = JSON.parse(data.toString('utf8')) as typeof message
      } catch {
        ws.send(JSON.stringify({ type: 'error', message: 'Messages must be JSON.' }))
        return
      }
      void handleCommand(options.service, role, message.name, message.args).then(result => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: message.id, result }))
      })
    })
    ws.on('close', unsubscribe)
    ws.on('error', unsubscribe)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`
  return {
    port,
    urls: {
      station: `${base}?token=${tokens.station}`,
      entry: `${base}?token=${tokens.entry}`,
      viewer: `${base}?token=${tokens.viewer}`
    },
    async close() {
      for (const client of sockets.clients) client.terminate()
      sockets.close()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
