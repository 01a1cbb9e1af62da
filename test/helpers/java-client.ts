/**
 * A stand-in for the one public client of the RUFUS API (protanvir/TasTimer, `RufusAPIClient.java`), sending what
 * the API reference (§6) says it really sends: `x-api-key` only, a bind that takes 409 as success, a session made
 * lazily before the first passing, one passing per request numbered by a counter that is never reset, local
 * timestamps without a zone (`yyyy-MM-dd HH:mm:ss.SSS`), and answers read by naive string search for `"<field>":"`.
 * Written here from that description, not from the station's client, so nothing of ours leaks into it.
 */

export interface JavaAnswer {
  readonly status: number
  readonly text: string
}

/** What the client finds by searching for `"<field>":"` up to the next quote; null when the text has no such run. */
export function naiveField(text: string, field: string): string | null {
  const marker = `"${field}":"`
  const start = text.indexOf(marker)
  if (start < 0) return null
  const end = text.indexOf('"', start + marker.length)
  return end < 0 ? null : text.slice(start + marker.length, end)
}

const two = (n: number) => String(n).padStart(2, '0')

/** `LocalDateTime.now()` formatted `yyyy-MM-dd HH:mm:ss.SSS`, on a laptop `utcOffsetMinutes` east of UTC. */
export function javaLocalTimestamp(instant: Date, utcOffsetMinutes: number): string {
  const local = new Date(instant.getTime() + utcOffsetMinutes * 60_000)
  return (
    `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())} ` +
    `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}.` +
    String(local.getUTCMilliseconds()).padStart(3, '0')
  )
}

export class JavaClientStandIn {
  deviceid: string | null = null
  token: string | null = null
  /** Process-wide, from 1, not reset per session (so a later session starts above 1). */
  #counter = 0
  /** What a real run would have logged: every answer other than 200/201 (and 409 on bind). */
  readonly logged: JavaAnswer[] = []

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly laptop: { readonly utcOffsetMinutes: number; readonly now: () => Date }
  ) {}

  async #post(path: string, body: unknown): Promise<JavaAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-api-key': this.apiKey },
      body: JSON.stringify(body)
    })
    return { status: response.status, text: await response.text() }
  }

  /** Binds (an already bound serial answers 409 with its id, which the client takes as success). */
  async bind(serialNumber: string, alias: string): Promise<JavaAnswer> {
    const answer = await this.#post('/devices', {
      type: 'CUSTOM_CHRONO',
      model: 'TimingSoft',
      serial_number: serialNumber,
      alias
    })
    if ([200, 201, 409].includes(answer.status)) this.deviceid = naiveField(answer.text, 'deviceid')
    else this.logged.push(answer)
    return answer
  }

  async newSession(): Promise<JavaAnswer> {
    const answer = await this.#post('/sessions', { deviceid: this.deviceid, alias: 'TimingSoft' })
    if ([200, 201].includes(answer.status)) this.token = naiveField(answer.text, 'token_session')
    else this.logged.push(answer)
    return answer
  }

  /** Sends one read (its EPC as the bib, no chip field) in a request of its own, stamped with the laptop's time. */
  async sendPassing(epc: string): Promise<JavaAnswer> {
    if (this.token === null) await this.newSession()
    this.#counter += 1
    const timestamp = javaLocalTimestamp(this.laptop.now(), this.laptop.utcOffsetMinutes)
    const answer = await this.#post('/passings', {
      token_session: this.token,
      passings_list: [{ timestamp, num_passing: this.#counter, bib: epc }]
    })
    if (![200, 201].includes(answer.status)) this.logged.push(answer)
    return answer
  }
}
