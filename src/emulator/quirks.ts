import { DESCRIPTIONS } from './wire'

/**
 * Other readings of the RUFUS docs' open questions (U1–U17 in the API reference), each a switch of the emulator.
 *
 * Every decision the emulator makes where the docs are silent is one field of `WireRules`. A quirk is a patch of
 * those fields; the rules in force are the defaults with every chosen patch applied. Two switches that set the same
 * field to different values cannot both hold, so they are refused: incompatibility follows from the data, not from
 * a hand-kept list.
 */

/** What a duplicate passing is recognised by, within one session (`none`: every passing is stored). */
export type DedupeKey = 'number' | 'bib' | 'chip-timestamp' | 'none'

export interface WireRules {
  /** Status of a successful POST /devices, /sessions, /passings. */
  readonly createdStatus: 200 | 201
  readonly answersInsertedCount: boolean
  readonly answersDuplicateCount: boolean
  readonly dedupeOn: DedupeKey
  /** Status of closing a session that is already closed (200: idempotent). */
  readonly closeClosedStatus: 200 | 400 | 404
  /** Status of posting passings into a closed or unknown session. */
  readonly closedInsertStatus: 400 | 404
  readonly firstPage: 0 | 1
  readonly pageSize: number
  /** `first`/`last` and `from`/`to` exclude the bound itself. */
  readonly exclusiveBounds: boolean
  /** Headers the key is read from, in order. */
  readonly keyHeaders: readonly string[]
  /** Spaces of JSON indentation (0: compact). */
  readonly jsonIndent: number
  /** Descriptions of a 404 for a known device or session whose list is empty. */
  readonly noSessionsWording: string
  readonly noPassingsWording: string
  /** A session the cloud closes by itself this long after its creation; null: never. */
  readonly sessionLifetimeMs: number | null
  /** `yyyy-MM-dd HH:mm:ss.SSS` (no zone) is accepted and read as UTC. */
  readonly acceptsZonelessTimestamps: boolean
  /** Fields the newer schema does not list are refused (its `additionalProperties: false`). */
  readonly refusesUnknownFields: boolean
}

export const DEFAULT_RULES: WireRules = {
  createdStatus: 201,
  answersInsertedCount: true,
  answersDuplicateCount: true,
  dedupeOn: 'number',
  closeClosedStatus: 200,
  closedInsertStatus: 404,
  firstPage: 1,
  pageSize: 5000,
  exclusiveBounds: false,
  keyHeaders: ['api_key', 'x-api-key'],
  jsonIndent: 0,
  noSessionsWording: DESCRIPTIONS.sessionsNotFound,
  noPassingsWording: DESCRIPTIONS.passingsNotFound,
  sessionLifetimeMs: null,
  acceptsZonelessTimestamps: false,
  refusesUnknownFields: false
}

/** What each rule decides, for the sentence that refuses two switches deciding it differently. */
const RULE_TOPICS: Record<keyof WireRules, string> = {
  createdStatus: 'the status of a successful insert',
  answersInsertedCount: 'whether inserts answer `inserted_count`',
  answersDuplicateCount: 'whether inserts answer `duplicate_count`',
  dedupeOn: 'what makes a passing a duplicate',
  closeClosedStatus: 'the answer to closing a closed session',
  closedInsertStatus: 'the status of passings into a closed session',
  firstPage: 'the number of the first page',
  pageSize: 'the page size',
  exclusiveBounds: 'whether range bounds are inclusive',
  keyHeaders: 'which headers carry the key',
  jsonIndent: 'the JSON indentation',
  noSessionsWording: 'the wording of an empty session list',
  noPassingsWording: 'the wording of an empty passing list',
  sessionLifetimeMs: 'when the cloud closes a session',
  acceptsZonelessTimestamps: 'whether zone-less timestamps are accepted',
  refusesUnknownFields: 'whether unknown fields are refused'
}

/** `--legacy`: the worst case the docs allow, expressed as rules so it meets the quirks on equal terms. */
export const LEGACY_PATCH: Partial<WireRules> = { dedupeOn: 'none', answersDuplicateCount: false }

