import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import importX from 'eslint-plugin-import-x'
import { LAYER_RULES, LAYER_ZONES, layersPlugin, nodeBuiltinRules } from './eslint/layers.js'

const NO_DEFAULT_EXPORT = { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }

/** Lines of code a file may have before it needs an exemption; blank lines and comments do not count. */
export const MAX_LINES = { max: 400, skipBlankLines: true, skipComments: true }

/** Every kind of source file a bundler or TypeScript takes: a rule scoped to `.ts` alone misses the rest. */
const SOURCES = '{ts,tsx,mts,cts,js,jsx,mjs,cjs}'

/** The layers that must not touch Node's built-in modules: screens run in a browser, shared stays pure. */
function noNodeBuiltins(files, rule) {
  const { restrictedSyntax, ...rules } = nodeBuiltinRules(rule)
  return {
    files,
    rules: { ...rules, 'no-restricted-syntax': ['error', NO_DEFAULT_EXPORT, ...restrictedSyntax] }
  }
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      eqeqeq: ['error', 'smart'],
      'no-restricted-syntax': ['error', NO_DEFAULT_EXPORT],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    // The layer rules of docs/architecture.md: every import is resolved to a file and checked against the zones.
    files: [`**/*.${SOURCES}`],
    plugins: { 'import-x': importX, layers: layersPlugin },
    settings: {
      'import-x/resolver-next': [
        importX.createNodeResolver({
          extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'],
          // As TypeScript and esbuild resolve them: `./x.js` names `./x.ts` when that is what exists.
          extensionAlias: {
            '.js': ['.ts', '.tsx', '.js', '.jsx'],
            '.jsx': ['.tsx', '.jsx'],
            '.mjs': ['.mts', '.mjs'],
            '.cjs': ['.cts', '.cjs']
          }
        })
      ]
    },
    rules: {
      'layers/imports': ['error', { basePath: import.meta.dirname, zones: LAYER_ZONES }]
    }
  },
  {
    // An import no rule could check is refused: a computed import(), or a path lint cannot resolve (an alias).
    files: [`src/**/*.${SOURCES}`],
    rules: { 'layers/literal-import': 'error', 'layers/resolved': 'error' }
  },
  {
    // One job per module (docs/architecture.md, "Size"): past 400 lines of code a file carries, at its top, an
    // exemption that lists its jobs, e.g. `/* eslint max-lines: ["error", { "max": 520, "skipBlankLines": true,
    // "skipComments": true }] -- jobs: … */`, so that growing past it is a decision someone wrote down.
    files: [`**/*.${SOURCES}`],
    rules: { 'max-lines': ['error', MAX_LINES] }
  },
  noNodeBuiltins([`src/renderer/**/*.${SOURCES}`], LAYER_RULES.rendererCore),
  noNodeBuiltins([`src/shared/**/*.${SOURCES}`], LAYER_RULES.sharedIo),
  {
    // Type-aware rules where they catch real bugs: a promise nobody awaits loses its error; a switch over a
    // union that misses a member silently does nothing for it.
    files: ['src/**/*.{ts,tsx,mts,cts}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }
      ]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'test/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules }
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'No focused tests.' },
        { object: 'it', property: 'skip', message: 'No skipped tests.' },
        { object: 'describe', property: 'only', message: 'No focused tests.' },
        { object: 'describe', property: 'skip', message: 'No skipped tests.' },
        { object: 'test', property: 'only', message: 'No focused tests.' },
        { object: 'test', property: 'skip', message: 'No skipped tests.' }
      ]
    }
  },
  {
    // Config files whose tools read a default export.
    files: [
      'electron.vite.config.ts',
      'electron-builder.ts',
      'vitest.config.ts',
      'eslint.config.js',
      'eslint/**'
    ],
    rules: { 'no-restricted-syntax': 'off' }
  }
)
