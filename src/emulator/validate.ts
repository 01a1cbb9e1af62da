import { DEFAULT_RULES, type WireRules } from './quirks'
import type { NewPassing } from './store'

/** A request the emulator refuses with 400 and this description. */
export class BadRequest extends Error {}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/
/** What the public Java client sends (`LocalDateTime` as `yyyy-MM-dd HH:mm:ss.SSS`): no `T`, no zone. */
const ZONELESS = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3})$/

/** The rules that decide how request bodies are read. */
export type Leniency = Pick<WireRules, 'acceptsZonelessTimestamps' | 'refusesUnknownFields'>

const DEFAULT_LENIENCY: Leniency = DEFAULT_RULES

const PASSING_FIELDS = [
  'bib',
  'num_passing',
  'timestamp',
  'chip',
  'participant_id',
  'gender',
  'status',
  'timezone',
  'latitude',
  'longitude'
]

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Parses an ISO 8601 date-time with a zone (milliseconds optional), or a zone-less one as UTC when allowed. */
export function parseIsoTimestamp(value: unknown, field: string, leniency = DEFAULT_LENIENCY): number {
  if (typeof value !== 'string') throw new BadRequest(`Invalid parameter: ${field}`)
  const zoneless = leniency.acceptsZonelessTimestamps ? ZONELESS.exec(value) : null
  const text = zoneless ? `${zoneless[1]}T${zoneless[2]}Z` : value
  if (!ISO_8601.test(text)) throw new BadRequest(`Invalid parameter: ${field}`)
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new BadRequest(`Invalid parameter: ${field}`)
  return ms
}

export function requiredString(body: Record<string, unknown>, field: string, label = field): string {
  const value = body[field]
  if (value === undefined || value === null || value === '') {
    throw new BadRequest('Missing required parameters')
  }
  if (typeof value !== 'string') throw new BadRequest(`Invalid parameter: ${label}`)
  return value
}

export function optionalString(body: Record<string, unknown>, field: string, label = field): string | null {
  const value = body[field]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new BadRequest(`Invalid parameter: ${label}`)
  return value
}

function coordinateText(value: unknown, label: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
    return JSON.stringify(value)
  }
  throw new BadRequest(`Invalid parameter: ${label}`)
}

/** Under the strict schema, the first field not in `allowed` is a 400 naming it. */
export function refuseUnknownFields(
  body: Record<string, unknown>,
  allowed: readonly string[],
  leniency: Leniency,
  at = ''
): void {
  if (!leniency.refusesUnknownFields) return
  const unknown = Object.keys(body).find(field => !allowed.includes(field))
  if (unknown !== undefined) throw new BadRequest(`Invalid parameter: ${at}${unknown}`)
}

/** Validates one element of `passings_list`; `chips` (the legacy table's spelling) is accepted for `chip`. */
export function parsePassing(value: unknown, index: number, leniency = DEFAULT_LENIENCY): NewPassing {
  const at = `passings_list[${index}]`
  if (!isRecord(value)) throw new BadRequest(`Invalid parameter: ${at}`)
  refuseUnknownFields(value, PASSING_FIELDS, leniency, `${at}.`)
  const bib = requiredString(value, 'bib', `${at}.bib`)
  const num = value['num_passing']
  if (num === undefined || num === null) throw new BadRequest('Missing required parameters')
  if (typeof num !== 'number' || !Number.isSafeInteger(num) || num < 0) {
    throw new BadRequest(`Invalid parameter: ${at}.num_passing`)
  }
  if (value['timestamp'] === undefined || value['timestamp'] === null) {
    throw new BadRequest('Missing required parameters')
  }
  const chipField = value['chip'] !== undefined ? 'chip' : 'chips'
  return {
    num_passing: num,
    bib,
    ts_ms: parseIsoTimestamp(value['timestamp'], `${at}.timestamp`, leniency),
    chip: optionalString(value, chipField, `${at}.${chipField}`),
    participant_id: optionalString(value, 'participant_id', `${at}.participant_id`),
    gender: optionalString(value, 'gender', `${at}.gender`),
    status: optionalString(value, 'status', `${at}.status`),
    timezone: optionalString(value, 'timezone', `${at}.timezone`),
    latitude: coordinateText(value['latitude'], `${at}.latitude`),
    longitude: coordinateText(value['longitude'], `${at}.longitude`)
  }
}

/** Reads an optional integer query parameter with a lower bound. */
export function queryInteger(
  params: URLSearchParams,
  name: string,
  min: number,
  max?: number
): number | null {
  const raw = params.get(name)
  if (raw === null || raw === '') return null
  if (!/^-?\d+$/.test(raw)) throw new BadRequest(`Invalid parameter: ${name}`)
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new BadRequest(`Invalid parameter: ${name}`)
  }
  return value
}

export function queryDate(params: URLSearchParams, name: string, leniency = DEFAULT_LENIENCY): number | null {
  const raw = params.get(name)
  if (raw === null || raw === '') return null
  return parseIsoTimestamp(raw, name, leniency)
}
