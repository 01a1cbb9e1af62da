import { z } from 'zod'

/** Dates as the API writes them; kept as strings (ISO 8601 UTC) and parsed by whoever needs the time. */
const isoDate = z.string()
const nullableString = z
  .string()
  .nullable()
  .optional()
  .transform(value => value ?? null)
/** Coordinates arrive as strings in legacy answers and as numbers in the newer spec. */
const coordinate = z
  .union([z.string(), z.number()])
  .nullable()
  .optional()
  .transform(value => value ?? null)

export const passingSchema = z.object({
  token_session: z.string(),
  timestamp: isoDate,
  num_passing: z.number().int(),
  bib: z.string(),
  chip: nullableString,
  participant_id: nullableString,
  gender: nullableString,
  status: nullableString,
  timezone: nullableString,
  latitude: coordinate,
  longitude: coordinate,
  deviceid: nullableString
})
export type CloudPassing = z.infer<typeof passingSchema>

export const bindResponseSchema = z.object({
  description: z.string().optional(),
  deviceid: z.string().min(1)
})

export const deviceInfoSchema = z.object({
  deviceid: z.string(),
  type: nullableString,
  model: nullableString,
  alias: nullableString,
  firmware: nullableString,
  serial_number: nullableString,
  creation_date: nullableString,
  sessions: z.number().int().nullable().optional(),
  passings: z.number().int().nullable().optional(),
  last_seen: nullableString
})
export type DeviceInfo = z.infer<typeof deviceInfoSchema>

export const deviceSummarySchema = z.looseObject({
  deviceid: z.string(),
  type: nullableString,
  model: nullableString,
  alias: nullableString,
  firmware: nullableString,
  serial_number: nullableString,
  last_login: nullableString,
  creation_date: nullableString,
  sessions: z.number().int().nullable().optional()
})
export type DeviceSummary = z.infer<typeof deviceSummarySchema>

export const paginationSchema = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  has_more: z.boolean()
})

/** The newer spec requires only `description` and `pagination`: a list without `result` holds no devices. */
export const devicesResponseSchema = z.object({
  result: z.array(deviceSummarySchema).optional().default([]),
  pagination: paginationSchema.optional()
})

export const sessionSummarySchema = z.object({
  token_session: z.string(),
  alias: nullableString,
  creation_date: nullableString,
  active: z.boolean(),
  passings: z.number().int().nullable().optional()
})
export type SessionSummary = z.infer<typeof sessionSummarySchema>

export const sessionDetailSchema = sessionSummarySchema.extend({
  duration: nullableString,
  first: nullableString,
  last: nullableString
})
export type SessionDetail = z.infer<typeof sessionDetailSchema>

export const tokenResponseSchema = z.object({
  description: z.string().optional(),
  token_session: z.string().min(1)
})

/**
 * The newer spec requires only `description` and `token_session`; both counts are optional (U11). An object with
 * none of these four is not an answer to an insert (an empty body, a proxy's JSON): the client calls it ambiguous.
 */
export const insertPassingsResponseSchema = z
  .object({
    description: z.string().optional(),
    token_session: z.string().optional(),
    inserted_count: z.number().int().nonnegative().optional(),
    duplicate_count: z.number().int().nonnegative().optional()
  })
  .refine(
    answer =>
      answer.description !== undefined ||
      answer.token_session !== undefined ||
      answer.inserted_count !== undefined ||
      answer.duplicate_count !== undefined,
    { message: 'not an answer to an insert' }
  )
export type InsertPassingsResult = z.infer<typeof insertPassingsResponseSchema>

export const resultListSchema = <T extends z.ZodType>(item: T) => z.object({ result: z.array(item) })
export const resultObjectSchema = <T extends z.ZodType>(item: T) => z.object({ result: item })

export const pollingResponseSchema = z.object({
  deviceid: z.string().optional(),
  session_used: z.string().nullable().optional(),
  session_label: z.string().nullable().optional(),
  resumed_from: z.number().int().nullable().optional(),
  passings: z.array(passingSchema.partial({ token_session: true, deviceid: true }))
})
export type PollingResult = z.infer<typeof pollingResponseSchema>

/** What the station sends for one passing. */
export interface OutgoingPassing {
  readonly bib: string
  readonly num_passing: number
  /** ISO 8601 UTC with milliseconds. */
  readonly timestamp: string
  readonly chip?: string | null
  readonly participant_id?: string | null
  readonly gender?: string | null
  readonly status?: string | null
  readonly timezone?: string | null
  readonly latitude?: string | number | null
  readonly longitude?: string | number | null
}
