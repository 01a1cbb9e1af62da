import fastifyStatic from '@fastify/static'
import fastifyWebsocket from '@fastify/websocket'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import type { Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { StationService } from '../core/app/station-service'
import type { Role } from '../shared/contract'
import { newPairingTokens, roleOfToken, type PairingTokens } from './pairing'
import {
  allowedHosts,
  interfaceAddresses,
  isWildcardHost,
  lanAddress,
  RefusalCount,
  SCREEN_LIMITS,
  WorkGate,
  type ScreenLimits
} from './screen-limits'
import { ScreenSession } from './screen-session'

export interface StationHttpOptions {
  readonly service: StationService
  /** The built renderer (out/renderer). */
  readonly rendererDir: string
  readonly port: number
  /** 127.0.0.1 unless told otherwise. */
  readonly host?: string
  /** The pairing tokens (kept in the data folder by the headless station); new ones when not given. */
  readonly tokens?: PairingTokens
  readonly limits?: ScreenLimits
  /** How often refusals are summarised in the log. */
  readonly refusalSummaryMs?: number
  readonly log?: (line: string) => void
}

export interface StationHttpServer {
  readonly port: number
  /** One URL per role, each carrying its pairing token: for the station's own output only. */
  readonly urls: Readonly<Record<Role, string>>
  close(): Promise<void>
}

/** Largest message a screen may send (a command with its arguments). */
const MAX_MESSAGE_BYTES = 64 * 1024

/** Headers on every answer, errors included. `connect-src` names this server only. */
function securityHeaders(host: string | null): Record<string, string> {
  const connect = host === null ? "'none'" : `'self' ws://${host}`
  return {
    'Content-Security-Policy': `default-src 'self'; connect-src ${connect}; img-src 'self' data:; media-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store'
  }
}

const STATUS_TEXT: Record<number, string> = {
  405: 'Method Not Allowed',
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large'
}

/** An answer written straight to a socket the HTTP parser gave up on. */
function rawAnswer(status: number, text: string): string {
  const headers = {
    ...securityHeaders(null),
    'Content-Type': 'text/plain; charset=utf-8',
    Connection: 'close'
  }
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
}

declare module 'fastify' {
  interface FastifyRequest {
    screenRole: Role | null
  }
}

/**
 * Serves the renderer build to browsers and carries the contract over a WebSocket, on Fastify: URL decoding,
 * methods, limits, timeouts and error answers are the framework's. Hooks check the Host (DNS rebinding), then for
 * the WebSocket the Origin (other pages in the same browser) and the pairing token (which sets the role).
 */
export async function startStationHttp(options: StationHttpOptions): Promise<StationHttpServer> {
  const host = options.host ?? '127.0.0.1'
  const limits = options.limits ?? SCREEN_LIMITS
  const tokens = options.tokens ?? newPairingTokens()
  const log = options.log ?? (() => undefined)
  const refusals = new RefusalCount()
  const loggedFailures = new Set<string>()
  const logFailure = (message: string) => {
    if (loggedFailures.has(message) || loggedFailures.size >= 100) return
    loggedFailures.add(message)
    log(`screens: a command failed: ${message}`)
  }
  let port = options.port
  let addressesAt = 0
  let hosts = new Set<string>()
  const hostAllowed = (value: string | undefined): value is string => {
    // Interface addresses are read again at most once a second (DHCP may change them).
    if (Date.now() - addressesAt > 1000) {
      hosts = allowedHosts(host, port, isWildcardHost(host) ? interfaceAddresses() : [])
      addressesAt = Date.now()
    }
    return value !== undefined && hosts.has(value.toLowerCase())
  }

  const app = Fastify({
    logger: false,
    bodyLimit: 1024,
    requestTimeout: 10_000,
    connectionTimeout: 30_000,
    keepAliveTimeout: 5000,
    forceCloseConnections: true,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200, ignoreDuplicateSlashes: false },
    http: {
      maxHeaderSize: 16 * 1024,
      // The Host hook answers a missing Host (421, with the security headers) instead of Node's bare 400.
      requireHostHeader: false,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: 10_000,
      connectionsCheckingInterval: 1000
    },
    // A path that is not valid percent-encoding never reaches the routes or hooks: answer it here.
    frameworkErrors(_error, request, rawReply) {
      refusals.add('malformed path')
      return (rawReply as FastifyReply)
        .code(400)
        .headers(securityHeaders(hostAllowed(request.headers.host) ? request.headers.host : null))
        .type('text/plain; charset=utf-8')
        .send('The station could not read this address.')
    },
    clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
      refusals.add('malformed request')
      if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy()
        return
      }
      const status =
        error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
      socket.end(rawAnswer(status, 'The station could not read this request.'))
    }
  })
  app.decorateRequest('screenRole', null)
  // First, so its hooks mark upgrade requests before ours may refuse them (a refused upgrade's socket is then closed).
  await app.register(fastifyWebsocket, {
    options: { maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false }
  })

  // Descriptors: a hard cap, and the oldest connection that has not sent a whole request yet makes room for a new one.
  app.server.maxConnections = limits.connections
  const pending = new Set<Socket>()
  app.server.on('connection', (socket: Socket) => {
    if (pending.size >= limits.pendingConnections) {
      const oldest = pending.values().next().value
      if (oldest) {
        pending.delete(oldest)
        refusals.add('unfinished request closed')
        oldest.destroy()
      }
    }
    pending.add(socket)
    socket.once('close', () => pending.delete(socket))
  })
  app.server.on('drop', () => refusals.add('too many connections'))
  // Node closes a CONNECT request silently unless someone answers it.
  app.server.on('connect', (_request, socket: Socket) => {
    refusals.add('method not allowed')
    socket.end(rawAnswer(405, 'Not allowed.'))
  })

  const refuse = (reply: FastifyReply, status: number, reason: string, text: string) => {
    refusals.add(reason)
    return reply.code(status).type('text/plain; charset=utf-8').send(text)
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    pending.delete(request.raw.socket)
    const requestHost = request.headers.host
    if (!hostAllowed(requestHost))
      return refuse(reply, 421, 'unknown host', 'This station does not answer to that name.')
    const isScreenSocket = request.url.split('?')[0] === '/ws'
    // The WebSocket plugin would otherwise complete an upgrade on any route (then close it) and answer a HEAD one bare.
    if (request.ws && !isScreenSocket) return refuse(reply, 404, 'not found', 'Not found.')
    if (request.ws && request.method !== 'GET')
      return refuse(reply, 405, 'method not allowed', 'Not allowed.')
    if (!isScreenSocket) return
    if (request.headers.origin !== `http://${requestHost}`) {
      return refuse(reply, 403, 'foreign origin', 'Screens connect from this station’s own page.')
    }
    const token = (request.query as Record<string, unknown> | null)?.['token']
    const role = roleOfToken(tokens, token)
    if (role === null) return refuse(reply, 403, 'no valid pairing token', 'This screen is not paired.')
    if ((perToken.get(role) ?? 0) >= limits.connectionsPerToken) {
      return refuse(reply, 429, 'too many screens on one pairing', 'Too many screens use this pairing.')
    }
    request.screenRole = role
  })
  // A kept-alive connection waits for its next request like a new one does: make it evictable again, or idle and
  // half-sent follow-up requests would hold every connection slot and a real screen would be dropped unanswered.
  app.addHook('onResponse', async request => {
    const socket = request.raw.socket
    if (!request.ws && !socket.destroyed) pending.add(socket)
  })
  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(securityHeaders(hostAllowed(request.headers.host) ? request.headers.host : null))
    return payload
  })
  app.setNotFoundHandler((request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refusals.add('method not allowed')
      return reply
        .code(405)
        .header('Allow', 'GET, HEAD')
        .type('text/plain; charset=utf-8')
        .send('Not allowed.')
    }
    refusals.add('not found')
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found.')
  })
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500
    if (status >= 500) logFailure(error.message)
    else refusals.add(`status ${status}`)
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? 'The station had a problem.' : 'Bad request.')
  })

  const sessions = new Set<ScreenSession>()
  // One gate per role: a flooding viewer slows other viewers, never the station's own screen or capture.
  const gates: Record<Role, WorkGate> = {
    station: new WorkGate(limits.workShare, () => performance.now()),
    entry: new WorkGate(limits.workShare, () => performance.now()),
    viewer: new WorkGate(limits.workShare, () => performance.now())
  }
  const perToken = new Map<Role, number>()
  app.register(async scope => {
    scope.get('/ws', { websocket: true }, (socket, request) => {
      const role = request.screenRole
      if (role === null) {
        socket.terminate()
        return
      }
      perToken.set(role, (perToken.get(role) ?? 0) + 1)
      const session = new ScreenSession(socket, role, {
        service: options.service,
        limits,
        refusals,
        now: () => Date.now(),
        logFailure,
        gate: gates[role]
      })
      sessions.add(session)
      socket.on('close', () => {
        sessions.delete(session)
        perToken.set(role, (perToken.get(role) ?? 1) - 1)
      })
    })
  })
  await app.register(fastifyStatic, {
    root: options.rendererDir,
    index: ['index.html'],
    dotfiles: 'ignore',
    cacheControl: false,
    etag: false,
    lastModified: false
  })

  const heartbeat = setInterval(() => {
    for (const session of sessions) session.heartbeat()
  }, limits.heartbeatMs)
  heartbeat.unref()
  const summary = setInterval(() => {
    const line = refusals.takeSummary()
    if (line) log(line)
  }, options.refusalSummaryMs ?? 60_000)
  summary.unref()

  await app.listen({ port: options.port, host })
  port = (app.server.address() as AddressInfo).port
  addressesAt = 0
  const urlHost = isWildcardHost(host) ? lanAddress() : host
  const base = (name: string) => `http://${name.includes(':') ? `[${name}]` : name}:${port}/`
  return {
    port,
    urls: {
      station: `${base(isWildcardHost(host) ? '127.0.0.1' : host)}?token=${tokens.station}`,
      entry: `${base(urlHost)}?token=${tokens.entry}`,
      viewer: `${base(urlHost)}?token=${tokens.viewer}`
    },
    async close() {
      clearInterval(heartbeat)
      clearInterval(summary)
      const line = refusals.takeSummary()
      if (line) log(line)
      await app.close()
    }
  }
}
