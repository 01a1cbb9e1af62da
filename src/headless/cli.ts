/* eslint max-lines: ["error", { "max": 420, "skipBlankLines": true, "skipComments": true }] -- jobs: the flags, each
   checked before the data folder is touched (exit 2); the headless run (station, readers, capture first, then
   settings, sync and screens); signals and exit codes; the default data folder and its adoption. */
import { mkdirSync } from 'node:fs'
import { lookup } from 'node:dns/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { StationEvent } from '../shared/events'
import { inEnglish } from '../shared/messages'
import { adoptDefaultDataFolder } from '../core/station/adopt-data-folder'
import { isProtocol, PROTOCOLS, USUAL_BAUDS, type Protocol } from '../core/reader/protocols'
import { BAUD_RANGE } from '../shared/protocols'
import { API_URL, PRODUCTION_API_URL } from '../shared/rufus-cloud'
import { captureBegun } from './capture-first'
import { explainStartError, StationStartError } from '../core/station/start-errors'
import { Station } from '../core/station/station'
import { resolveApiKey } from './api-key'
import { readNamedFile } from './named-file'
import { formatEvent } from './format-event'
import { printedEvent } from './printed-event'
import { EventHub } from '../core/app/event-hub'
import { loadPairingTokens, PAIRING_FILE, rotatePairingTokens } from './pairing'
import { DEFAULT_UPLOAD_GRACE } from '../core/sync/upload-grace'
import { DEFAULT_DEDUP } from '../core/reader/dedup'

const USAGE = `usage: RUFUS_API_KEY=<key> npm run --silent station -- --headless --data <dir> --api-url <url> --serial <path>
  [--api-key-file <path>] [--api-key <key> (other users of the machine can read it)]
  [--baud <n>] [--protocol ${PROTOCOLS.join('|')}] [--line-field bib|chip] [--device-serial <sn>] [--device-model <m>]
  [--session-alias <alias>] [--new-session <alias>] [--json] [--batch-size <n>]
  [--on-closed-elsewhere new-session|ask] [--on-unbound rebind|ask] [--adopt-active-session]
  [--dedup-window <ms>] [--dedup-mode first|strongest] [--bib-policy chip|participants|epc-ascii]
  [--participants <csv>] [--rrbox-open-delay <ms>] [--http-port <n>] [--http-host <address>]
  [--upload-grace <ms>] [--upload-grace-all]
or:    npm run station -- --demo [--http-port <n>] [--data <dir>]
or:    npm run station -- --rotate-pairing [--data <dir>]   (new screen pairing URLs; restart the station)
--serial may be repeated (several readers, one session); --protocol and --baud then pair with each by position.
--new-session <alias>: close the open session (its passings still upload) and open <alias>; a restart with the
same alias keeps the session it opened. Nobody is expected at a headless station: by default a cloud session closed
elsewhere continues in a new one (new-session) and a device unbound in the cloud binds again and uploads
everything again (rebind), each said as an event; 'ask' stops uploading until someone decides on a screen.
The key: RUFUS_API_KEY, or --api-key-file (a file only you can read); --api-key shows it in the process list. With --http-port and no key, the setup
wizard in the browser asks for one (kept in memory only).`

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 0) throw new Error(`${name} must be a whole number`)
  return number
}

function inRange(value: string | undefined, name: string, range: Range, fallback: number): number {
  const number = positiveInteger(value, name, fallback)
  if (number < range.min || number > range.max) {
    throw new Error(`${name} must be ${range.words} from ${range.min} to ${range.max}${range.unit}`)
  }
  return number
}

interface Range {
  readonly min: number
  readonly max: number
  /** What the number is ("a port number"), and its unit after the range (" baud"). */
  readonly words: string
  readonly unit: string
}

const PORT_RANGE: Range = { min: 0, max: 65_535, words: 'a port number', unit: '' }
const BAUD: Range = { ...BAUD_RANGE, words: 'a speed', unit: ' baud' }

function oneOf<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
  fallback: T
): T {
  if (value === undefined) return fallback
  if (!allowed.includes(value as T)) throw new Error(`${name} must be one of ${allowed.join(', ')}`)
  return value as T
}

