import { cloudBench } from './cloud'
import { launchBench } from './launch'
import { readersBench } from './readers'
import { uiBench } from './ui'
import { stationBench } from './station'
import { soakBench } from './soak'
import { writeSection, type BenchSection } from './report'

const BENCHES: Record<string, (options: readonly string[]) => Promise<BenchSection>> = {
  cloud: cloudBench,
  station: stationBench,
  launch: launchBench,
  readers: readersBench,
  ui: uiBench,
  soak: soakBench
}

/** Benchmarks that `npm run bench` with no names leaves out: the soak takes eleven minutes. */
const ONLY_BY_NAME = new Set(['soak'])

/**
 * `npm run bench [-- name … [--option …]]`: runs the named benchmarks (all but the soak by default) and updates
 * docs/benchmarks.md. Options after the names go to each named benchmark.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2).filter(arg => arg !== '--')
  const firstOption = args.findIndex(arg => arg.startsWith('--'))
  const names = firstOption < 0 ? args : args.slice(0, firstOption)
  const options = firstOption < 0 ? [] : args.slice(firstOption)
  const selected = names.length > 0 ? names : Object.keys(BENCHES).filter(name => !ONLY_BY_NAME.has(name))
  for (const name of selected) {
    const bench = BENCHES[name]
    if (!bench) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`)
    process.stderr.write(`bench: ${name} …\n`)
    const section = await bench(options)
    if (section.record !== false) writeSection(section)
    process.stdout.write(`${section.body}\n\n`)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
  )
  process.exit(1)
})
