// Runs one of the project's TypeScript commands from a bundle made by esbuild, rebuilt only when a source file
// is newer than it. Starting from one bundled file is what lets the headless station capture within a second of
// launch; there is still no separate build step after `npm ci`.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const [entry, ...args] = process.argv.slice(2)
if (!entry) {
  process.stderr.write('usage: node scripts/run.mjs <entry.ts> [args…]\n')
  process.exit(2)
}

function newestSource(folder) {
  let newest = 0
  for (const item of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, item.name)
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path))
    else if (/\.(ts|tsx)$/.test(item.name)) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/** Loaded by every start and plain JavaScript: bundled, so a start reads one file instead of a hundred. */
const BUNDLED_PACKAGES = new Set(['zod', 'csv-parse', 'csv-stringify'])

/** An esbuild plugin: every bare import is external, except the packages named. */
function externalExcept(bundled) {
  return {
    name: 'external-except',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, args => {
        const name = args.path.startsWith('@')
          ? args.path.split('/').slice(0, 2).join('/')
          : args.path.split('/')[0]
        return bundled.has(name) ? undefined : { path: args.path, external: true }
      })
    }
  }
}

// One folder per command: the entry as main.mjs, and each part loaded with import() as a chunk of its own.
const outdir = join(
  root,
  'node_modules',
  '.cache',
  'rufus-station',
  entry.replace(/[\\/]/g, '_').replace(/\.ts$/, '')
)
const out = join(outdir, 'main.mjs')
const stale =
  !existsSync(out) ||
  statSync(out).mtimeMs <
    Math.max(
      newestSource(join(root, 'src')),
      newestSource(join(root, 'bench')),
      // This script too: a change to how bundles are made remakes them.
      statSync(fileURLToPath(import.meta.url)).mtimeMs
    )
if (stale) {
  // Loaded only to rebuild: a start with a fresh bundle (every restart after a crash) skips it.
  const { build } = await import('esbuild')
  mkdirSync(outdir, { recursive: true })
  await build({
    entryPoints: { main: join(root, entry) },
    outdir,
    outExtension: { '.js': '.mjs' },
    // Splitting keeps a lazy import() lazy: in one file, the packages of every part (the screen server's
    // Fastify, say) would be imported at start even by a plain headless station, slowing every restart.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages stay outside the bundle (native addons, and files they find beside themselves), except the few
    // pure-JS ones every start loads: zod alone is ~95 module files, each resolved, read and compiled at start.
    plugins: [externalExcept(BUNDLED_PACKAGES)],
    sourcemap: 'linked',
    logLevel: 'error'
  })
}
process.argv = [process.argv[0], join(root, entry), ...args]
await import(pathToFileURL(out).href)
