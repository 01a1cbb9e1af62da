import { readFileSync, statSync, type Stats } from 'node:fs'

/** Why a file named on the command line cannot be used, in plain words, told by the error's code. */
function whyUnreadable(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  switch (code) {
    case 'ENOENT':
      return 'there is no such file'
    case 'EISDIR':
      return 'it is a folder'
    case 'ENOTDIR':
      return 'a part of its path is not a folder'
    case 'EACCES':
    case 'EPERM':
      return 'this user may not read it'
    default:
      return error instanceof Error ? error.message : String(error)
  }
}

function refused(what: string, path: string, error: unknown): Error {
  return new Error(`${what} ${path} cannot be read: ${whyUnreadable(error)}.`, { cause: error })
}

/** The file's status, or an error naming it (`what`: "The key file") and saying why it cannot be read. */
export function statNamedFile(path: string, what: string): Stats {
  let stats: Stats
  try {
    stats = statSync(path)
  } catch (error) {
    throw refused(what, path, error)
  }
  if (stats.isDirectory()) throw refused(what, path, Object.assign(new Error(), { code: 'EISDIR' }))
  return stats
}

/** The file's bytes, or an error naming it and saying why it cannot be read. */
export function readNamedFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw refused(what, path, error)
  }
}
