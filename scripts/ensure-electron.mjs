// `npm install` skips Electron's binary download (package.json allowScripts), because build machines cannot
// reach it. On a timer's laptop, `npm start` fetches it the first time, with Electron's own installer.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const electronDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'electron')
if (!existsSync(join(electronDir, 'path.txt'))) {
  process.stderr.write('Downloading the Electron binary (first start only)…\n')
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' }
  })
  if (result.status !== 0 || !existsSync(join(electronDir, 'path.txt'))) {
    process.stderr.write(
      'Could not download Electron (no internet here?). The headless station and the demo need no Electron: npm run station -- --demo\n'
    )
    process.exit(1)
  }
}
