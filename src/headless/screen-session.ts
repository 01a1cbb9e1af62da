import type { WebSocket } from 'ws'
import { handleCommand } from '../core/app/command-handler'
import type { StationService } from '../core/app/station-service'
import type { CommandName, CommandResult, Role } from '../shared/contract'
import type { StationMessage } from '../shared/messages'
import { CommandRate, type RefusalCount, type ScreenLimits, type WorkGate } from './screen-limits'

export interface ScreenSessionDeps {
  readonly service: StationService
  readonly limits: ScreenLimits
  readonly refusals: RefusalCount
  readonly now: () => number
  /** For a handler that threw: logged once per distinct message. */
  readonly logFailure: (message: string) => void
  /** Shared by the screens of this role, so their commands cannot starve capture. */
  readonly gate?: WorkGate
}

/** A message's id, echoed in its answer: a small number or a short string, anything else is dropped. */
function messageId(value: unknown): number | string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  if (typeof value === 'string' && value.length <= 64) return value
  return null
}

type Parsed =
  { ok: true; id: number | string | null; name: unknown; args: unknown } | { ok: false; reason: string }

/** A screen's message must be a JSON object; only its own `id`, `name` and `args` are read. */
export function parseScreenMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Parsed {
  if (isBinary) return { ok: false, reason: 'Messages must be JSON text, not binary.' }
  const text = Buffer.isBuffer(data)
    ? data.toString('utf8')
    : Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data).toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'Messages must be JSON.' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'Messages must be JSON objects with a command name.' }
  }
  const own = (key: string) =>
    Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
  return { ok: true, id: messageId(own('id')), name: own('name'), args: own('args') }
}

/**
 * One connected screen: its role, its commands (rate-limited, a few at a time), its updates (dropped rather
 * than buffered when the screen stops reading), and a heartbeat.
 */
export class ScreenSession {
  #inFlight = 0
  #alive = true
  readonly #rate: CommandRate
  readonly #unsubscribe: () => void

  constructor(
    private readonly ws: WebSocket,
    readonly role: Role,
    private readonly deps: ScreenSessionDeps
  ) {
    this.#rate = new CommandRate(deps.limits.commandRate[role], deps.now)
    ws.on('message', (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary))
    ws.on('pong', () => {
      this.#alive = true
    })
    this.#unsubscribe = deps.service.subscribe(update => this.send({ type: 'update', update }), role)
    ws.on('close', () => this.#unsubscribe())
    ws.on('error', () => ws.terminate())
  }

  /** Called by the server's heartbeat: a screen that missed the previous ping is dropped. */
  heartbeat(): void {
    if (!this.#alive) {
      this.deps.refusals.add('silent screen dropped')
      this.ws.terminate()
      return
    }
    this.#alive = false
    this.ws.ping()
  }

  send(message: object): void {
    if (this.ws.readyState !== this.ws.OPEN) return
    if (this.ws.bufferedAmount > this.deps.limits.sendBufferBytes) {
      this.deps.refusals.add('screen not reading, dropped')
      this.ws.terminate()
      return
    }
    this.ws.send(JSON.stringify(message))
  }

  #refuse(id: number | string | null, reason: string, message: StationMessage): void {
    this.deps.refusals.add(reason)
    const result: CommandResult<CommandName> = { ok: false, error: { code: 'busy', message } }
    this.send({ type: 'result', id, result })
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    // Every message costs a token, well-formed or not, so a flood of garbage is as bounded as a flood of commands.
    const withinRate = this.#rate.take()
    const parsed = parseScreenMessage(data, isBinary)
    if (!parsed.ok) {
      this.deps.refusals.add('malformed message')
      this.send({ type: 'error', message: parsed.reason })
      return
    }
    if (!withinRate) {
      this.#refuse(parsed.id, `too many commands (${this.role})`, {
        code: 'screen.too-many-commands',
        params: {}
      })
      return
    }
    if (this.#inFlight >= this.deps.limits.commandsInFlight) {
      this.#refuse(parsed.id, 'commands in flight', { code: 'screen.still-working', params: {} })
      return
    }
    this.#inFlight += 1
    // A screen that left while its command waited for its turn costs nothing more.
    const run = async (): Promise<CommandResult<CommandName>> =>
      this.ws.readyState === this.ws.OPEN
        ? handleCommand(this.deps.service, this.role, parsed.name, parsed.args)
        : { ok: false, error: { code: 'busy', message: { code: 'screen.left', params: {} } } }
    ;(this.deps.gate ? this.deps.gate.run(run) : run())
      .catch((error: unknown): CommandResult<CommandName> => {
        const detail = error instanceof Error ? error.message : String(error)
        this.deps.logFailure(detail)
        return {
          ok: false,
          error: { code: 'internal', message: { code: 'command.failed', params: { detail } } }
        }
      })
      .then(result => {
        this.#inFlight -= 1
        this.send({ type: 'result', id: parsed.id, result })
      })
      .catch((error: unknown) => this.deps.logFailure(error instanceof Error ? error.message : String(error)))
  }
}
