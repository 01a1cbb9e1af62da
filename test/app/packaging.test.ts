import { extractFile, listPackage, statFile } from '@electron/asar'
import { getCurrentFuseWire } from '@electron/fuses'
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js'
import { DebugLogger } from 'builder-util'
import { build, Platform, Arch, type Configuration } from 'electron-builder'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import config from '../../electron-builder.ts'
import { APP_FOLDER_NAME } from '../../src/core/platform/data-folder'
import { ROOT } from '../helpers/process'

// What `npm run dist` would ship, checked here without Electron: electron-builder packs the real configuration for
// Linux (target "dir", no installer) around a stand-in Electron binary that carries only the fuse wire.

// electron-builder's own YAML reader (js-yaml ships no types).
const loadYaml = (createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown }).load

/** @electron/fuses finds the fuse wire after this marker: version 1, then one byte per fuse. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const FUSE_COUNT = 8
const ENABLED = 49
const DISABLED = 48

function standInElectron(folder: string): string {
  const dist = join(folder, 'electron-dist')
  mkdirSync(dist, { recursive: true })
  const wire = Buffer.concat([
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, FUSE_COUNT]),
    Buffer.alloc(FUSE_COUNT, ENABLED)
  ])
  writeFileSync(join(dist, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 1\n'), wire]), {
    mode: 0o755
  })
  return dist
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => `/${relative(folder, join(entry.parentPath, entry.name)).split('\\').join('/')}`)
}

/** Packaged paths that must never ship: the project's sources, tests, benchmarks, scripts, docs, source maps. */
function strays(paths: readonly string[]): string[] {
  return paths.filter(
    path => /^\/(src|test|bench|scripts|docs|resources)\//.test(path) || path.endsWith('.map')
  )
}

interface WorkflowJob {
  readonly name: string
  readonly 'runs-on'?: string
  readonly uses?: string
  readonly needs?: string | string[]
  readonly with?: Record<string, unknown>
  readonly secrets?: 'inherit' | Record<string, string>
  readonly steps?: Array<Record<string, unknown>>
}

const INSTALLERS_WORKFLOW = './.github/workflows/installers.yml'

function readWorkflow<T>(name: string): T {
  return loadYaml(readFileSync(join(ROOT, '.github/workflows', name), 'utf8')) as T
}

function releaseJobs(): WorkflowJob[] {
  const { jobs } = readWorkflow<{ jobs: Record<string, Omit<WorkflowJob, 'name'>> }>('release.yml')
  return Object.entries(jobs).map(([name, job]) => ({ name, ...job }))
}

function installersWorkflow() {
  return readWorkflow<{
    on: { workflow_call: { secrets?: Record<string, unknown> } }
    jobs: Record<string, { steps: Array<Record<string, unknown>> }>
  }>('installers.yml')
}

/** The repository secrets a piece of workflow reads (`secrets.NAME`), sorted, each once. */
function secretsNamedIn(part: unknown): string[] {
  const names = JSON.stringify(part ?? null).match(/secrets\.[A-Za-z0-9_]+/g) ?? []
  return [...new Set(names.map(name => name.slice('secrets.'.length)))].sort()
}

function manifestScripts(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  return manifest.scripts
}

