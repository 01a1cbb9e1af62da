import { parseArgs } from 'node:util'
import { startEmulator } from './server'
import { parseKeySpec } from './key-spec'
import { quirksHelp, rulesOf } from './quirks'

const USAGE = `usage: npm run --silent emulator -- --port <n|0> [--host 127.0.0.1] [--data <dir>]
  --key <apikey>:<READ|WRITE|READ_WRITE>[:unbind][@<company>] [--key …]
  [--legacy] [--envelope] [--quirk <name>[,<name>…] …] [--admin] [--max-body <bytes>] [--seed <n>]
  [--fault-500 <share>] [--fault-429 <share>] [--retry-after <s>] [--fault-drop <share>] [--latency <ms>]`

const HELP = `${USAGE}

Quirks: other readings of the docs' open questions (docs/cloud-emulator.md), combinable with --legacy,
--envelope and the fault options; two that decide the same thing differently are refused.
${quirksHelp()}`

function share(value: string | undefined, name: string): number {
  if (value === undefined) return 0
  const number = Number(value)
  if (!(number >= 0 && number <= 1)) throw new Error(`${name} must be a share between 0 and 1`)
  return number
}

function nonNegative(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a number ≥ 0`)
  return number
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      key: { type: 'string', multiple: true, default: [] },
      legacy: { type: 'boolean', default: false },
      envelope: { type: 'boolean', default: false },
      quirk: { type: 'string', multiple: true, default: [] },
      admin: { type: 'boolean', default: false },
      'max-body': { type: 'string' },
      seed: { type: 'string' },
      'fault-500': { type: 'string' },
      'fault-429': { type: 'string' },
      'retry-after': { type: 'string' },
      'fault-drop': { type: 'string' },
      latency: { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  // Checked before the port, so a refused combination is the one sentence reported.
  rulesOf(values.quirk, values.legacy)
  if (values.port === undefined || !/^\d+$/.test(values.port)) throw new Error('--port <n|0> is required')
  const emulator = await startEmulator({
    port: Number(values.port),
    host: values.host,
    dataDir: values.data,
    keys: values.key.map(parseKeySpec),
    legacy: values.legacy,
    envelope: values.envelope,
    quirks: values.quirk,
    admin: values.admin,
    maxBodyBytes: nonNegative(values['max-body'], '--max-body', 1024 * 1024),
    seed: nonNegative(values.seed, '--seed', 1),
    faults: {
      serverErrorShare: share(values['fault-500'], '--fault-500'),
      rateLimitShare: share(values['fault-429'], '--fault-429'),
      retryAfterSeconds: nonNegative(values['retry-after'], '--retry-after', 1),
      dropAfterApplyShare: share(values['fault-drop'], '--fault-drop'),
      latencyMs: nonNegative(values.latency, '--latency', 0)
    },
    log: line => process.stderr.write(`${line}\n`)
  })
  process.stdout.write(`listening on ${emulator.rootUrl}\n`)
  process.stderr.write(
    `RUFUS Cloud emulator: API at ${emulator.apiUrl}${values.legacy ? ' (legacy mode)' : ''}` +
      `${values.quirk.length > 0 ? ` (quirks: ${values.quirk.join(',')})` : ''}\n`
  )
  const stop = () => {
    void emulator.close().then(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`)
  process.exit(2)
})
