import {
  COMMANDS,
  ROLE_RANK,
  type CommandName,
  type CommandParsedArgs,
  type CommandResult,
  type CommandResults,
  type ErrorCode,
  type Role
} from '../../shared/contract'
import type { z } from 'zod'
import type { ArgumentProblem, StationMessage } from '../../shared/messages'
import { rufusErrorMessage, RufusError } from '../rufus/errors'
import { NotPossible } from '../not-possible'
import type { StationService } from './station-service'

type Handlers = {
  [N in CommandName]: (
    service: StationService,
    args: CommandParsedArgs<N>,
    role: Role
  ) => Promise<CommandResults[N]> | CommandResults[N]
}

/** Each command of the contract, on the service. Arguments arrive validated, typed by their zod schema. */
const HANDLERS: Handlers = {
  'status.get': (s, _a, role) => s.snapshot(role),
  'passings.recent': (s, a) => s.recentPassings(a.limit),
  'passings.manual': (s, a) => s.recordManual(a.bib, a.atMs, a.entryKey),
  'passings.void': (s, a) => s.voidPassing(a.id),
  'passings.fixBib': (s, a) => s.fixBib(a.id, a.bib),
  'passings.undo': (s, a) => s.undoCorrection(a.id),
  'passings.held': s => s.heldPassings(),
  'passings.checkBib': (s, a) => s.checkBib(a.bib),
  'session.open': (s, a) => s.openSession(a.alias),
  'session.close': (s, a) => s.closeSession(a.openNext ?? false, a.sessionId, a.alias),
  'sessions.list': s => s.sessions(),
  'cloud.sessionPassings': (s, a) => s.cloudSessionPassings(a.token, a.first, a.last, a.page),
  'cloud.devicePassings': (s, a) => s.cloudDevicePassings(a.from, a.to, a.page),
  'local.sessionPassings': (s, a) => s.localSessionPassings(a.sessionId, a.afterNum, a.limit),
  'compare.session': (s, a) => s.compareSession(a.sessionId),
  'export.csv': (s, a) => s.exportCsv(a.sessionId),
  'clock.ping': () => ({ serverMs: Date.now() }),
  'setup.checkKey': (s, a) => s.checkKey(a.apiUrl, a.apiKey),
  'setup.saveKey': (s, a) => s.saveKey(a.apiUrl, a.apiKey),
  'device.list': s => s.listDevices(),
  'device.bindNew': (s, a) => s.bindNewDevice(a.alias),
  'device.use': (s, a) => s.useDevice(a.deviceid),
  'device.info': s => s.deviceInfo(),
  'device.unbind': (s, a) => s.unbindDevice(a.confirmAlias),
  'ports.list': s => s.listPorts(),
  'reader.add': (s, a) => s.addReader(a.path, a.protocol, a.baudRate),
  'reader.remove': (s, a) => s.removeReader(a.id),
  'reader.detect': (s, a) => s.detectReader(a.path),
  'sync.action': (s, a) => s.syncAction(a.action),
  'settings.set': (s, a) => s.setSettings(a),
  'screens.pairing': s => s.pairingUrls
}

/** What the validator found wrong, as data the screens word in their language (its own message is English). */
function argumentProblem(issue: z.core.$ZodIssue | undefined): ArgumentProblem {
  const numeric = issue !== undefined && 'origin' in issue && issue.origin === 'number'
  switch (issue?.code) {
    case 'too_small':
      return { kind: numeric ? 'too-small' : 'too-short', min: Number(issue.minimum) }
    case 'too_big':
      return { kind: numeric ? 'too-large' : 'too-long', max: Number(issue.maximum) }
    case 'invalid_format':
      return issue.format === 'url' ? { kind: 'not-a-web-address' } : { kind: 'wrong-kind' }
    case 'invalid_value':
      return { kind: 'not-one-of', values: issue.values.map(String) }
    default:
      return { kind: 'wrong-kind' }
  }
}

function failure(code: ErrorCode, message: StationMessage): CommandResult<CommandName> {
  return { ok: false, error: { code, message } }
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(COMMANDS, name)
}

/**
 * The one entrance for commands from any screen: the name must be in the contract, the caller's role high enough,
 * the arguments valid; the answer is always a result, with a plain message when it fails.
 */
export async function handleCommand(
  service: StationService,
  role: Role,
  name: unknown,
  args: unknown
): Promise<CommandResult<CommandName>> {
  if (!isCommandName(name)) {
    // JSON.stringify gives undefined for undefined (and functions): said as such, as before.
    return failure('unknown-command', {
      code: 'command.unknown',
      params: { name: String(JSON.stringify(name)) }
    })
  }
  const command = COMMANDS[name]
  if (ROLE_RANK[role] < ROLE_RANK[command.role]) {
    return failure('forbidden', {
      code: command.role === 'station' ? 'command.station-only' : 'command.read-only',
      params: {}
    })
  }
  const parsed = command.args.safeParse(args)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return failure('invalid-arguments', {
      code: 'command.invalid',
      params: { field: issue?.path.join('.') ?? '', problem: argumentProblem(issue) }
    })
  }
  try {
    const handler = HANDLERS[name] as (service: StationService, args: unknown, role: Role) => unknown
    return { ok: true, value: (await handler(service, parsed.data, role)) as CommandResults[CommandName] }
  } catch (error) {
    if (error instanceof NotPossible) return failure('not-possible', error.reason)
    if (error instanceof RufusError) return failure('cloud', rufusErrorMessage(error))
    return failure('internal', {
      code: 'command.failed',
      params: { detail: error instanceof Error ? error.message : String(error) }
    })
  }
}
