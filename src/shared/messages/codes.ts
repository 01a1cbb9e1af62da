/**
 * Everything the station tells a person, as data: a code and its parameters. The core emits these, never
 * sentences; the screens (English or Spanish) and the headless command line (English) turn them into words with
 * `renderMessage`. A new message is a new entry here, and the type checker then asks for its English and Spanish
 * texts (`english.ts`, `spanish.ts`).
 *
 * Parameters are values, not words: numbers stay numbers (each language formats them), and a message that wraps
 * another carries it as a nested message.
 */

/**
 * What is wrong with a command's argument, as data: the validator's own words are English, so the screens say
 * this in their language instead. Lengths count characters; `too-small`/`too-large` bound numbers.
 */
export type ArgumentProblem =
  | { readonly kind: 'too-short'; readonly min: number }
  | { readonly kind: 'too-long'; readonly max: number }
  | { readonly kind: 'too-small'; readonly min: number }
  | { readonly kind: 'too-large'; readonly max: number }
  | { readonly kind: 'not-a-web-address' }
  | { readonly kind: 'not-one-of'; readonly values: readonly string[] }
  | { readonly kind: 'wrong-kind' }

/**
 * Why a WRITE-only key holds a batch: its answer left out the counts, reported duplicates on a first send, or
 * counted fewer inserted than sent; or the answer was lost and the cloud does not report duplicates (a resend could
 * store a second copy), or was lost again after the one resend.
 */
export type WriteOnlyHoldReason =
  'no-counts' | 'duplicates' | 'fewer-inserted' | 'no-duplicate-report' | 'lost-twice'

/** A message without parameters. */
type NoParams = Readonly<Record<string, never>>

export interface MessageParams {
  // ---- RUFUS Cloud's answers, explained (the client's error kinds) ----
  'cloud.not-found': { readonly description: string | null }
  'cloud.key-refused': NoParams
  'cloud.bad-request': { readonly description: string | null }
  'cloud.conflict': { readonly description: string | null }
  'cloud.too-large': NoParams
  'cloud.rate-limited': { readonly seconds: number }
  /** `status` is null when the answer carried none. */
  'cloud.server-problem': { readonly status: number | null }
  'cloud.not-on-network': NoParams
  'cloud.connection-refused': NoParams
  'cloud.connection-failed': NoParams
  'cloud.timeout': NoParams
  'cloud.unexpected-answer': NoParams
  /** A screen's cloud read refused by the station's request ceiling after waiting `seconds` behind uploads. */
  'cloud.station-busy': { readonly seconds: number }
  /** HTML or text that is not JSON: venue Wi-Fi's login page, a proxy. */
  'cloud.not-rufus': NoParams

  // ---- starting, and saving to the data folder ----
  'start.folder-busy': { readonly folder: string; readonly pid: number | null }
  'start.journal-too-new': { readonly found: number; readonly known: number }
  'start.folder-read-only': { readonly folder: string }
  'start.disk-full': { readonly folder: string }
  'start.journal-damaged': { readonly journal: string }
  /** A file-system or database failure with a code but no plainer words; `detail` is the system's own. */
  'start.folder-failed': { readonly folder: string; readonly detail: string }
  'start.screen-port-taken': { readonly host: string; readonly port: number }
  /** A journal an earlier version left in its own folder, moved into today's data folder. */
  'start.folder-adopted': { readonly from: string; readonly to: string }
  /** The earlier folder could not move; `why` says what stopped it. */
  'start.folder-kept-in-place': {
    readonly folder: string
    readonly target: string
    readonly why: 'other-drive' | 'in-use' | 'overlaps'
  }
  /** A journal an earlier version left that this version does not use, and so does not upload from. */
  'start.older-journal-left': { readonly folder: string; readonly target: string }
  /** The new data folder held files but no journal; they were kept under another name to make room. */
  'start.folder-set-aside': { readonly folder: string; readonly keptAs: string }
  /** No absolute folder for the station's files: `variable` (APPDATA …) is unset or relative, and so is home. */
  'start.app-folder-unknown': { readonly variable: string }
  /** Reader input waits in memory because the disk refused it (`cause` says why). */
  'capture.waiting': {
    readonly cause: StationMessage
    readonly pieces: number
    readonly droppedBytes: number
  }