describe('the packaging configuration (electron-builder.ts)', () => {
  it('passes electron-builder’s own schema validation, which refuses a misspelt option', async () => {
    await expect(
      validateConfiguration(structuredClone(config), new DebugLogger(false))
    ).resolves.toBeUndefined()
    const misspelt = { ...structuredClone(config), nsis: { ...config.nsis, oneClik: false } }
    await expect(validateConfiguration(misspelt as Configuration, new DebugLogger(false))).rejects.toThrow(
      /configuration\.nsis should be/
    )
  })

  it('names the app "RUFUS Station" in package.json, where Electron and the builder both read it', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
    expect(manifest['productName']).toBe(APP_FOLDER_NAME)
    expect(config.productName).toBeUndefined()
  })

  it('is built by the release workflow on Windows, macOS and Linux, which uploads every installer it makes', () => {
    const installers = releaseJobs().filter(job => job.uses === INSTALLERS_WORKFLOW)
    expect(installers.map(job => job.with?.['os'])).toEqual([
      'windows-latest',
      'macos-latest',
      'ubuntu-latest'
    ])
    const steps = installersWorkflow().jobs['installers']?.steps ?? []
    expect(steps.some(step => String(step['run']).includes('npm run dist'))).toBe(true)
    const upload = steps.find(step => String(step['uses']).startsWith('actions/upload-artifact@'))
    const uploaded = String((upload?.['with'] as { path?: string } | undefined)?.path)
      .trim()
      .split('\n')
    const extensions: Record<string, string> = { nsis: 'exe', dmg: 'dmg', AppImage: 'AppImage', deb: 'deb' }
    const targets = [config.win, config.mac, config.linux].flatMap(os => os?.target as string[])
    expect(targets).toEqual(['nsis', 'dmg', 'AppImage', 'deb'])
    expect(uploaded).toEqual(targets.map(target => `dist/*.${extensions[target]}`))
    expect(config.directories?.output).toBe('dist')
  })

  it('hands each OS’s build only that OS’s signing secrets, and the build steps no others', () => {
    const jobs = releaseJobs()
    const allowed: Record<string, RegExp> = {
      'windows-latest': /^WIN_CSC_(LINK|KEY_PASSWORD)$/,
      'macos-latest': /^(MAC_CSC_(LINK|KEY_PASSWORD)|APPLE_[A-Z_]+)$/,
      'ubuntu-latest': /^$/
    }
    for (const job of jobs) {
      const os = String(job.with?.['os'] ?? job['runs-on'])
      const used = secretsNamedIn(job)
      if (job.uses !== INSTALLERS_WORKFLOW) {
        expect(used, `job ${job.name} (not a build)`).toEqual([])
        continue
      }
      // "secrets: inherit" would hand every secret of the repository to every OS.
      expect(job.secrets, os).not.toBe('inherit')
      for (const name of used) expect(name, `${os} is handed ${name}`).toMatch(allowed[os] ?? /^$/)
    }
    expect(secretsNamedIn(jobs.find(job => job.with?.['os'] === 'windows-latest'))).toEqual([
      'WIN_CSC_KEY_PASSWORD',
      'WIN_CSC_LINK'
    ])
    expect(secretsNamedIn(jobs.find(job => job.with?.['os'] === 'macos-latest'))).toContain('APPLE_ID')
    // The shared build steps read only the secrets a caller hands them.
    const workflow = installersWorkflow()
    const declared = Object.keys(workflow.on.workflow_call.secrets ?? {}).sort()
    expect(secretsNamedIn(workflow.jobs)).toEqual(declared)
  })

  it('packages only after the unit tests, type check, lint and format check passed on a clean Debian', () => {
    const jobs = releaseJobs()
    const checks = jobs.filter(job => job.uses === undefined)
    expect(checks).toHaveLength(1)
    const check = checks[0]
    // .ci/run installs socat and Chromium and runs `npm test`: typecheck, lint, format check, build, every test.
    expect(check?.steps?.some(step => /(^|\s)\.ci\/run(\s|$)/.test(String(step['run'])))).toBe(true)
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m)
    expect(manifestScripts()['test']).toMatch(/typecheck.*&& .*lint.*&& .*format:check.*&& .*test:unit/)
    for (const job of jobs.filter(job => job.uses === INSTALLERS_WORKFLOW)) {
      expect([job.needs].flat(), String(job.with?.['os'])).toContain(check?.name)
    }
  })

  it('re-signs an unsigned macOS build ad hoc after flipping the fuses, so it still starts on Apple silicon', () => {
    // Flipping a fuse changes the Electron binary and breaks its ad-hoc signature; without a certificate nothing
    // signs it again, and an arm64 Mac refuses to run a binary whose signature does not match ("damaged").
    expect(config.electronFuses?.resetAdHocDarwinSignature).toBe(true)
  })

  it('tells stray files from shipped ones', () => {
    expect(
      strays([
        '/out/main/index.js',
        '/src/main/index.ts',
        '/test/a.test.ts',
        '/bench/run.ts',
        '/out/x.js.map'
      ])
    ).toEqual(['/src/main/index.ts', '/test/a.test.ts', '/bench/run.ts', '/out/x.js.map'])
  })
})

