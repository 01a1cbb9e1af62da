import { randomBytes } from 'node:crypto'

/** Cloud ids are 64 uppercase hex characters (32 random bytes), as in every documented example. */
export function newCloudId(): string {
  return randomBytes(32).toString('hex').toUpperCase()
}

/** Server-made dates in the documentation carry whole seconds (`.000Z`). */
export function serverNow(nowMs: number): string {
  return new Date(Math.floor(nowMs / 1000) * 1000).toISOString()
}
