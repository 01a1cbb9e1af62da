import { z } from 'zod'
import type { SyncEvent } from './events'
import { LANGUAGES, type Language } from './languages'
import type { StationMessage } from './messages'
import { BAUD_RANGE, PROTOCOLS } from './protocols'
import { API_URL } from './rufus-cloud'
import type { CloudSessionState, PassingState, ReaderState } from './states'

/**
 * The one contract between the station and its screens, whatever carries it (Electron IPC or the headless
 * station's WebSocket). Every command names the role it needs and validates its arguments; every answer is a
 * result, never a thrown error.
 */
export type Role = 'viewer' | 'entry' | 'station'

/** What each role may do: viewers watch, entry screens also record and correct, the station itself does all. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, entry: 1, station: 2 }

const id = z.number().int().positive()
const protocol = z.enum(PROTOCOLS)
/**
 * A typed bib, bounded only as a payload: the station's bib rules (not empty, no control characters, at most 32
 * characters) refuse it with a message every screen language has, where the validator's would be English.
 */
const bib = z.string().trim().max(500)

export const COMMANDS = {
  'status.get': { role: 'viewer', args: z.object({}) },
  'passings.recent': { role: 'viewer', args: z.object({ limit: z.number().int().min(1).max(500) }) },
  'passings.manual': {
    role: 'entry',
    args: z.object({
      bib: bib.nullable(),
      atMs: z.number().finite().positive().optional(),
      /** The entry screen's own key for this entry: sent again after a lost answer, it is stored once. */
      entryKey: z.string().min(8).max(64).optional()
    })
  },
  'passings.void': { role: 'entry', args: z.object({ id }) },
  'passings.fixBib': { role: 'entry', args: z.object({ id, bib }) },
  'passings.undo': { role: 'entry', args: z.object({ id }) },
  'passings.held': { role: 'viewer', args: z.object({}) },
  'passings.checkBib': { role: 'entry', args: z.object({ bib: z.string().max(64) }) },
  'session.open': { role: 'station', args: z.object({ alias: z.string().trim().min(1).max(60) }) },
  'session.close': {
    role: 'station',
    /**
     * `sessionId`: the session the screen showed; a close aimed at one already closed (by another screen) is refused.
     * `alias`: the name the timer gave the next session (with `openNext`; the station's next name without it).
     */
    args: z.object({
      openNext: z.boolean().optional(),
      sessionId: id.optional(),
      alias: z.string().trim().min(1).max(60).optional()
    })
  },
  'sessions.list': { role: 'viewer', args: z.object({}) },
  'cloud.sessionPassings': {
    role: 'viewer',
    args: z.object({
      token: z.string().min(1).max(128),
      first: z.number().int().min(0).optional(),
      last: z.number().int().min(0).optional(),
      page: z.number().int().min(1).optional()
    })
  },
  'cloud.devicePassings': {
    role: 'viewer',
    args: z.object({
      from: z.string().optional(),
      to: z.string().optional(),
      page: z.number().int().min(1).optional()
    })
  },
  'local.sessionPassings': {
    role: 'viewer',
    args: z.object({
      sessionId: id,
      afterNum: z.number().int().min(0),
      limit: z.number().int().min(1).max(5000)
    })
  },
  'compare.session': { role: 'viewer', args: z.object({ sessionId: id }) },
  /** The entry and station screens export; the announcer's (viewer) screen only watches. */
  'export.csv': { role: 'entry', args: z.object({ sessionId: id }) },
  'clock.ping': { role: 'viewer', args: z.object({ clientMs: z.number().finite() }) },
  'setup.checkKey': {
    role: 'station',
    args: z.object({ apiUrl: API_URL, apiKey: z.string().trim().min(1).max(200) })
  },
  'setup.saveKey': {
    role: 'station',
    args: z.object({ apiUrl: API_URL, apiKey: z.string().trim().min(1).max(200) })
  },
  'device.list': { role: 'station', args: z.object({}) },
  'device.bindNew': { role: 'station', args: z.object({ alias: z.string().trim().max(60).optional() }) },
  'device.use': { role: 'station', args: z.object({ deviceid: z.string().regex(/^[0-9A-Fa-f-]{8,128}$/) }) },
  'device.info': { role: 'viewer', args: z.object({}) },
  'device.unbind': { role: 'station', args: z.object({ confirmAlias: z.string() }) },
  'ports.list': { role: 'station', args: z.object({}) },
  'reader.add': {
    role: 'station',
    args: z.object({
      path: z.string().min(1).max(300),
      protocol,
      baudRate: z.number().int().min(BAUD_RANGE.min).max(BAUD_RANGE.max)
    })
  },
  'reader.remove': { role: 'station', args: z.object({ id: z.string().min(1) }) },
  'reader.detect': { role: 'station', args: z.object({ path: z.string().min(1).max(300) }) },
  'sync.action': {
    role: 'station',
    args: z.object({ action: z.enum(['resume', 'continue-new-session', 'rebind']) })
  },
  'settings.set': {
    role: 'station',
    args: z.object({
      beep: z.boolean().optional(),
      language: z.enum(LANGUAGES).optional(),
      uploadGraceMs: z.number().int().min(0).max(60_000).optional(),
      graceAllPassings: z.boolean().optional()
    })
  },
  /** The entry and viewer pairing URLs, for the QR codes on the station's own screen (null without a screen server). */
  'screens.pairing': { role: 'station', args: z.object({}) }
} as const satisfies Record<string, { role: Role; args: z.ZodType }>

