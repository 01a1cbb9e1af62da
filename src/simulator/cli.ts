import { parseArgs } from 'node:util'
import { SerialLink } from './serial-link'
import { SIMULATED_READERS } from './readers'
import { seededRandom } from '../shared/random'
import { TrafficGenerator } from './traffic'

const USAGE = `usage: npm run --silent simulate -- --protocol <${Object.keys(SIMULATED_READERS).join('|')}> --serial <path> --rate <reads/s>
  [--runners <n>] [--noise <share>] [--count <reads>] [--seed <n>] [--baud <n>]`

function numberOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback
  const number = Number(value)
  if (!Number.isFinite(number) || number < min) throw new Error(`${name} must be a number ≥ ${min}`)
  return number
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      protocol: { type: 'string', default: 'line' },
      serial: { type: 'string' },
      rate: { type: 'string' },
      runners: { type: 'string' },
      noise: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      baud: { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const make = SIMULATED_READERS[values.protocol]
  if (!make) throw new Error(`unknown --protocol ${values.protocol}`)
  if (!values.serial) throw new Error('--serial <path> is required')
  const path = values.serial
  const reader = make()
  const rate = numberOption(values.rate, '--rate', 10, 0.001)
  const runners = Math.floor(numberOption(values.runners, '--runners', 1000, 1))
  const noise = numberOption(values.noise, '--noise', 0)
  const limit = values.count === undefined ? Infinity : Math.floor(numberOption(values.count, '--count', 0))
  const random = seededRandom(numberOption(values.seed, '--seed', Date.now() % 2 ** 31))
  const baudRate = numberOption(values.baud, '--baud', 115200, 1)

  const link = new SerialLink(path, reader, baudRate, connected =>
    process.stderr.write(`simulator: ${connected ? 'connected to' : 'lost'} ${path}\n`)
  )
  link.start()

  const traffic = new TrafficGenerator({
    rate,
    runners,
    readsPerCrossing: reader.readsPerCrossing,
    noise,
    random,
    limit
  })
  const started = performance.now() / 1000
  const startedMs = Date.now()
  const tick = () => {
    const due: Uint8Array[] = []
    for (const { read, garbage } of traffic.due(performance.now() / 1000 - started)) {
      if (garbage) due.push(reader.garbage(random))
      const bytes = reader.onRead(read, startedMs + read.atS * 1000)
      if (bytes) due.push(bytes)
    }
    // A push reader with no cable loses what it reads; a reader with memory keeps it.
    if (due.length > 0) link.send(Buffer.concat(due))
  }
  const timer = setInterval(tick, 5)
  const stop = () => {
    clearInterval(timer)
    void link.stop().then(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.stderr.write(`simulating ${values.protocol} at ${rate} reads/s on ${path}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`)
  process.exit(2)
})
