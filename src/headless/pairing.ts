import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Role } from '../shared/contract'

/** One pairing token per role; a screen's URL carries one and so gets that role. */
export type PairingTokens = Readonly<Record<Role, string>>

/** Kept beside the journal so paired phones and announcer screens reconnect after a restart. */
export const PAIRING_FILE = 'screen-pairing.json'

const ROLES = ['station', 'entry', 'viewer'] as const
const TOKEN = /^[0-9a-f]{32}$/

export function newPairingTokens(): PairingTokens {
  return {
    station: randomBytes(16).toString('hex'),
    entry: randomBytes(16).toString('hex'),
    viewer: randomBytes(16).toString('hex')
  }
}

function parseTokens(text: string): PairingTokens | null {
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value !== 'object' || value === null) return null
    const record = value as Record<string, unknown>
    const tokens: Partial<Record<Role, string>> = {}
    for (const role of ROLES) {
      const token = Object.hasOwn(record, role) ? record[role] : undefined
      if (typeof token !== 'string' || !TOKEN.test(token)) return null
      tokens[role] = token
    }
    return tokens as PairingTokens
  } catch {
    return null
  }
}

/** Writes the tokens readable by the owner only (on Windows the profile's folder permissions do this job). */
export function savePairingTokens(dataFolder: string, tokens: PairingTokens): void {
  const file = join(dataFolder, PAIRING_FILE)
  const temporary = `${file}.tmp`
  writeFileSync(temporary, `${JSON.stringify(tokens)}\n`, { mode: 0o600 })
  chmodSync(temporary, 0o600)
  renameSync(temporary, file)
}

/**
 * The tokens of earlier runs, or new ones written on first use. A damaged file is replaced (screens pair again)
 * rather than stopping the station.
 */
export function loadPairingTokens(dataFolder: string, warn: (line: string) => void): PairingTokens {
  const file = join(dataFolder, PAIRING_FILE)
  if (existsSync(file)) {
    const tokens = parseTokens(readFileSync(file, 'utf8'))
    if (tokens) {
      chmodSync(file, 0o600)
      return tokens
    }
    warn(`The screen pairing file ${file} was damaged; new pairing URLs were made (pair the screens again).`)
  }
  const tokens = newPairingTokens()
  savePairingTokens(dataFolder, tokens)
  return tokens
}

/** New tokens for every role: every paired screen must be paired again. */
export function rotatePairingTokens(dataFolder: string): PairingTokens {
  const tokens = newPairingTokens()
  savePairingTokens(dataFolder, tokens)
  return tokens
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/**
 * The role a presented token pairs to. Every role's token is compared, each in constant time over equal-length
 * digests, so the answer's timing tells nothing about how much of a guess was right.
 */
export function roleOfToken(tokens: PairingTokens, presented: unknown): Role | null {
  if (typeof presented !== 'string' || presented.length > 256) return null
  const candidate = digest(presented)
  let found: Role | null = null
  for (const role of ROLES) {
    if (timingSafeEqual(candidate, digest(tokens[role])) && found === null) found = role
  }
  return found
}