export type CommandName = keyof typeof COMMANDS
export type CommandArgs<N extends CommandName> = z.input<(typeof COMMANDS)[N]['args']>
/** The arguments a handler receives, as the schema leaves them after validation (defaults applied, trimmed). */
export type CommandParsedArgs<N extends CommandName> = z.output<(typeof COMMANDS)[N]['args']>

// ---- views: what the screens see ----

export interface PassingView {
  readonly id: number
  readonly session: number
  readonly num: number
  readonly bib: string | null
  readonly name: string | null
  readonly chip: string | null
  /** ISO 8601 UTC, milliseconds. */
  readonly timestamp: string
  readonly source: 'reader' | 'manual'
  readonly port: string | null
  readonly state: PassingState
  /** Why the passing stands as it does (a correction kept here after upload, the cloud's answer), or null. */
  readonly note: StationMessage | null
  /** Corrected here after upload: the cloud keeps `bib`; this is the bib the station now gives (null if none). */
  readonly correctedBib: string | null
  /** Voided (before upload, or here after it while the cloud keeps it). */
  readonly voided: boolean
  /** The cloud holds another value than the station for this passing (a correction made after upload). */
  readonly differsFromCloud: boolean
}

/** What the station knows of a bib as it is typed. */
export interface BibCheck {
  /** The runner's name; null when unknown. */
  readonly name: string | null
  /** Whether the participants list has this bib; null when no list is loaded. */
  readonly inParticipants: boolean | null
  /** A passing of the open session already has this bib. */
  readonly alreadyInSession: boolean
  /** Unlike every bib of the participants list (letters where all are numbers): ask for a second Enter. */
  readonly unusual: boolean
}

/** Settings the station's own screen changes (Setup). */
export interface ScreenSettings {
  readonly beep: boolean
  readonly language: Language
  /** How long manual passings (or all) wait before upload, so a quick fix goes up corrected. */
  readonly uploadGraceMs: number
  readonly graceAllPassings: boolean
}

export interface CloudPassingView {
  readonly num: number
  readonly bib: string
  readonly chip: string | null
  readonly timestamp: string
}

export interface ReaderView {
  readonly id: string
  readonly path: string
  readonly protocol: string
  readonly state: ReaderState
  readonly message: StationMessage | null
  readonly lastReadAgeMs: number | null
  readonly readsPerSecond: number
  readonly decodeErrors: number
  readonly lastDecodeError: string | null
  readonly clockOffsetMs: number | null
  readonly details: Readonly<Record<string, string | number>>
}

export interface SessionView {
  readonly id: number
  readonly alias: string
  readonly token: string | null
  readonly cloudState: CloudSessionState
  readonly closed: boolean
  readonly openedAt: string
  readonly counts: { readonly total: number; readonly synced: number; readonly pending: number }
  readonly first: string | null
  readonly last: string | null
  /** From the cloud's list of the device's sessions, when reachable. */
  readonly cloudActive: boolean | null
}