  // ---- the station's own notices and refusals ----
  'station.recovered': { readonly chunks: number }
  'station.csv-copy-failed': { readonly session: number; readonly detail: string }
  'station.session-opened': { readonly cause: 'reads' | 'manual'; readonly alias: string }
  'station.reads-without-session': { readonly count: number }
  'station.no-session': NoParams
  /** `--new-session`: `closed` is the session closed for it (null: none was open), `waiting` its passings not yet up. */
  'station.new-session': { readonly alias: string; readonly closed: string | null; readonly waiting: number }
  /** `--new-session` with the alias an earlier start already carried out: nothing is closed. */
  'station.new-session-kept': { readonly alias: string; readonly open: string }
  'station.session-alias-reused': { readonly alias: string; readonly earlier: number }
  /** What the headless station does, unattended, when the cloud closes its session or unbinds its device. */
  'station.unattended': {
    readonly onClosedElsewhere: 'ask' | 'new-session'
    readonly onUnbound: 'ask' | 'rebind'
  }
  'unbind.times-without-bib': { readonly count: number }
  'unbind.not-in-cloud': { readonly count: number }
  /** RUFUS Cloud refused the unbind with this key (403): most often a key without "Allow Unbind Device". */
  'unbind.key-may-not': NoParams

  // ---- clocks ----
  /** A reader's clock against the laptop's (signed, ms). */
  'clock.reader-off': { readonly port: string; readonly offsetMs: number }
  'clock.laptop-off': { readonly seconds: number; readonly laptop: 'behind' | 'ahead' }
  'clock.wall-jump': { readonly jumpMs: number }

  // ---- readers and serial ports ----
  'reader.silent': { readonly seconds: number }
  'reader.ports-unlisted': { readonly detail: string }
  'reader.port-closed': NoParams
  /** The serial port's own error words. */
  'reader.port-error': { readonly detail: string }
  'reader.cannot-open': { readonly path: string; readonly detail: string }
  'reader.already-running': { readonly id: string }
  'reader.already-read': { readonly path: string }

  // ---- bibs, manual times and corrections ----
  'bib.empty': NoParams
  'bib.control-character': NoParams
  'bib.too-long': { readonly length: number; readonly max: number }
  /** Times as `YYYY-MM-DD HH:MM` (UTC); `at` is null when the time given was not a time. */
  'manual.outside-session': { readonly at: string | null; readonly from: string; readonly until: string }
  'correction.empty-bib': NoParams
  'passing.not-found': { readonly id: number }
  'undo.nothing': { readonly num: number }
  'undo.already-uploaded': { readonly num: number; readonly bib: string | null }
  'note.voided-after-upload': NoParams
  'note.bib-fixed-after-upload': { readonly bib: string }
  /** A passing voided because an earlier read of the same chip (passing `num`) arrived after it. */
  'note.superseded': { readonly num: number }

  // ---- participants files ----
  'participants.empty-file': NoParams
  'participants.no-header': NoParams
  'participants.line-empty': { readonly line: number }
  'participants.line-bib': { readonly line: number; readonly problem: StationMessage }
  'participants.chip-repeated': { readonly line: number; readonly chip: string; readonly earlier: number }
  'participants.kept': { readonly count: number }
  'participants.imported': { readonly count: number; readonly file: string }

  // ---- sessions, key and device (screen commands) ----
  /** `open`: the alias of the session open now, or null. */
  'session.already-closed': { readonly alias: string; readonly open: string | null }
  'session.not-ours': NoParams
  'session.no-cloud-session': NoParams
  'session.not-found': { readonly id: number }
  'key.refused': NoParams
  'key.read-only': NoParams
  'key.write-only': NoParams
  'key.read-write': { readonly canUnbind: boolean }
  'key.set-at-start': NoParams
  'device.no-identity': NoParams
  'device.already-uploaded': NoParams
  'device.confirm-name': { readonly expected: string }
  'device.not-bound': NoParams
  'sync.no-decision-waiting': NoParams

