import { cloudBench } from './cloud'
import { launchBench } from './launch'
import { readersBench } from './readers'
import { uiBench } from './ui'
import { stationBench } from './station'
import { writeSection, type BenchSection } from './report'

const BENCHES: Record<string, () => Promise<BenchSection>> = {
  cloud: cloudBench,
  station: stationBench,
  launch: launchBench,
  readers: readersBench,
  ui: uiBench
}

/** `npm run bench [-- name …]`: runs the named benchmarks (all by default) and updates docs/benchmarks.md. */
async function main(): Promise<void> {
  const names = process.argv.slice(2).filter(arg => arg !== '--')
  const selected = names.length > 0 ? names : Object.keys(BENCHES)
  for (const name of selected) {
    const bench = BENCHES[name]
    if (!bench) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`)
    process.stderr.write(`bench: ${name} …\n`)
    const section = await bench()
    writeSection(section)
    process.stdout.write(`${section.body}\n\n`)
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
  )
  process.exit(1)
})
