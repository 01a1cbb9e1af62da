import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

// The test process has no --expose-gc; V8 can still hand the gc function to a fresh context.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap in use after full collections: what is really kept, not garbage waiting for the collector. */
export function heapAfterGc(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

export const MB = 1024 * 1024