  // ---- commands and screens ----
  /** `name` as the screen sent it, JSON-quoted. */
  'command.unknown': { readonly name: string }
  'command.station-only': NoParams
  'command.read-only': NoParams
  /** `field` is the argument's path ('' for the arguments as a whole); `problem` what the validator found. */
  'command.invalid': { readonly field: string; readonly problem: ArgumentProblem }
  'command.failed': { readonly detail: string }
  'screen.too-many-commands': NoParams
  'screen.still-working': NoParams
  'screen.left': NoParams
  'screen.untrusted-sender': NoParams
  'screen.connection-lost': NoParams

  // ---- sync ----
  'sync.continues-new-session': { readonly session: number }
  'sync.rebinding': { readonly count: number }
  'sync.key-refused': NoParams
  'sync.unexpected': { readonly detail: string }
  'sync.device-bound': NoParams
  'sync.device-already-bound': NoParams
  'sync.key-write-only': NoParams
  'sync.adopted-session': { readonly alias: string | null; readonly after: number }
  'sync.smaller-batches': { readonly size: number }
  /** `reason`: the cloud's description, or null when it gave none. */
  'sync.passing-refused': { readonly num: number; readonly reason: string | null }
  /** `note` is a `sync.note.conflict`. */
  'sync.conflict': { readonly note: StationMessage; readonly localBib: string | null }
  'sync.session-refused': { readonly alias: string; readonly pending: number }
  'sync.closed-elsewhere-continuing': { readonly alias: string }
  'sync.closed-elsewhere': { readonly alias: string; readonly pending: number }
  'sync.session-gone': { readonly alias: string }
  'sync.unbound-rebinding': NoParams
  'sync.device-unbound': NoParams
  /** A block's notice: what stopped sync, then its `sync.action.*`. */
  'sync.blocked': { readonly problem: StationMessage; readonly action: StationMessage }
  'sync.action.key-refused': NoParams
  'sync.action.closed-elsewhere': NoParams
  'sync.action.device-unbound': NoParams
  'sync.action.session-gone': NoParams
  'sync.note.reuploaded': NoParams
  'sync.note.unverified': NoParams
  'sync.note.stored-copies': { readonly copies: number }
  'sync.note.conflict': {
    readonly num: number
    readonly bib: string
    readonly chip: string | null
    readonly timestamp: string
  }
  'sync.note.refused': { readonly reason: string | null }
  'sync.key-works-again': NoParams
  /** Passings of a closed session wait: a new cloud session for them would close the live one (`live`). */
  'sync.waiting-for-live-session': {
    readonly session: string
    readonly pending: number
    readonly live: string
  }
  /** The timer chose to send them now: the live session continues in a new cloud session. */
  'sync.sending-waiting-now': { readonly session: string; readonly live: string }
  /** Every passing tried alone (`tried` of them) was refused for the same `reason` (null: none given). */
  'sync.all-refused': { readonly reason: string | null; readonly tried: number }
  'sync.action.all-refused': NoParams
  /** A WRITE-only key cannot read back: `count` passings are held (not resent, not marked synced), and why. */
  'sync.write-only-hold': { readonly count: number; readonly why: WriteOnlyHoldReason }
  'sync.action.write-only-hold': NoParams
  /** A WRITE-only key: `count` passings whose answer was lost are sent once more, relying on de-duplication. */
  'sync.write-only-resend': { readonly count: number }
  /**
   * The cloud answered for the passing (its counts, null where it gave none) but a read-back, twice, shows nothing
   * under its number: the cloud's answer is the evidence.
   */
  'sync.note.duplicate-unseen': {
    readonly num: number
    readonly sent: number
    readonly inserted: number | null
    readonly duplicates: number | null
    readonly description: string | null
  }
  'sync.note.resent-accepted': NoParams
  'sync.note.may-be-twice': NoParams

  /**
   * Words the station did not write or has not yet turned into a code, shown as they are in every language: an
   * error's own words (a library's, the system's), and the sync engine's sentences until it emits codes.
   */
  untranslated: { readonly text: string }
}

export type MessageCode = keyof MessageParams

/** One message: its code and that code's parameters. */
export type StationMessage = {
  readonly [C in MessageCode]: { readonly code: C; readonly params: MessageParams[C] }
}[MessageCode]

/** Renders a nested message in the same language. */
export type Say = (message: StationMessage) => string

/** One language's text for every code: the type checker refuses a missing code or wrong parameters. */
export type MessageTexts = {
  readonly [C in MessageCode]: (params: MessageParams[C], say: Say) => string
}
