// The layer rules of docs/architecture.md, as zones of import-x/no-restricted-paths. That rule resolves every
// import to a file first, so a relative path, an `export … from`, a type-only import and a literal `import()`
// are all caught, and a package counts by where it lives (node_modules/<name>). Node's built-in modules resolve
// to no file, so the zones that forbid them use NODE_BUILTINS below.
import { builtinModules } from 'node:module'

/** Names a broken rule the way docs/architecture.md states it. */
function ruleMessage(rule, why) {
  return `Layer rule "${rule}" (docs/architecture.md): ${why}`
}

export const LAYER_RULES = {
  coreOutward: 'core ↛ renderer, headless shell, Electron main',
  rendererCore: 'renderer ↛ core or Node',
  emulatorClient: 'emulator ↛ client or core (except core/db/sqlite)',
  simulatorStation: "simulator ↛ core's station",
  sharedIo: 'shared ↛ anything with I/O',
  electronPlaces: 'electron only in src/main/index.ts, src/main/ipc, src/main/shell, src/preload'
}

const SHELLS = ['./src/main', './src/preload', './src/headless', './src/emulator', './src/simulator']

/** Packages a screen may use: they run in a browser. A new one is added here on purpose. */
const BROWSER_PACKAGES = ['./react', './react-dom', './zustand', './qrcode.react', './@tanstack', './zod']

export const LAYER_ZONES = [
  {
    target: './src/core',
    from: ['./src/renderer', './src/headless', './src/main', './src/preload'],
    message: ruleMessage(LAYER_RULES.coreOutward, 'the core runs in plain Node and knows no shell.')
  },
  {
    target: './src/renderer',
    from: ['./src/core', ...SHELLS],
    message: ruleMessage(
      LAYER_RULES.rendererCore,
      'a screen reaches the station only through window.station.'
    )
  },
  {
    target: './src/renderer',
    from: './node_modules',
    except: BROWSER_PACKAGES,
    message: ruleMessage(
      LAYER_RULES.rendererCore,
      'only browser packages (eslint/layers.js) run in a screen.'
    )
  },
  {
    target: './src/emulator',
    from: './src/core',
    except: ['./db/sqlite.ts'],
    message: ruleMessage(
      LAYER_RULES.emulatorClient,
      'the emulator stands for RUFUS Cloud, apart from the client.'
    )
  },
  {
    target: './src/emulator',
    from: ['./src/headless', './src/main', './src/renderer'],
    message: ruleMessage(
      LAYER_RULES.emulatorClient,
      'the emulator stands for RUFUS Cloud, apart from the client.'
    )
  },
  {
    target: './src/simulator',
    from: './src/core/station',
    message: ruleMessage(LAYER_RULES.simulatorStation, 'a simulated reader only writes bytes to a port.')
  },
  {
    target: './src/shared',
    from: ['./src/core', './src/renderer', ...SHELLS],
    message: ruleMessage(LAYER_RULES.sharedIo, 'shared holds plain types and pure helpers.')
  },
  {
    target: './src/shared',
    from: './node_modules',
    except: ['./zod'],
    message: ruleMessage(LAYER_RULES.sharedIo, 'shared may use zod and nothing else from node_modules.')
  },
  {
    target: ['./src/!(main|preload)/**', './src/main/!(index).ts', './test/**', './bench/**', './scripts/**'],
    from: './node_modules/electron',
    message: ruleMessage(LAYER_RULES.electronPlaces, 'the rest runs without Electron.')
  }
]

const builtinNames = builtinModules.filter(name => !name.startsWith('_'))

/** Node's built-in modules, for the zones that run in a browser or must stay free of I/O. */
export function nodeBuiltinRules(rule) {
  const message = ruleMessage(rule, "Node's built-in modules are out of bounds here.")
  const pattern = `^(node:.*|${builtinNames.join('|')})(/.*)?$`
  return {
    'no-restricted-imports': ['error', { patterns: [{ regex: pattern, message }] }],
    restrictedSyntax: [
      { selector: `ImportExpression[source.value=/${pattern.replaceAll('/', '\\/')}/]`, message },
      { selector: `TSImportType[argument.literal.value=/${pattern.replaceAll('/', '\\/')}/]`, message }
    ]
  }
}
