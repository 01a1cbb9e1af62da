import type { DeviceRow, PassingRow, SessionRow } from './store'

/** Descriptions exactly as the public documentation prints them, misspellings included. */
export const DESCRIPTIONS = {
  success: 'Success',
  deviceBound: 'Device binded succesfully',
  deviceAlreadyBound: 'Device already binded',
  deviceUnbound: 'Device unbinded succesfully',
  deviceNotFound: 'Device not found',
  sessionInserted: 'Session inserted succesfully',
  sessionClosed: 'Session closed succesfully',
  sessionNotFound: 'Session not found',
  sessionsNotFound: 'Sessions not found',
  sessionNotFoundOrClosed: 'Session not found or closed',
  passingsInserted: 'Passings inserted succesfully',
  passingsNotFound: 'Passings not found',
  forbidden: 'Forbidden',
  missingParameters: 'Missing required parameters',
  malformedJson: 'Malformed JSON body',
  payloadTooLarge: 'Payload too large',
  tooManyRequests: 'Too many requests',
  internalError: 'Internal server error',
  routeNotFound: 'Not found',
  methodNotAllowed: 'Method not allowed',
  // Not RUFUS wording (its answers to these are not documented): the emulator's own, for requests no client sends.
  malformedPath: 'Malformed request path (bad percent-encoding or not a URL path)',
  foreignHost: 'Unknown Host: the admin surface answers only on this loopback address'
} as const

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

/** Coordinates are stored as the JSON text the client sent, so a string comes back a string. */
function coordinate(stored: string | null): unknown {
  return stored === null ? null : (JSON.parse(stored) as unknown)
}

/** A passing in the documented key order of the range read. */
export function passingJson(row: PassingRow): Record<string, unknown> {
  return {
    token_session: row.token_session,
    timestamp: new Date(row.ts_ms).toISOString(),
    num_passing: row.num_passing,
    latitude: coordinate(row.latitude),
    longitude: coordinate(row.longitude),
    status: row.status,
    participant_id: row.participant_id,
    chip: row.chip,
    bib: row.bib,
    timezone: row.timezone,
    gender: row.gender,
    deviceid: row.deviceid
  }
}

export function sessionListItemJson(row: SessionRow): Record<string, unknown> {
  return {
    token_session: row.token_session,
    alias: row.alias,
    creation_date: row.creation_date,
    active: row.active === 1,
    passings: row.passings
  }
}

/** `duration` is undocumented: the emulator reports the latest passing time, else the creation date. */
export function sessionDetailJson(row: SessionRow): Record<string, unknown> {
  return {
    token_session: row.token_session,
    alias: row.alias,
    creation_date: row.creation_date,
    duration: isoOrNull(row.last_ms) ?? row.creation_date,
    active: row.active === 1,
    passings: row.passings,
    first: isoOrNull(row.first_ms),
    last: isoOrNull(row.last_ms)
  }
}

export function deviceInfoJson(row: DeviceRow): Record<string, unknown> {
  return {
    deviceid: row.deviceid,
    type: row.type,
    model: row.model,
    alias: row.alias,
    firmware: row.firmware,
    serial_number: row.serial_number,
    creation_date: row.creation_date,
    sessions: row.sessions,
    passings: row.passings,
    last_seen: row.last_seen
  }
}

export function deviceSummaryJson(row: DeviceRow): Record<string, unknown> {
  return {
    deviceid: row.deviceid,
    type: row.type,
    model: row.model,
    alias: row.alias,
    firmware: row.firmware,
    serial_number: row.serial_number,
    last_login: row.last_seen,
    creation_date: row.creation_date,
    sessions: row.sessions,
    device_status: null,
    battery_percentage: null,
    charging: null,
    last_telemetry_at: null
  }
}
