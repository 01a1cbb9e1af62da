import { z } from 'zod'

/** RUFUS Cloud's production API, including the version: the default for the client, the settings and the wizard. */
export const PRODUCTION_API_URL = 'https://api.runonrufus.com/v0'

/** An API address: http or https only, so a missing scheme (`localhost:4100`, which parses as a URL) is refused. */
export const API_URL = z.url({ protocol: /^https?$/ })