export interface QuirkDefinition {
  readonly name: string
  /** The open question(s) of the API reference (U1–U17) this quirk answers the other way. */
  readonly question: string
  /** The passage of the docs it reads the other way. */
  readonly readsOtherWay: string
  /** What changes on the wire. */
  readonly effect: string
  /** Set for a quirk written `name=<value>`: what the value is. */
  readonly value?: 'seconds'
  readonly patch: (value: number) => Partial<WireRules>
}

export const QUIRKS: readonly QuirkDefinition[] = [
  {
    name: 'no-insert-counts',
    question: 'U11',
    readsOtherWay: '§4.1: the newer spec requires only `description` and `token_session`',
    effect: 'POST /passings answers without `inserted_count` and `duplicate_count`',
    patch: () => ({ answersInsertedCount: false, answersDuplicateCount: false })
  },
  {
    name: 'dedupe-bib',
    question: 'U11',
    readsOtherWay: 'the de-duplication key is not stated',
    effect: 'a passing whose bib the session already holds is a duplicate, whatever its number',
    patch: () => ({ dedupeOn: 'bib' })
  },
  {
    name: 'dedupe-chip-time',
    question: 'U11',
    readsOtherWay: '§4 overview: a passing is "bib and/or chip plus timestamp"',
    effect:
      'a passing with the same chip (both absent counts as the same) and timestamp as a stored one is a duplicate',
    patch: () => ({ dedupeOn: 'chip-timestamp' })
  },
  {
    name: 'close-closed-404',
    question: 'U10',
    readsOtherWay: '§3.2: closing documents only 200 and 404 `Session not found`',
    effect: 'closing a closed session answers 404 `Session not found`',
    patch: () => ({ closeClosedStatus: 404 })
  },
  {
    name: 'close-closed-400',
    question: 'U10',
    readsOtherWay: '§3.2: closing a closed session is not documented',
    effect: 'closing a closed session answers 400 `Session not found or closed`',
    patch: () => ({ closeClosedStatus: 400 })
  },
  {
    name: 'pages-from-0',
    question: 'U8',
    readsOtherWay: '§4.2: the page base is not stated for passings',
    effect: '`page` starts at 0 (the default page); `page=0` is the first page, not a 400',
    patch: () => ({ firstPage: 0 })
  },
  {
    name: 'exclusive-bounds',
    question: 'U8',
    readsOtherWay: '§4.2/§4.3: whether `first`/`last`, `from`/`to` include the bound is not stated',
    effect: 'range reads leave out the passings on the bounds themselves',
    patch: () => ({ exclusiveBounds: true })
  },
  {
    name: 'pages-of-1000',
    question: 'U8',
    readsOtherWay: '§4.2 says up to 5000; the newer events listing pages by 1000',
    effect: 'every paged read (and the default device `limit`) holds at most 1000 items',
    patch: () => ({ pageSize: 1000 })
  },
  {
    name: 'x-api-key-only',
    question: 'U3',
    readsOtherWay:
      '§1.2: legacy pages name `api_key`; proxies such as nginx drop headers with underscores by default',
    effect: 'the key is read from `x-api-key` only; `api_key` alone is 403',
    patch: () => ({ keyHeaders: ['x-api-key'] })
  },
  {
    name: 'created-200',
    question: 'U2',
    readsOtherWay: 'success codes of the inserts are not stated (201 only for bind)',
    effect: 'POST /devices, /sessions and /passings answer 200 instead of 201',
    patch: () => ({ createdStatus: 200 })
  },
  {
    name: 'pretty-json',
    question: 'U17',
    readsOtherWay: 'compact JSON is not a documented requirement',
    effect: 'bodies are indented by two spaces (`"key": "value"`)',
    patch: () => ({ jsonIndent: 2 })
  },
  {
    name: 'closed-insert-400',
    question: 'U6/U10',
    readsOtherWay: '§4.1: the status of `Session not found or closed` is not given',
    effect: 'passings into a closed or unknown session answer 400 instead of 404',
    patch: () => ({ closedInsertStatus: 400 })
  },
  {
    name: 'empty-list-wording',
    question: 'U6',
    readsOtherWay: 'the message for an empty list (rather than an unknown id) is not documented',
    effect: 'an empty list of a known device or session is 404 `No sessions` / `No passings`',
    patch: () => ({ noSessionsWording: 'No sessions', noPassingsWording: 'No passings' })
  },
  {
    name: 'session-expires',
    question: 'U10',
    readsOtherWay: '§3: a session lasts "until it stops"; who closes it, and when, is not stated',
    effect: 'the cloud closes a session by itself that many seconds after its creation',
    value: 'seconds',
    patch: seconds => ({ sessionLifetimeMs: seconds * 1000 })
  },
  {
    name: 'zoneless-timestamps',
    question: 'U12',
    readsOtherWay: '§1.5 and §6: the docs demand ISO 8601 with `Z`; the public Java client sends no zone',
    effect:
      'a passing `timestamp` (and `from`/`to`) of `yyyy-MM-dd HH:mm:ss.SSS` is accepted and read as UTC',
    patch: () => ({ acceptsZonelessTimestamps: true })
  },
  {
    name: 'strict-fields',
    question: 'U12',
    readsOtherWay: '§3.1/§4.1: the newer schema is `additionalProperties: false`',
    effect:
      'an unknown field in a session or passings body (`chips` too) is 400 `Invalid parameter: <field>`',
    patch: () => ({ refusesUnknownFields: true })
  }
]

