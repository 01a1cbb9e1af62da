import type { Configuration } from 'electron-builder'

/**
 * How `npm run dist` packages the desktop app: the one place for installers, icons, asar and fuses.
 *
 * electron-builder finds this file by its name. test/app/packaging.test.ts checks it against the builder's own
 * schema and packs it for real (with a stand-in Electron) to list what a timer's laptop would receive.
 */
const config: Configuration = {
  appId: 'com.runonrufus.station',
  // productName ("RUFUS Station") is in package.json: Electron reads it there too, for the app's name and its
  // userData folder, in a packaged app and under `npm start` alike.
  copyright: 'Copyright © RUFUS',
  directories: { output: 'dist', buildResources: 'resources' },
  // Only the built app: main, preload (CommonJS) and renderer. Sources, tests, benchmarks and source maps stay out;
  // the production dependencies are added by the builder itself.
  files: ['out/main/**', 'out/preload/**', 'out/renderer/**', '!**/*.map'],
  asar: true,
  // Native code cannot be loaded from inside an asar archive.
  asarUnpack: [
    'node_modules/libsql/**',
    'node_modules/@libsql/**',
    'node_modules/@serialport/bindings-cpp/**'
  ],
  // libsql and @serialport/bindings-cpp are N-API prebuilds: one binary loads in Node and in any Electron, so there
  // is nothing to rebuild (and a rebuild would compile serialport from source for nothing).
  npmRebuild: false,
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    // Electron checks app.asar against the hash embedded at packaging time (macOS and Windows; Linux has no
    // such check yet).
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
    // Flipping the fuses edits the Electron binary and breaks the ad-hoc signature it ships with. A build without a
    // certificate is not signed again, and Apple silicon refuses to run an arm64 binary whose signature does not
    // match ("damaged"): sign it ad hoc once more (codesign, macOS only). A certificate's signature replaces it.
    resetAdHocDarwinSignature: true
  },
  win: {
    target: ['nsis'],
    icon: 'resources/icon.ico'
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: 'RUFUS Station',
    // Uninstalling keeps %APPDATA%\RUFUS Station: the journal may hold passings not yet in RUFUS Cloud.
    deleteAppDataOnUninstall: false
  },
  mac: {
    // The machine's own architecture (Apple silicon on macos-latest): libsql installs its binary for that one only.
    target: ['dmg'],
    icon: 'resources/icon.icns',
    category: 'public.app-category.sports',
    hardenedRuntime: true
  },
  dmg: { title: 'RUFUS Station ${version}' },
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'resources/icons',
    executableName: 'rufus-station',
    category: 'Utility',
    maintainer: 'RUFUS <support@runonrufus.com>',
    synopsis: 'Finish-line timing station for RUFUS Cloud'
  },
  artifactName: 'RUFUS-Station-${version}-${os}-${arch}.${ext}',
  publish: null
}

export default config
