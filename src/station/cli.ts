import { parseArgs } from 'node:util'
import type { StationEvent } from '../shared/events'
import { defaultDataFolder } from '../core/platform/data-folder'
import { createLineDecoder } from '../core/reader/line-decoder'
import { PRODUCTION_API_URL } from '../core/rufus/client'
import { SerialPortSource } from '../core/serial/serial-port-source'
import { StationStartError } from '../core/station/start-errors'
import { Station } from '../core/station/station'
import { resolveApiKey } from './api-key'
import { formatEvent } from './format-event'

const USAGE = `usage: npm run --silent station -- --headless --data <dir> --api-url <url> --api-key <key> --serial <path>
  [--baud <n>] [--protocol line] [--line-field bib|chip] [--device-serial <sn>] [--device-model <m>]
  [--session-alias <alias>] [--json] [--batch-size <n>] [--api-key-file <path>]
  [--on-closed-elsewhere ask|new-session] [--on-unbound ask|rebind] [--adopt-active-session]
The key may also come from the RUFUS_API_KEY environment variable.`

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 1) throw new Error(`${name} must be a positive whole number`)
  return number
}

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      headless: { type: 'boolean', default: false },
      data: { type: 'string' },
      'api-url': { type: 'string', default: PRODUCTION_API_URL },
      'api-key': { type: 'string' },
      'api-key-file': { type: 'string' },
      serial: { type: 'string' },
      baud: { type: 'string' },
      protocol: { type: 'string', default: 'line' },
      'line-field': { type: 'string', default: 'bib' },
      'device-serial': { type: 'string' },
      'device-model': { type: 'string' },
      'session-alias': { type: 'string' },
      'batch-size': { type: 'string' },
      'on-closed-elsewhere': { type: 'string' },
      'on-unbound': { type: 'string' },
      'adopt-active-session': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (!values.headless) {
    throw new Error('Only --headless is available from the command line; the desktop app is `npm start`.')
  }
  if (!values.serial) throw new Error('--serial <path> is required')
  const protocol = oneOf(values.protocol, '--protocol', ['line'] as const, 'line')
  const lineField = oneOf(values['line-field'], '--line-field', ['bib', 'chip'] as const, 'bib')
  const json = values.json
  const print = (event: StationEvent) => {
    process.stdout.write(json ? `${JSON.stringify(event)}\n` : `${formatEvent(event)}\n`)
  }

  const station = Station.open(
    {
      dataFolder: values.data ?? defaultDataFolder(),
      apiUrl: values['api-url'],
      apiKey: resolveApiKey({ apiKey: values['api-key'], apiKeyFile: values['api-key-file'] }),
      deviceSerial: values['device-serial'],
      deviceModel: values['device-model'],
      sessionAlias: values['session-alias'],
      lineField,
      decoderFor: () => createLineDecoder({ field: lineField }),
      batchSize: positiveInteger(values['batch-size'], '--batch-size', 1000),
      onClosedElsewhere: oneOf(
        values['on-closed-elsewhere'],
        '--on-closed-elsewhere',
        ['ask', 'new-session'] as const,
        'ask'
      ),
      onUnbound: oneOf(values['on-unbound'], '--on-unbound', ['ask', 'rebind'] as const, 'ask'),
      adoptActiveSession: values['adopt-active-session']
    },
    print
  )
  const port = values.serial
  const source = new SerialPortSource({
    path: port,
    baudRate: positiveInteger(values.baud, '--baud', 9600),
    nowUs: () => station.clock.nowUs(),
    onOpen: () => station.nextConnection(port),
    onData: (bytes, receivedAtUs) => station.ingest(port, bytes, receivedAtUs),
    onState: (state, message) => print({ type: 'reader', port, state, message })
  })
  source.start()
  process.stderr.write(
    `RUFUS Station (headless): data in ${station.dataFolder}, reading ${port} (${protocol})\n`
  )

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`RUFUS Station: ${signal}, saving and stopping…\n`)
    void (async () => {
      await source.stop()
      await station.close()
      process.exit(0)
    })()
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  const message = error instanceof StationStartError || error instanceof Error ? error.message : String(error)
  process.stderr.write(`RUFUS Station cannot start: ${message}\n`)
  if (!(error instanceof StationStartError)) process.stderr.write(`${USAGE}\n`)
  // A distinct exit code lets a supervisor tell "fix the setup" from a crash, and not restart in a loop.
  process.exit(error instanceof StationStartError ? 3 : 2)
})