/** A quirk or `--legacy`, as chosen, with the rules it sets. */
interface Choice {
  readonly label: string
  readonly patch: Partial<WireRules>
}

function choiceOf(spec: string): Choice {
  const [name = '', raw] = spec.split('=', 2)
  const quirk = QUIRKS.find(candidate => candidate.name === name.trim())
  if (!quirk) throw new Error(`--quirk "${spec}" is not one of: ${QUIRKS.map(q => q.name).join(', ')}.`)
  if (quirk.value === undefined) {
    if (raw !== undefined) throw new Error(`--quirk ${quirk.name} takes no value.`)
    return { label: `--quirk ${quirk.name}`, patch: quirk.patch(0) }
  }
  const value = Number(raw)
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`--quirk ${quirk.name} needs a number of ${quirk.value} above 0, as ${quirk.name}=<n>.`)
  }
  return { label: `--quirk ${quirk.name}=${raw}`, patch: quirk.patch(value) }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * The rules for the given quirk names (each `name` or `name=<value>`, commas allowed inside one entry) with or
 * without `--legacy`. Throws one sentence for an unknown quirk or for two switches that contradict each other.
 */
export function rulesOf(quirkSpecs: readonly string[], legacy = false): WireRules {
  const specs = quirkSpecs.flatMap(spec => spec.split(',')).filter(spec => spec.trim() !== '')
  const choices = specs.map(choiceOf)
  if (legacy) choices.unshift({ label: '--legacy', patch: LEGACY_PATCH })
  const setBy = new Map<keyof WireRules, Choice>()
  let rules: WireRules = DEFAULT_RULES
  for (const choice of choices) {
    for (const [field, value] of Object.entries(choice.patch) as [keyof WireRules, unknown][]) {
      const earlier = setBy.get(field)
      if (earlier && earlier.label !== choice.label && !sameValue(earlier.patch[field], value)) {
        throw new Error(
          `${earlier.label} and ${choice.label} cannot be combined: both decide ${RULE_TOPICS[field]}.`
        )
      }
      setBy.set(field, choice)
    }
    rules = { ...rules, ...choice.patch }
  }
  return rules
}

/** The quirks as `--help` lists them. */
export function quirksHelp(): string {
  const width = Math.max(...QUIRKS.map(q => q.name.length + (q.value ? q.value.length + 3 : 0)))
  return QUIRKS.map(q => {
    const name = q.value ? `${q.name}=<${q.value}>` : q.name
    return `  ${name.padEnd(width)}  ${q.question}: ${q.effect}`
  }).join('\n')
}