describe('the app electron-builder packs from it (Linux, around a stand-in Electron)', () => {
  // Kept for the whole describe (the shared temp-folder helper empties its folders after each test).
  const folder = mkdtempSync(join(tmpdir(), 'rufus-pack-'))
  afterAll(() => rmSync(folder, { recursive: true, force: true }))
  let resources = ''
  let archive = ''
  let executable = ''
  let packed: string[] = []
  let unpacked: string[] = []

  beforeAll(async () => {
    expect(existsSync(join(ROOT, 'out', 'main', 'index.js')), 'run `npm run build` first').toBe(true)
    await build({
      projectDir: ROOT,
      targets: Platform.LINUX.createTarget('dir', Arch.x64),
      publish: 'never',
      config: { electronDist: standInElectron(folder), directories: { output: join(folder, 'dist') } }
    })
    const appOut = join(folder, 'dist', 'linux-unpacked')
    resources = join(appOut, 'resources')
    archive = join(resources, 'app.asar')
    executable = join(appOut, config.linux?.executableName ?? '')
    packed = listPackage(archive, { isPack: false }).map(path => path.split('\\').join('/'))
    unpacked = filesUnder(join(resources, 'app.asar.unpacked'))
  }, 180_000)

  it('holds the main, preload and renderer bundles and the package manifest', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        '/out/main/index.js',
        '/out/preload/index.cjs',
        '/out/renderer/index.html',
        '/package.json'
      ])
    )
    expect(packed.some(path => /^\/out\/renderer\/assets\/index-[\w-]+\.js$/.test(path))).toBe(true)
    // Electron names the app, and so its userData folder, from the packaged manifest's productName.
    const manifest = JSON.parse(extractFile(archive, 'package.json').toString('utf8')) as Record<
      string,
      unknown
    >
    expect(manifest).toMatchObject({ main: './out/main/index.js', productName: APP_FOLDER_NAME })
  })

  it('keeps the native modules (libsql, serialport’s bindings) outside the asar archive, where they can load', () => {
    const natives = [
      '/node_modules/@libsql/linux-x64-gnu/index.node',
      '/node_modules/@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node'
    ]
    expect(unpacked).toEqual(expect.arrayContaining(natives))
    for (const path of natives) {
      expect(statFile(archive, path.slice(1)), path).toMatchObject({ unpacked: true })
    }
    // Their JavaScript, which loads the binaries, ships too.
    expect(packed).toEqual(
      expect.arrayContaining(['/node_modules/libsql/index.js', '/node_modules/serialport/package.json'])
    )
  })

  it('ships nothing from src/, test/, bench/, scripts/, docs/ and no source map', () => {
    expect(strays(packed)).toEqual([])
    expect(strays(unpacked)).toEqual([])
  })

  it('flips the production fuses: no ELECTRON_RUN_AS_NODE, no NODE_OPTIONS, no --inspect, asar only and checked', async () => {
    const wire = (await getCurrentFuseWire(executable)) as unknown as Record<number, number>
    expect([0, 1, 2, 3, 4, 5, 7].map(fuse => wire[fuse])).toEqual([
      DISABLED, // RunAsNode
      ENABLED, // EnableCookieEncryption
      DISABLED, // EnableNodeOptionsEnvironmentVariable
      DISABLED, // EnableNodeCliInspectArguments
      ENABLED, // EnableEmbeddedAsarIntegrityValidation
      ENABLED, // OnlyLoadAppFromAsar
      DISABLED // GrantFileProtocolExtraPrivileges
    ])
  })
})
