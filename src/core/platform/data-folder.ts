import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where the station keeps its data when no folder is given: the one OS-specific decision about paths.
 *
 * Windows: %APPDATA%\RUFUS Station; macOS: ~/Library/Application Support/RUFUS Station;
 * Linux: $XDG_DATA_HOME/rufus-station or ~/.local/share/rufus-station. (Electron's userData matches the first two.)
 */
export function defaultDataFolder(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env
): string {
  switch (platform) {
    case 'win32':
      return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'RUFUS Station')
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'RUFUS Station')
    default:
      return join(env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'rufus-station')
  }
}
