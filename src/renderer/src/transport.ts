import type { CommandName, StationUpdate } from '../../shared/contract'
import { createStationApi, type StationApi, type StationTransport } from '../../shared/station-api'

/**
 * The browser's `window.station`: the same API as the Electron preload, carried by the headless station's
 * WebSocket. The pairing token comes from the page's URL.
 */
/** A quiet station is asked something after this long… */
const PROBE_MS = 2000
/** …and taken as unreachable when nothing at all has come from it for this long. */
const SILENCE_MS = 7000

export function connectWebSocket(onConnection: (connected: boolean) => void): StationApi {
  const token = new URLSearchParams(location.search).get('token') ?? ''
  const listeners = new Set<(update: StationUpdate) => void>()
  const waiting = new Map<number, (result: unknown) => void>()
  let nextId = 1
  let socket: WebSocket
  let queue: string[] = []

  const open = () => {
    const current = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`
    )
    socket = current
    let lastHeardMs = Date.now()
    // A station that hangs, or a Wi-Fi that drops packets, leaves the socket open and silent for minutes: ask
    // it something when it is quiet, and take the connection as lost when it stays silent (the screen then says
    // it is cut off, and entries wait on the device instead of "sending…" into nowhere).
    const liveness = setInterval(() => {
      const silentMs = Date.now() - lastHeardMs
      if (silentMs > SILENCE_MS) lost()
      else if (silentMs > PROBE_MS && current.readyState === WebSocket.OPEN) {
        current.send(JSON.stringify({ id: nextId++, name: 'clock.ping', args: { clientMs: Date.now() } }))
      }
    }, PROBE_MS)
    const lost = () => {
      clearInterval(liveness)
      current.onopen = null
      current.onmessage = null
      current.onclose = null
      current.close()
      onConnection(false)
      for (const [, resolve] of waiting) {
        resolve({
          ok: false,
          error: { code: 'internal', message: { code: 'screen.connection-lost', params: {} } }
        })
      }
      waiting.clear()
      setTimeout(open, 1000)
    }
    current.onopen = () => {
      lastHeardMs = Date.now()
      onConnection(true)
      for (const message of queue) current.send(message)
      queue = []
    }
    current.onmessage = event => {
      lastHeardMs = Date.now()
      const message = JSON.parse(String(event.data)) as {
        type: string
        id?: number
        result?: unknown
        update?: StationUpdate
      }
      if (message.type === 'update' && message.update) {
        for (const listener of listeners) listener(message.update)
      }
      if (message.type === 'result' && message.id !== undefined) {
        waiting.get(message.id)?.(message.result)
        waiting.delete(message.id)
      }
    }
    current.onclose = lost
  }
  open()

  const transport: StationTransport = {
    invoke(name: CommandName, args: unknown) {
      const id = nextId++
      const message = JSON.stringify({ id, name, args })
      return new Promise(resolve => {
        waiting.set(id, resolve)
        if (socket.readyState === WebSocket.OPEN) socket.send(message)
        else queue.push(message)
      })
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
  return createStationApi(transport, 'browser')
}

/**
 * The browser clock's offset to the station's, from a few round trips (the one with the shortest round trip
 * wins), so manual entries are stamped at the keypress in station time.
 */
export async function measureClockOffset(api: StationApi, samples = 5): Promise<number> {
  let best = { rtt: Infinity, offset: 0 }
  for (let i = 0; i < samples; i += 1) {
    const sent = Date.now()
    const result = await api.clockPing({ clientMs: sent })
    const received = Date.now()
    if (!result.ok) continue
    const rtt = received - sent
    if (rtt < best.rtt) best = { rtt, offset: result.value.serverMs - (sent + received) / 2 }
  }
  return Math.round(best.offset)
}
