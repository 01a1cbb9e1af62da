import { readNamedFile, statNamedFile } from './named-file'

export const API_KEY_ENV = 'RUFUS_API_KEY'

/** Said once when the key comes on the command line, where every user of the machine can read it. */
export const API_KEY_ARGUMENT_WARNING = `Warning: --api-key puts the key in the process list, where other users of this machine can read it; use ${API_KEY_ENV} or --api-key-file instead.`

/**
 * The API key from (in order) the command line, the environment, or a key file readable only by its owner, so
 * it need not show in the process list. It is never printed; `warn` hears about a key given on the command line.
 */
export function resolveApiKey(
  options: { readonly apiKey?: string; readonly apiKeyFile?: string },
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  warn: (line: string) => void = () => undefined
): string {
  if (options.apiKey) {
    warn(API_KEY_ARGUMENT_WARNING)
    return options.apiKey
  }
  const fromEnv = env[API_KEY_ENV]
  if (fromEnv) return fromEnv.trim()
  if (options.apiKeyFile) {
    const { mode } = statNamedFile(options.apiKeyFile, 'The key file')
    // POSIX only: Windows has no mode bits; there the file's ACL is the user's business.
    if (platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new Error(
        `The key file ${options.apiKeyFile} can be read by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it.`
      )
    }
    const key = readNamedFile(options.apiKeyFile, 'The key file').toString('utf8').trim()
    if (!key) throw new Error(`The key file ${options.apiKeyFile} is empty.`)
    return key
  }
  throw new Error(
    `No API key: set ${API_KEY_ENV}, or give --api-key-file <path> (mode 600), or pass --api-key.`
  )
}
