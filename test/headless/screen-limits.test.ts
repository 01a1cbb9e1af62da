import { describe, expect, it } from 'vitest'
import { newPairingTokens, roleOfToken } from '../../src/headless/pairing'
import { allowedHosts, CommandRate, RefusalCount, SCREEN_LIMITS } from '../../src/headless/screen-limits'
import { parseScreenMessage } from '../../src/headless/screen-session'
import { connectScreen, type ScreenClient } from '../helpers/headless-screens'
import { inProcessScreenServer } from '../helpers/screen-server'

describe('screen server rules', () => {
  it('pairs a token to its role only on an exact match', () => {
    const tokens = newPairingTokens()
    expect(roleOfToken(tokens, tokens.entry)).toBe('entry')
    expect(roleOfToken(tokens, tokens.station)).toBe('station')
    expect(roleOfToken(tokens, tokens.viewer.slice(0, -1))).toBeNull()
    expect(roleOfToken(tokens, `${tokens.viewer}0`)).toBeNull()
    expect(roleOfToken(tokens, ['x'])).toBeNull()
    expect(roleOfToken(tokens, undefined)).toBeNull()
  })

  it('limits commands per second on an injected clock, with a burst', () => {
    let now = 0
    const rate = new CommandRate({ perSecond: 10, burst: 3 }, () => now)
    expect([rate.take(), rate.take(), rate.take(), rate.take()]).toEqual([true, true, true, false])
    now += 100
    expect([rate.take(), rate.take()]).toEqual([true, false])
  })

  it('summarises refusals in one line and then starts again', () => {
    const count = new RefusalCount()
    for (let i = 0; i < 5000; i += 1) count.add('unknown host')
    count.add('no valid pairing token')
    expect(count.takeSummary()).toBe(
      'screens: refused 5001 requests (5000 unknown host, 1 no valid pairing token)'
    )
    expect(count.takeSummary()).toBeNull()
  })

  it('answers to loopback names, and when bound to all interfaces to this machine’s addresses', () => {
    expect(allowedHosts('127.0.0.1', 80, ['192.0.2.2'])).not.toContain('192.0.2.2:80')
    const all = allowedHosts('0.0.0.0', 80, ['192.0.2.2', '[2001:db8::1]'])
    expect(all).toContain('192.0.2.2:80')
    expect(all).toContain('[2001:db8::1]:80')
    expect(all).toContain('localhost:80')
  })

  it('reads only a message object’s own id, name and args', () => {
    expect(parseScreenMessage(Buffer.from('null'), false)).toMatchObject({ ok: false })
    expect(parseScreenMessage(Buffer.from('[1]'), false)).toMatchObject({ ok: false })
    expect(parseScreenMessage(Buffer.from('{}'), true)).toMatchObject({ ok: false })
    expect(
      parseScreenMessage(Buffer.from('{"__proto__":{"name":"session.open"},"id":{"a":1}}'), false)
    ).toEqual({ ok: true, id: null, name: undefined, args: undefined })
  })

  it('refuses a ninth screen on one pairing token (429)', async () => {
    const server = await inProcessScreenServer()
    const screens: ScreenClient[] = []
    for (let i = 0; i < SCREEN_LIMITS.connectionsPerToken; i += 1)
      screens.push(await connectScreen(server.urls.viewer))
    await expect(connectScreen(server.urls.viewer)).rejects.toThrow(/429/)
    expect((await connectScreen(server.urls.entry)).socket.readyState).toBe(1)
    for (const screen of screens) screen.socket.close()
  })
})
