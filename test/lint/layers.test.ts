import { describe, expect, it } from 'vitest'
import { plantingLinter, ROOT } from '../helpers/lint-plant'

// Plants an import that breaks one layer rule of docs/architecture.md into a file of the zone it guards, lints
// it with the project's own config through ESLint's API, and expects the message that names the rule. The
// planted files are not on disk, so the type-aware parser is told to type them on their own.
const PLANT = 'lint-plant'

const eslint = plantingLinter([`src/*/${PLANT}.*`, `src/*/*/${PLANT}.*`, `src/*/*/*/${PLANT}.*`], 32)

/** `folder` may end in a file name's extension (`src/shared:tsx`) to plant a file of another kind than `.ts`. */
async function messagesOf(folder: string, code: string): Promise<string[]> {
  const [path, extension = 'ts'] = folder.split(':')
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${path}/${PLANT}.${extension}` })
  return (result?.messages ?? []).map(m => `${m.ruleId ?? 'parser'}: ${m.message}`)
}

const CORE = 'Layer rule "core ↛ renderer, headless shell, Electron main"'
const RENDERER = 'Layer rule "renderer ↛ core or Node"'
const EMULATOR = 'Layer rule "emulator ↛ client or core (except the SQLite helpers in core/db)"'
const SIMULATOR = `Layer rule "simulator ↛ core's station"`
const SHARED = 'Layer rule "shared ↛ anything with I/O"'
/** An import() whose module no rule can read: whichever rule it would break, it is refused as such. */
const COMPUTED = 'Layer rules (docs/architecture.md): import() must name its module in a plain string'
const ELECTRON = 'Layer rule "electron only in src/main/index.ts, src/main/ipc, src/main/shell, src/preload"'

const BROKEN: readonly (readonly [rule: string, folder: string, code: string])[] = [
  [CORE, 'src/core/app', "import { App } from '../../renderer/src/App'\nexport const a = App\n"],
  [
    CORE,
    'src/core/sync',
    "export async function f(): Promise<unknown> {\n  return import('../../headless/cli')\n}\n"
  ],
  [CORE, 'src/core', "export { registerIpc } from '../main/ipc/register'\n"],
  [
    CORE,
    'src/core/journal',
    "import type { createWindowOptions } from '../../main/shell/window-options'\nexport type W = typeof createWindowOptions\n"
  ],
  [
    RENDERER,
    'src/renderer/src',
    "import type { Station } from '../../core/station/station'\nexport type S = Station\n"
  ],
  [
    RENDERER,
    'src/renderer/src/screens',
    "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n"
  ],
  [RENDERER, 'src/renderer/src', "export async function f(): Promise<unknown> {\n  return import('fs')\n}\n"],
  [RENDERER, 'src/renderer/src', "import Database from 'libsql'\nexport const d = Database\n"],
  [
    RENDERER,
    'src/renderer/src',
    "import { startEmulator } from '../../emulator/server'\nexport const s = startEmulator\n"
  ],
  [
    EMULATOR,
    'src/emulator',
    "import { RufusClient } from '../core/rufus/client'\nexport const c = RufusClient\n"
  ],
  [
    EMULATOR,
    'src/emulator',
    "import type { Journal } from '../core/journal/journal'\nexport type J = Journal\n"
  ],
  [
    SIMULATOR,
    'src/simulator',
    "export async function f(): Promise<unknown> {\n  return import('../core/station/station')\n}\n"
  ],
  [SHARED, 'src/shared', "import { Journal } from '../core/journal/journal'\nexport const j = Journal\n"],
  [SHARED, 'src/shared', "import { createServer } from 'node:http'\nexport const s = createServer\n"],
  [SHARED, 'src/shared', "export type Stats = import('node:fs').Stats\n"],
  [SHARED, 'src/shared', "import Fastify from 'fastify'\nexport const f = Fastify\n"],
  [ELECTRON, 'src/core/app', "import { app } from 'electron'\nexport const a = app\n"],
  [
    ELECTRON,
    'src/headless',
    "import type { BrowserWindow } from 'electron'\nexport type W = BrowserWindow\n"
  ],
  [ELECTRON, 'src/main', "export async function f(): Promise<unknown> {\n  return import('electron')\n}\n"],
  [ELECTRON, 'test/app', "import { ipcMain } from 'electron'\nexport const i = ipcMain\n"],
  // Ways around the rules that a TypeScript project accepts and the bundlers follow: each must be refused too.
  // A `.js` suffix on a relative path (what TypeScript's own docs write for ES modules) names the `.ts` file.
  [
    CORE,
    'src/core/app',
    "import { registerIpc } from '../../main/ipc/register.js'\nexport const r = registerIpc\n"
  ],
  [
    RENDERER,
    'src/renderer/src',
    "import type { Station } from '../../core/station/station.js'\nexport type S = Station\n"
  ],
  [EMULATOR, 'src/emulator', "export { RufusClient } from '../core/rufus/client.js'\n"],
  // An `import('…')` type is a type-only import too.
  [SHARED, 'src/shared', "export type J = import('../core/journal/journal').Journal\n"],
  [
    RENDERER,
    'src/renderer/src/screens:tsx',
    "export type S = typeof import('../../../core/station/station')\n"
  ],
  // An import() the rules cannot read: a template string, with or without a part computed at run time.
  [RENDERER, 'src/renderer/src', 'export const f = (): Promise<unknown> => import(`node:fs`)\n'],
  [
    COMPUTED,
    'src/core/app',
    'export const f = (name: string): Promise<unknown> => import(`../../headless/${name}`)\n'
  ],
  [
    COMPUTED,
    'src/renderer/src',
    "const at = '../../core/station/station'\nexport const f = (): Promise<unknown> => import(at)\n"
  ],
  // A module the rules do not look at: a new folder of the Electron main process, other kinds of source file.
  [
    ELECTRON,
    'src/main/windows',
    "import { BrowserWindow } from 'electron'\nexport const w = BrowserWindow\n"
  ],
  [CORE, 'src/core:mts', "export { registerIpc } from '../main/ipc/register'\n"],
  [SHARED, 'src/shared:tsx', "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n"],
  [
    RENDERER,
    'src/renderer/src:mts',
    "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n"
  ],
  [RENDERER, 'src/renderer/src', "const fs = require('node:fs')\nexport const r = fs\n"],
  // A chain through a layer with fewer rules: the core re-exports a shell through the simulator, which may
  // import the headless shell; shared and the screens read a script or a test helper, which do I/O.
  [CORE, 'src/core/app', "export { runHeadless } from '../../simulator/cli'\n"],
  [SHARED, 'src/shared', "export { ROOT } from '../../test/helpers/process'\n"],
  [
    RENDERER,
    'src/renderer/src',
    "import { ROOT } from '../../../test/helpers/process'\nexport const r = ROOT\n"
  ]
]

const ALLOWED: readonly (readonly [why: string, folder: string, code: string])[] = [
  [
    'the emulator uses the SQLite helper',
    'src/emulator',
    "import { openDatabase } from '../core/db/sqlite'\nexport const o = openDatabase\n"
  ],
  [
    'the IPC layer uses electron',
    'src/main/ipc',
    "import { ipcMain } from 'electron'\nexport const i = ipcMain\n"
  ],
  [
    'a screen uses shared and react',
    'src/renderer/src',
    "import { useState } from 'react'\nimport type { CommandName } from '../../shared/contract'\nexport const u = useState\nexport type C = CommandName\n"
  ],
  [
    'a screen in a .tsx file uses shared types',
    'src/renderer/src/screens:tsx',
    "import type { PassingView } from '../../../shared/contract'\nexport type P = PassingView\n"
  ],
  [
    'the headless shell loads its screen server lazily',
    'src/headless',
    "export async function f(): Promise<unknown> {\n  return import('./screens')\n}\n"
  ],
  [
    'the simulator uses the decoders',
    'src/simulator',
    "import { timyChecksum } from '../core/reader/protocols/timy'\nexport const e = timyChecksum\n"
  ]
]

describe('lint enforces the layer rules of docs/architecture.md', () => {
  it.each(BROKEN)('%s: a planted import in %s is refused', async (rule, folder, code) => {
    expect((await messagesOf(folder, code)).join('\n')).toContain(rule)
  })

  it.each(ALLOWED)('%s (%s): no message', async (_why, folder, code) => {
    expect(await messagesOf(folder, code)).toEqual([])
  })

  it('an import lint cannot resolve (a path alias) is refused: no layer rule could check it', async () => {
    const code = "import type { Station } from '@core/station/station'\nexport type S = Station\n"
    expect((await messagesOf('src/renderer/src', code)).join('\n')).toContain(
      "layers/resolved: Layer rules (docs/architecture.md): '@core/station/station' resolves to no file"
    )
  })

  it('a promise the core neither awaits nor handles is refused', async () => {
    const code = 'async function save(): Promise<void> {}\nexport function onPassing(): void {\n  save()\n}\n'
    expect((await messagesOf('src/core/capture', code)).join('\n')).toContain(
      '@typescript-eslint/no-floating-promises'
    )
  })

  it('a switch that misses a member of a union is refused', async () => {
    const code =
      "export function label(state: 'idle' | 'syncing' | 'blocked'): string {\n  switch (state) {\n    case 'idle':\n      return 'idle'\n    case 'syncing':\n      return 'syncing'\n  }\n  return ''\n}\n"
    expect((await messagesOf('src/core/sync', code)).join('\n')).toContain(
      '@typescript-eslint/switch-exhaustiveness-check'
    )
  })
}, 240_000)
