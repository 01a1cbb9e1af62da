import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The project's folder, found by walking up from the running script to this package's package.json. Commands
 * run from a bundle elsewhere, so a module's own location cannot be used for this.
 */
export function projectRoot(start: string = process.argv[1] ?? process.cwd()): string {
  let folder = dirname(start)
  for (;;) {
    const manifest = join(folder, 'package.json')
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'rufus-station'
    )
      return folder
    const parent = dirname(folder)
    if (parent === folder) return process.cwd()
    folder = parent
  }
}