export interface KeyView {
  /** Whether a key is set; the key itself never reaches a screen. */
  readonly set: boolean
  readonly canRead: boolean | null
  readonly canWrite: boolean | null
  readonly canUnbind: boolean | null
  /** Where the key is kept: encrypted by the OS, only in memory, or given on the command line. */
  readonly storage: 'encrypted' | 'memory' | 'command-line'
}

export interface StationSnapshot {
  readonly runtime: 'electron' | 'headless'
  readonly role: Role
  readonly configured: boolean
  readonly apiUrl: string
  readonly key: KeyView
  readonly device: {
    readonly serialNumber: string
    readonly deviceid: string | null
    readonly alias: string | null
  }
  readonly session: SessionView | null
  readonly sync: Omit<SyncEvent, 'type' | 'canRead'>
  readonly clock: {
    readonly offsetMs: number | null
    readonly uncertaintyMs: number | null
    readonly jumpMs: number | null
  }
  readonly readers: readonly ReaderView[]
  readonly bibPolicy: string
  readonly settings: ScreenSettings
  /** The name a session opened next (by the station itself, or after closing) gets. */
  readonly nextSessionAlias: string
  readonly notices: ReadonlyArray<{
    readonly level: 'info' | 'warning' | 'error'
    readonly message: StationMessage
    readonly at: string
  }>
}

export interface KeyPermissions {
  readonly reachable: boolean
  readonly canRead: boolean
  readonly canWrite: boolean
  readonly canUnbind: boolean
  readonly message: StationMessage
}

export interface CommandResults {
  'status.get': StationSnapshot
  'passings.recent': PassingView[]
  'passings.manual': PassingView
  'passings.void': { readonly outcome: string }
  'passings.fixBib': { readonly outcome: string }
  'passings.undo': { readonly outcome: string }
  'passings.held': PassingView[]
  'passings.checkBib': BibCheck
  'session.open': SessionView
  'session.close': SessionView | null
  'sessions.list': SessionView[]
  'cloud.sessionPassings': CloudPassingView[]
  'cloud.devicePassings': Array<CloudPassingView & { readonly token: string }>
  'local.sessionPassings': PassingView[]
  'compare.session': {
    readonly missingInCloud: number[]
    readonly extraInCloud: number[]
    readonly different: number[]
  }
  'export.csv': { readonly fileName: string; readonly csv: string }
  'clock.ping': { readonly serverMs: number }
  'setup.checkKey': KeyPermissions
  'setup.saveKey': KeyPermissions
  'device.list': Array<{
    readonly deviceid: string
    readonly alias: string | null
    readonly model: string | null
    readonly serialNumber: string | null
  }>
  'device.bindNew': { readonly deviceid: string; readonly alreadyBound: boolean }
  'device.use': null
  'device.info': Record<string, unknown> | null
  'device.unbind': null
  'ports.list': Array<{ readonly path: string; readonly description: string }>
  'reader.add': ReaderView
  'reader.remove': null
  'reader.detect': Array<{
    readonly protocol: string
    readonly baudRate: number
    readonly score: number
    readonly how: string
  }>
  'sync.action': null
  'settings.set': null
  'screens.pairing': { readonly entry: string; readonly viewer: string } | null
}

export type ErrorCode =
  'invalid-arguments' | 'forbidden' | 'unknown-command' | 'not-possible' | 'cloud' | 'internal' | 'busy'

export type CommandResult<N extends CommandName> =
  | { readonly ok: true; readonly value: CommandResults[N] }
  | { readonly ok: false; readonly error: CommandFailure }

/** Why a command failed: its kind (`code`) and, as a message for the screen to render, what to do about it. */
export interface CommandFailure {
  readonly code: ErrorCode
  readonly message: StationMessage
}

/** Pushed to screens a few times a second at most, however fast reads arrive. */
export interface StationUpdate {
  readonly snapshot: StationSnapshot
  /** Passings committed since the previous update, oldest first (capped; the screen asks for more if needed). */
  readonly passings: readonly PassingView[]
  readonly dropped: number
}
