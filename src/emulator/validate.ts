import type { NewPassing } from './store'

/** A request the emulator refuses with 400 and this description. */
export class BadRequest extends Error {}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Parses an ISO 8601 date-time with a zone; milliseconds are optional. */
export function parseIsoTimestamp(value: unknown, field: string): number {
  if (typeof value !== 'string' || !ISO_8601.test(value)) throw new BadRequest(`Invalid parameter: ${field}`)
  const ms = Date.parse(value)
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

/** Validates one element of `passings_list`; `chips` (the legacy table's spelling) is accepted for `chip`. */
export function parsePassing(value: unknown, index: number): NewPassing {
  const at = `passings_list[${index}]`
  if (!isRecord(value)) throw new BadRequest(`Invalid parameter: ${at}`)
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
    ts_ms: parseIsoTimestamp(value['timestamp'], `${at}.timestamp`),
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

export function queryDate(params: URLSearchParams, name: string): number | null {
  const raw = params.get(name)
  if (raw === null || raw === '') return null
  return parseIsoTimestamp(raw, name)
}
