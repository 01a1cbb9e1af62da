import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../core/platform/project-root'

export const ROOT = projectRoot()
export const RENDERER_DIR = join(ROOT, 'out', 'renderer')

/** The browser UI is the renderer build; build it once if it is missing (right after `npm install`). */
export function ensureRendererBuilt(log: (line: string) => void): string {
  if (existsSync(join(RENDERER_DIR, 'index.html'))) return RENDERER_DIR
  log('building the user interface (first run)…')
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit']
    }
  )
  if (result.status !== 0 || !existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error('Could not build the user interface (electron-vite build failed).')
  }
  return RENDERER_DIR
}