function parse() {
  return parseArgs({
    options: {
      headless: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      'rotate-pairing': { type: 'boolean', default: false },
      data: { type: 'string' },
      'api-url': { type: 'string' },
      'api-key': { type: 'string' },
      'api-key-file': { type: 'string' },
      serial: { type: 'string', multiple: true, default: [] },
      baud: { type: 'string', multiple: true, default: [] },
      protocol: { type: 'string', multiple: true, default: [] },
      'line-field': { type: 'string', default: 'bib' },
      'device-serial': { type: 'string' },
      'device-model': { type: 'string' },
      'session-alias': { type: 'string' },
      'new-session': { type: 'string' },
      'batch-size': { type: 'string' },
      'on-closed-elsewhere': { type: 'string' },
      'on-unbound': { type: 'string' },
      'adopt-active-session': { type: 'boolean', default: false },
      'dedup-window': { type: 'string' },
      'upload-grace': { type: 'string' },
      'upload-grace-all': { type: 'boolean', default: false },
      'dedup-mode': { type: 'string' },
      'bib-policy': { type: 'string' },
      participants: { type: 'string' },
      'rrbox-open-delay': { type: 'string' },
      'http-port': { type: 'string' },
      'http-host': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    },
    strict: true
  }).values
}

type Values = ReturnType<typeof parse>

/**
 * Settings live on conf in the data folder, as in the desktop app (never the key): the API address is kept. Read
 * once capture runs (conf and its schema validator are the slowest thing to load); a new address is written only
 * while the station holds the folder, so a station refused on a busy folder leaves the running one's settings alone.
 */
async function openRememberedSettings(dataFolder: string) {
  // Loaded here, not at the top: a start that captures sooner (see docs/headless-service.md).
  const { openSettings } = await import('../core/settings/settings-store')
  try {
    return openSettings(dataFolder)
  } catch (error) {
    throw explainStartError(error, dataFolder)
  }
}

/** A screen host the system cannot look up is a mistyped command line: said before anything starts. */
async function checkHost(host: string | undefined): Promise<void> {
  if (host === undefined) return
  try {
    await lookup(host)
  } catch (error) {
    throw new Error(`--http-host ${host} is not a name or address this machine knows`, { cause: error })
  }
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false
  const handler = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`RUFUS Station: ${signal}, saving and stopping…\n`)
    void stop().then(() => process.exit(0))
  }
  process.on('SIGTERM', () => handler('SIGTERM'))
  process.on('SIGINT', () => handler('SIGINT'))
}

/** Every flag of the headless station, checked before anything is opened: a bad one exits 2 naming it. */
function headlessOptions(values: Values) {
  if (values.serial.length === 0) throw new Error('--serial <path> is required')
  if (values.serial.some(path => path.trim() === ''))
    throw new Error('--serial needs the path of a serial port')
  const twice = values.serial.find((path, i) => values.serial.indexOf(path) !== i)
  if (twice !== undefined) throw new Error(`--serial ${twice} is given twice`)
  const protocols: Protocol[] = values.serial.map((_, i) => {
    const name = values.protocol[i] ?? values.protocol[0] ?? 'line'
    if (!isProtocol(name)) throw new Error(`--protocol must be one of ${PROTOCOLS.join(', ')}`)
    return name
  })
  const apiUrl = values['api-url']
  if (apiUrl !== undefined && !API_URL.safeParse(apiUrl).success) {
    throw new Error(`--api-url must be a web address such as ${PRODUCTION_API_URL} (http or https)`)
  }
  const rrboxOpenDelay = values['rrbox-open-delay']
  return {
    apiUrl,
    protocols,
    lineField: oneOf(values['line-field'], '--line-field', ['bib', 'chip'] as const, 'bib'),
    httpPort:
      values['http-port'] === undefined ? null : inRange(values['http-port'], '--http-port', PORT_RANGE, 0),
    bauds: values.serial.map((_, i) =>
      inRange(
        values.baud[i] ?? values.baud[0],
        '--baud',
        BAUD,
        USUAL_BAUDS[protocols[i] ?? 'line'][0] ?? 9600
      )
    ),
    rrboxOpenDelayMs:
      rrboxOpenDelay === undefined ? undefined : positiveInteger(rrboxOpenDelay, '--rrbox-open-delay', 0),
    dedup: {
      windowMs: positiveInteger(values['dedup-window'], '--dedup-window', DEFAULT_DEDUP.windowMs),
      mode: oneOf(values['dedup-mode'], '--dedup-mode', ['first', 'strongest'] as const, 'first')
    },
    bibPolicy: oneOf(
      values['bib-policy'],
      '--bib-policy',
      ['chip', 'participants', 'epc-ascii'] as const,
      'chip'
    ),
    batchSize: positiveInteger(values['batch-size'], '--batch-size', 1000) || 1000,
    onClosedElsewhere: oneOf(
      values['on-closed-elsewhere'],
      '--on-closed-elsewhere',
      ['ask', 'new-session'] as const,
      'new-session'
    ),
    onUnbound: oneOf(values['on-unbound'], '--on-unbound', ['ask', 'rebind'] as const, 'rebind'),
    newSession: sessionAliasFlag(values['new-session'], '--new-session'),
    uploadGraceMs: Math.min(
      60_000,
      positiveInteger(values['upload-grace'], '--upload-grace', DEFAULT_UPLOAD_GRACE.graceMs)
    )
  }
}

