import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { RefusalCount, SCREEN_LIMITS } from '../../src/headless/screen-limits'
import { ScreenSession } from '../../src/headless/screen-session'
import { offlineService } from '../helpers/screen-server'

/** Just enough of a ws WebSocket to drive a session: what it sent, whether it was dropped. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1
  readyState = 1
  bufferedAmount = 0
  readonly sent: Array<Record<string, unknown>> = []
  pings = 0
  terminated = false
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>)
  }
  ping(): void {
    this.pings += 1
  }
  terminate(): void {
    this.terminated = true
    this.readyState = 3
    this.emit('close')
  }
  message(value: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(value)), false)
  }
}

function session(role: 'viewer' | 'entry' = 'viewer') {
  const service = offlineService()
  const socket = new FakeSocket()
  const refusals = new RefusalCount()
  const failures: string[] = []
  const screen = new ScreenSession(socket as unknown as WebSocket, role, {
    service,
    limits: SCREEN_LIMITS,
    refusals,
    now: () => 0,
    logFailure: message => failures.push(message)
  })
  return { socket, screen, refusals, service }
}

describe('one screen', () => {
  it('is dropped when it misses a heartbeat ping', () => {
    const { socket, screen, service } = session()
    screen.heartbeat()
    expect(socket.pings).toBe(1)
    socket.emit('pong')
    screen.heartbeat()
    expect(socket.terminated).toBe(false)
    screen.heartbeat()
    expect(socket.terminated).toBe(true)
    service.stop()
  })

  it('is dropped, not buffered, when it stops reading', () => {
    const { socket, screen, refusals, service } = session()
    socket.bufferedAmount = SCREEN_LIMITS.sendBufferBytes + 1
    screen.send({ type: 'update' })
    expect(socket.terminated).toBe(true)
    expect(refusals.takeSummary()).toMatch(/screen not reading, dropped/)
    service.stop()
  })

  it('has at most a few commands in flight and answers the rest as busy, then within its rate', async () => {
    const { socket, service } = session('viewer')
    for (let id = 1; id <= 50; id += 1) socket.message({ id, name: 'status.get', args: {} })
    const busy = socket.sent.filter(m => m['type'] === 'result')
    // Answered at once: everything beyond the commands in flight and beyond the burst.
    expect(busy.length).toBe(50 - SCREEN_LIMITS.commandsInFlight)
    expect(busy.every(m => (m['result'] as { error: { code: string } }).error.code === 'busy')).toBe(true)
    await new Promise(resolve => setImmediate(resolve))
    const results = socket.sent.filter(m => m['type'] === 'result')
    expect(results.length).toBe(50)
    service.stop()
  })
})
