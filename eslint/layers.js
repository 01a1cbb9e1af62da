// The layer rules of docs/architecture.md, as zones of import-x/no-restricted-paths. That rule resolves every
// import to a file first, so a relative path, an `export … from`, a type-only import and a literal `import()`
// are all caught, and a package counts by where it lives (node_modules/<name>). Node's built-in modules resolve
// to no file, so the zones that forbid them use NODE_BUILTINS below.
import { builtinModules } from 'node:module'
import importX from 'eslint-plugin-import-x'

/** Names a broken rule the way docs/architecture.md states it. */
function ruleMessage(rule, why) {
  return `Layer rule "${rule}" (docs/architecture.md): ${why}`
}

export const LAYER_RULES = {
  coreOutward: 'core ↛ renderer, headless shell, Electron main',
  rendererCore: 'renderer ↛ core or Node',
  emulatorClient: 'emulator ↛ client or core (except the SQLite helpers in core/db)',
  simulatorStation: "simulator ↛ core's station",
  sharedIo: 'shared ↛ anything with I/O',
  electronPlaces: 'electron only in src/main/index.ts, src/main/ipc, src/main/shell, src/preload'
}

const SHELLS = ['./src/main', './src/preload', './src/headless', './src/emulator', './src/simulator']

/** Packages a screen may use: they run in a browser. A new one is added here on purpose. */
const BROWSER_PACKAGES = ['./react', './react-dom', './zustand', './qrcode.react', './@tanstack', './zod']

export const LAYER_ZONES = [
  {
    // The emulator and the simulator are shells too: through them (a re-export) the core would reach the others.
    target: './src/core',
    from: ['./src/renderer', ...SHELLS],
    message: ruleMessage(LAYER_RULES.coreOutward, 'the core runs in plain Node and knows no shell.')
  },
  {
    // Everything but the screens' own files, shared and packages (checked below): the core, every shell, and
    // the scripts and tests, which do I/O.
    target: './src/renderer',
    from: './',
    except: ['./src/renderer', './src/shared', './node_modules'],
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
    except: ['./db/sqlite.ts', './db/migrations.ts'],
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
    from: './',
    except: ['./src/shared', './node_modules'],
    message: ruleMessage(LAYER_RULES.sharedIo, 'shared holds plain types and pure helpers.')
  },
  {
    target: './src/shared',
    from: './node_modules',
    except: ['./zod'],
    message: ruleMessage(LAYER_RULES.sharedIo, 'shared may use zod and nothing else from node_modules.')
  },
  {
    // In src/main, every file but index.ts and every folder but ipc and shell, including folders added later.
    target: [
      './src/!(main|preload)/**',
      './src/main/!(index.ts|ipc|shell)',
      './src/main/!(ipc|shell)/**',
      './test/**',
      './bench/**',
      './scripts/**'
    ],
    from: './node_modules/electron',
    message: ruleMessage(LAYER_RULES.electronPlaces, 'the rest runs without Electron.')
  }
]

const builtinNames = builtinModules.filter(name => !name.startsWith('_'))

/** Node's built-in modules, for the zones that run in a browser or must stay free of I/O. */
export function nodeBuiltinRules(rule) {
  const message = ruleMessage(rule, "Node's built-in modules are out of bounds here.")
  const pattern = `^(node:.*|${builtinNames.join('|')})(/.*)?$`
  const inSelector = `/${pattern.replaceAll('/', '\\/')}/`
  return {
    'no-restricted-imports': ['error', { patterns: [{ regex: pattern, message }] }],
    restrictedSyntax: [
      { selector: `ImportExpression[source.value=${inSelector}]`, message },
      { selector: `TSImportType[argument.literal.value=${inSelector}]`, message },
      {
        selector: `CallExpression[callee.name='require'][arguments.0.value=${inSelector}]`,
        message
      },
      {
        selector: `ImportExpression > TemplateLiteral.source[expressions.length=0] > TemplateElement[value.cooked=${inSelector}]`,
        message
      }
    ]
  }
}

/**
 * An import-x rule that sees every import: its visitor skips `import('…')` types, reads a template string in
 * `import()` as nothing, and (no-unresolved) lets type-only imports pass. Here each reaches the rule as the plain
 * import it stands for.
 */
function everyImport(rule, meta) {
  return {
    meta: { ...rule.meta, ...meta },
    create(context) {
      const visitors = rule.create(context)
      const asValue = node => ({ ...node, importKind: 'value', exportKind: 'value' })
      return {
        ...visitors,
        ImportDeclaration: node => visitors.ImportDeclaration(asValue(node)),
        ExportNamedDeclaration: node => visitors.ExportNamedDeclaration(asValue(node)),
        ExportAllDeclaration: node => visitors.ExportAllDeclaration(asValue(node)),
        // A template string without a computed part names one module (then refused by `literal-import` in src).
        ImportExpression(node) {
          const { source } = node
          if (source.type !== 'TemplateLiteral' || source.expressions.length > 0) {
            return visitors.ImportExpression(node)
          }
          const value = source.quasis[0]?.value.cooked ?? ''
          return visitors.ImportExpression({ ...node, source: { ...source, type: 'Literal', value } })
        },
        TSImportType: node =>
          visitors.ImportDeclaration({
            type: 'ImportDeclaration',
            source: node.source ?? node.argument.literal
          })
      }
    }
  }
}

/** The zones of LAYER_ZONES over every import. */
const importsRule = everyImport(importX.rules['no-restricted-paths'], {
  docs: { description: 'The layer rules of docs/architecture.md.' }
})

/** An import that resolves to no file (a path alias, a typo) escapes every zone: refused. */
const resolvedRule = everyImport(importX.rules['no-unresolved'], {
  docs: { description: 'Every import resolves, so the layer rules can check it.' },
  messages: {
    ...importX.rules['no-unresolved'].meta.messages,
    unresolved:
      "Layer rules (docs/architecture.md): '{{module}}' resolves to no file, so the rules cannot check where it leads."
  }
})

/** Refuses an `import()` whose module is not a plain string: no rule can tell where it leads. */
const literalImportRule = {
  meta: {
    type: 'problem',
    docs: { description: 'import() names its module in a plain string, so the layer rules can check it.' },
    schema: [],
    messages: {
      computed:
        'Layer rules (docs/architecture.md): import() must name its module in a plain string, so the rules can check where it leads.'
    }
  },
  create(context) {
    return {
      ImportExpression(node) {
        if (node.source.type !== 'Literal') context.report({ node: node.source, messageId: 'computed' })
      }
    }
  }
}

/** The project's own lint rules, as a plugin for eslint.config.js. */
export const layersPlugin = {
  rules: { imports: importsRule, resolved: resolvedRule, 'literal-import': literalImportRule }
}