/** A session alias given on the command line: as a screen takes it (trimmed, 1 to 60 characters). */
function sessionAliasFlag(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  const alias = value.trim()
  if (alias.length === 0 || alias.length > 60)
    throw new Error(`${name} needs a session name of 1 to 60 characters`)
  return alias
}

/**
 * Capture first: the journal, the session, the participants and the reader ports open before anything else is
 * loaded. The settings, the cloud (sync) and the screens follow once capture has begun (`captureBegun`: the first
 * passing, or half a second after the ports opened), so none of them delays the first passing of a station
 * restarted mid-race.
 */
async function runHeadless(values: Values): Promise<void> {
  const options = headlessOptions(values)
  const { httpPort, protocols } = options
  // With a browser UI the wizard may supply the key later; without one the key is required now.
  const apiKey =
    httpPort !== null && !values['api-key'] && !values['api-key-file'] && !process.env['RUFUS_API_KEY']
      ? ''
      : resolveApiKey(
          { apiKey: values['api-key'], apiKeyFile: values['api-key-file'] },
          process.env,
          process.platform,
          line => process.stderr.write(`${line}\n`)
        )
  const participants = values.participants
  const participantsFile =
    participants === undefined ? null : readNamedFile(participants, 'The participants file')
  if (httpPort !== null) await checkHost(values['http-host'])
  const hub = new EventHub()
  hub.add((event: StationEvent) =>
    process.stdout.write(values.json ? `${JSON.stringify(printedEvent(event))}\n` : `${formatEvent(event)}\n`)
  )
  const dataFolder = values.data ?? defaultFolder(hub)
  // Sync waits for the settings (the remembered address): the station opens on the address given, or the
  // production one, with its sync engine not started.
  const startUrl = options.apiUrl ?? PRODUCTION_API_URL
  const station = Station.open(
    {
      dataFolder,
      apiUrl: startUrl,
      apiKey,
      deviceSerial: values['device-serial'],
      deviceModel: values['device-model'],
      sessionAlias: values['session-alias'],
      newSession: options.newSession,
      lineField: options.lineField,
      dedup: options.dedup,
      bibPolicy: options.bibPolicy,
      batchSize: options.batchSize,
      onClosedElsewhere: options.onClosedElsewhere,
      onUnbound: options.onUnbound,
      adoptActiveSession: values['adopt-active-session'],
      uploadGrace: { graceMs: options.uploadGraceMs, allPassings: values['upload-grace-all'] },
      sync: false
    },
    hub.emit
  )
  // Nobody may be there to answer: say once what the station will do by itself.
  hub.emit({
    type: 'info',
    code: 'station.unattended',
    params: { onClosedElsewhere: options.onClosedElsewhere, onUnbound: options.onUnbound }
  })
  let screens: Awaited<ReturnType<typeof import('./screens').serveScreens>> | null = null
  // Signals are heard from the moment capture can begin; a stop during the rest of the start ends it there.
  let stopped = false
  onSignals(async () => {
    stopped = true
    screens?.service.stop()
    await screens?.server.close()
    await station.close()
  })
  // Before the first read: with --bib-policy participants, a read needs the list to get its bib.
  if (participants !== undefined && participantsFile !== null) {
    const result = station.importParticipants(participantsFile)
    hub.emit({
      type: 'info',
      code: 'participants.imported',
      params: { count: result.imported, file: participants }
    })
    for (const error of result.errors) hub.emit({ type: 'warning', ...error })
  }
  const begun = captureBegun(values.serial, listener => hub.add(listener))
  values.serial.forEach((path, i) => {
    const protocol = protocols[i] as Protocol
    station.addReader({
      id: path,
      path,
      protocol,
      baudRate: options.bauds[i] ?? 9600,
      driver: { rrboxOpenDelayMs: options.rrboxOpenDelayMs }
    })
  })
  process.stderr.write(
    `RUFUS Station (headless): data in ${station.dataFolder}, reading ${values.serial.map((p, i) => `${p} (${protocols[i]})`).join(', ')}\n`
  )
  await begun
  if (stopped) return

  let apiUrl: string
  try {
    const settings = await openRememberedSettings(dataFolder)
    apiUrl = options.apiUrl ?? settings.get('apiUrl')
    if (options.apiUrl !== undefined) settings.set('apiUrl', options.apiUrl)
  } catch (error) {
    // The refusal a start without capture-first gave (exit 3), with the journal closed cleanly first.
    await station.close()
    throw explainStartError(error, dataFolder)
  }
  if (stopped) return
  if (apiKey !== '') {
    if (apiUrl === startUrl) station.startSync()
    else await station.setCloud(apiUrl, apiKey)
  }
  if (httpPort !== null) {
    // Loaded only when asked for, so a plain headless station starts capturing sooner.
    const { serveScreens } = await import('./screens')
    // A port someone else holds, or a pairing file that cannot be read, is a setup problem (exit 3), not a bad
    // command line (exit 2, which a supervisor must not retry).
    const tokens = (() => {
      try {
        return loadPairingTokens(dataFolder, line => process.stderr.write(`${line}\n`))
      } catch (error) {
        throw explainStartError(error, dataFolder)
      }
    })()
    screens = await (async () => {
      try {
        return await serveScreens(
          hub,
          {
            station,
            apiUrl,
            keySet: apiKey !== '',
            keyStorage: apiKey !== '' ? 'command-line' : 'memory',
            saveKey: async () => 'memory'
          },
          {
            port: httpPort,
            host: values['http-host'],
            tokens
          },
          line => process.stderr.write(`${line}\n`)
        )
      } catch (error) {
        if ((error as { syscall?: unknown }).syscall === 'listen') {
          throw new StationStartError(
            {
              code: 'start.screen-port-taken',
              params: { host: values['http-host'] ?? '127.0.0.1', port: httpPort }
            },
            'other',
            { cause: error }
          )
        }
        throw error
      }
    })()
    // Pairing URLs go to the operator's own output only, never into an event that screens receive.
    const { urls } = screens.server
    process.stderr.write(
      `screens: station ${urls.station}\nscreens: entry ${urls.entry}\nscreens: viewer ${urls.viewer}\n`
    )
    if (!values.json) process.stdout.write(`open ${urls.station}\n`)
  }
}

async function main(): Promise<void> {
  const values = parse()
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (values['rotate-pairing']) {
    const dataFolder = values.data ?? defaultFolder(null)
    mkdirSync(dataFolder, { recursive: true })
    rotatePairingTokens(dataFolder)
    process.stdout.write(
      `New screen pairing URLs are in ${join(dataFolder, PAIRING_FILE)}: restart the station, then pair each screen again with the URLs it prints.\n`
    )
    return
  }
  if (values.demo) {
    const { startDemo } = await import('./demo')
    const demo = await startDemo({
      dataFolder: values.data,
      httpPort:
        values['http-port'] === undefined
          ? 4180
          : inRange(values['http-port'], '--http-port', PORT_RANGE, 4180),
      log: line => process.stderr.write(`${line}\n`)
    })
    process.stdout.write(`open ${demo.url}\n`)
    onSignals(() => demo.stop())
    return
  }
  if (!values.headless) throw new Error('Use --headless (or --demo); the desktop app is `npm start`.')
  await runHeadless(values)
}

/**
 * Without --data: the desktop app's data folder, after adopting a journal an earlier version left in its own
 * default folder. What happened is said as station events (on stderr when there is no event stream yet).
 */
function defaultFolder(hub: EventHub | null): string {
  const { dataFolder, notices } = adoptDefaultDataFolder()
  for (const notice of notices) {
    if (hub) hub.emit({ type: notice.level, ...notice.message })
    else process.stderr.write(`RUFUS Station: ${inEnglish(notice.message)}\n`)
  }
  return dataFolder
}

/**
 * The last line, not a net: every boundary catches its own errors, so this runs only on a bug. It says so and
 * exits with its own code, so a supervisor restarts the station (the journal is already on disk).
 */
export const UNEXPECTED_ERROR_EXIT_CODE = 70
function exitOnUnexpectedError(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
  process.stderr.write(
    `RUFUS Station stopped on an unexpected error (exit ${UNEXPECTED_ERROR_EXIT_CODE}): ${text}\n`
  )
  process.exit(UNEXPECTED_ERROR_EXIT_CODE)
}
process.on('uncaughtException', exitOnUnexpectedError)
process.on('unhandledRejection', exitOnUnexpectedError)

main().catch((error: unknown) => {
  const message =
    error instanceof StationStartError
      ? inEnglish(error.reason)
      : error instanceof Error
        ? error.message
        : String(error)
  process.stderr.write(`RUFUS Station cannot start: ${message}\n`)
  if (!(error instanceof StationStartError)) process.stderr.write(`${USAGE}\n`)
  // A distinct exit code lets a supervisor tell "fix the setup" from a crash, and not restart in a loop.
  process.exit(error instanceof StationStartError ? 3 : 2)
})
