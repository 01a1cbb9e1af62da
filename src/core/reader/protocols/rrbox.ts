import {
  dropRunawayLine,
  truncatedTail,
  joinBytes,
  keepTail,
  positionIn,
  type BadFrame,
  type DecodeResult,
  type Decoder,
  type DecoderContext,
  type DecoderState,
  type RawChunk,
  type Read,
  type ReaderStatus
} from '../decoder'

/** Commands of the RACE RESULT USB Timing Box ASCII pull protocol (19200 8N1, `\n`-terminated). */
export const RRBOX = {
  ascii: 'ASCII\n',
  epochRefSet: (epochSeconds: number) => `EPOCHREFSET;${epochSeconds.toString(16).padStart(8, '0')}\n`,
  passingGet: (index: number) => `PASSINGGET;${index.toString(16).padStart(8, '0')}\n`,
  infoGet: (code: string) => `INFOGET;${code}\n`,
  timestampGet: 'TIMESTAMPGET\n'
} as const

/** INFOGET codes the station asks for, and what they mean. */
export const RRBOX_INFO: Record<string, string> = {
  '05': 'batteryVolts',
  '07': 'batteryState',
  '08': 'batteryPercent',
  '09': 'temperature',
  '0a': 'supplyVolts',
  '0b': 'loopStatus'
}

const TICKS_PER_SECOND = 256
const LF = 0x0a
/**
 * A status line opens every answer: `<COMMAND>;<two hex digits>`, `00` for OK. The commands the station sends are
 * found at the end of a line too, so noise that ran into a status line costs nothing; others only as a whole line.
 */
const KNOWN_STATUS_LINE =
  /(ASCII|EPOCHREFSET|EPOCHREFGET|PASSINGINFOGET|PASSINGGET|INFOGET|CONFSET|TIMESTAMPGET);([0-9A-Fa-f]{2})$/
const OTHER_STATUS_LINE = /^([A-Z]+);([0-9A-Fa-f]{2})$/
const HEX = /^[0-9A-Fa-f]+$/
/** A passing line that cannot be read is fetched again this many times, then skipped (the box still holds it). */
const PASSING_TRIES = 3

/** Where the decoder is: between answers, in an answer's body, or ignoring the rest of an answer. */
type Mode = 'idle' | 'body' | 'skip'

interface Out {
  readonly reads: Read[]
  readonly bad: BadFrame[]
  readonly statuses: ReaderStatus[]
}

type At = { chunkId: number; offset: number; atUs: number }

const num = (context: DecoderContext, key: string): number | null => {
  const value = context[key]
  return typeof value === 'number' ? value : null
}

/** The box's time of a tick count, µs since the epoch: epoch + (ticks − reference ticks) / 256 s. */
function boxTimeUs(context: DecoderContext, ticks: number): number | null {
  const epoch = num(context, 'epoch')
  const refTicks = num(context, 'refTicks')
  if (epoch === null || refTicks === null) return null
  return epoch * 1_000_000 + Math.round(((ticks - refTicks) * 1_000_000) / TICKS_PER_SECOND)
}

/**
 * One passing line (12 `;` fields) at box index `index`, or pushed (`index` null: a `#P;` line carries no index).
 * Its time is the box's own, used as it is: the station set the box's epoch, so the box's clock already is the
 * laptop's, for live passings and for those stored while the station was away alike. Without a time base yet, or
 * when the line is damaged, the passing is fetched again.
 */
function passingLine(
  fields: readonly string[],
  index: number | null,
  context: DecoderContext,
  at: At,
  out: Out
): DecoderContext {
  const chip = fields[0] ?? ''
  const ticksText = fields[2] ?? ''
  const wellFormed = fields.length === 12 && chip !== '' && HEX.test(ticksText)
  const timeUs = wellFormed ? boxTimeUs(context, parseInt(ticksText, 16)) : null
  if (!wellFormed || timeUs === null) {
    if (index === null) {
      // A pushed passing that cannot be used stays in the box, which gives it again when its index is fetched.
      out.bad.push({
        reason: 'pushed passing unreadable or before the epoch reference; left to fetching',
        chunkId: at.chunkId,
        offset: at.offset,
        bytes: fields.join(';').length
      })
      return context
    }
    const tries = context['badIndex'] === index ? (num(context, 'badTries') ?? 0) + 1 : 1
    const giveUp = wellFormed ? false : tries >= PASSING_TRIES
    out.bad.push({
      reason: !wellFormed
        ? giveUp
          ? `passing ${index} unreadable ${tries} times; skipped (it stays in the box)`
          : `passing ${index} unreadable; fetched again`
        : `passing ${index} came before the epoch reference; fetched again`,
      chunkId: at.chunkId,
      offset: at.offset,
      bytes: fields.join(';').length
    })
    const next = giveUp ? index + 1 : Math.min(num(context, 'nextIndex') ?? index, index)
    return { ...context, mode: 'skip', nextIndex: next, badIndex: index, badTries: giveUp ? 0 : tries }
  }
  const loop = parseInt(fields[8] ?? '', 16)
  const battery = parseInt(fields[5] ?? '', 16)
  if (!Number.isNaN(battery)) out.statuses.push({ key: 'transponderBattery', value: battery / 10 })
  const clockOffsetMs = num(context, 'clockOffsetMs')
  if (chip !== '_____127') {
    out.reads.push({
      chip,
      bib: null,
      timeUs,
      chunkId: at.chunkId,
      offset: at.offset,
      // The index with the ticks: a re-fetch gives the same identity, a box whose memory was cleared does not.
      // A pushed passing has no index: its chip and ticks identify it (fetched later, it is a duplicate read).
      readerKey:
        index === null ? `rrP:${chip}:${ticksText.toLowerCase()}` : `rr${index}:${ticksText.toLowerCase()}`,
      hits: parseInt(fields[3] ?? '', 16),
      rssi: parseInt(fields[4] ?? '', 16),
      ...(Number.isNaN(loop) ? {} : { antenna: loop + 1 }),
      ...(clockOffsetMs === null ? {} : { clockOffsetMs })
    })
  }
  // A pushed passing never moves the index to fetch: the box may still hold passings before it not yet fetched
  // (stored while the cable was out), which that index would skip.
  if (index === null) return context
  return { ...context, nextIndex: Math.max(num(context, 'nextIndex') ?? 0, index + 1) }
}

/** A body line of the answer being read, by the command that answer is for. */
function bodyLine(fields: readonly string[], context: DecoderContext, at: At, out: Out): DecoderContext {
  const command = context['command']
  const ok = context['status'] === '00'
  const line = num(context, 'bodyLine') ?? 0
  const next = { ...context, bodyLine: line + 1 }
  const hexAt = (i: number) => (HEX.test(fields[i] ?? '') ? parseInt(fields[i] ?? '', 16) : null)
  const bad = (reason: string) => {
    out.bad.push({ reason, chunkId: at.chunkId, offset: at.offset, bytes: fields.join(';').length })
    return { ...next, mode: 'skip' }
  }
  if (command === 'PASSINGGET' && !ok) {
    // `10`: a start index the box no longer holds; the body says where its memory begins now.
    const firstValid = hexAt(1)
    if (context['status'] === '10' && line === 0 && firstValid !== null) {
      out.statuses.push({ key: 'rewindFrom', value: firstValid })
      return { ...next, nextIndex: firstValid }
    }
    return bad(`PASSINGGET error ${String(context['status'])}`)
  }
  if (command === 'PASSINGGET' && line === 0) {
    const index = hexAt(0)
    const count = hexAt(1)
    if (index === null || count === null || fields.length !== 2) return bad('bad passing header')
    const asked = num(context, 'nextIndex') ?? index
    // An answer that starts past the index asked for: as metarace does, start over from 0, which the box answers
    // with its first valid index. The passings in this answer are still read (their identity survives a re-fetch).
    const restart = index > asked
    if (restart) out.statuses.push({ key: 'indexMismatch', value: `asked ${asked}, box answered ${index}` })
    return { ...next, lineIndex: index, restartAfter: restart }
  }
  if (command === 'PASSINGGET') {
    const index = num(context, 'lineIndex') ?? 0
    const after = passingLine(fields, index, next, at, out)
    return { ...after, lineIndex: index + 1 }
  }
  if ((command === 'EPOCHREFSET' || command === 'EPOCHREFGET') && ok && line === 0) {
    const epoch = hexAt(0)
    const refTicks = hexAt(1)
    if (epoch === null || refTicks === null) return bad('bad epoch reference')
    out.statuses.push({ key: 'epoch', value: epoch })
    return { ...next, epoch, refTicks }
  }
  if ((command === 'INFOGET' || command === 'CONFSET') && ok && fields.length >= 2) {
    const code = (fields[0] ?? '').toLowerCase()
    const key = command === 'INFOGET' ? (RRBOX_INFO[code] ?? `info${code}`) : `config${code}`
    out.statuses.push({ key, value: fields.slice(1).join(';') })
    return next
  }
  if (command === 'TIMESTAMPGET' && ok && line === 0) {
    // A clock check: how far the box's clock is from the laptop's as this line arrives. It may warn; it never
    // moves a passing's time (the arrival includes the line's delay, the box's time does not).
    const ticks = hexAt(0)
    const boxUs = ticks === null ? null : boxTimeUs(context, ticks)
    if (boxUs === null) return next
    const clockOffsetMs = Math.round((boxUs - at.atUs) / 1000)
    out.statuses.push({ key: 'clockOffsetMs', value: clockOffsetMs })
    return { ...next, clockOffsetMs }
  }
  if (command === 'PASSINGINFOGET' && ok && line === 0) {
    const [count, first, last] = [hexAt(0), hexAt(1), hexAt(3)]
    if (count !== null) out.statuses.push({ key: 'storedPassings', value: count })
    if (first !== null && last !== null)
      out.statuses.push({ key: 'storedIndexes', value: `${first}–${last}` })
    return next
  }
  return next
}

/**
 * The box's answers, framed as the public metarace client reads a real box: a status line `<COMMAND>;<status>`,
 * body lines, an empty line. Values are in the body. Passings pushed by the box (`#P;` + 12 fields) may come
 * between answers. The context carries the answer being read, the time base, and `nextIndex`, the index to fetch
 * next; each passing's identity is its box index with its ticks, so a re-fetch never makes a second passing.
 */
export function createRrBoxDecoder(): Decoder {
  const text = new TextDecoder('latin1')

  const handleLine = (line: string, context: DecoderContext, at: At, out: Out): DecoderContext => {
    const mode = (context['mode'] as Mode | undefined) ?? 'idle'
    if (line === '') {
      // The end of an answer (counted even when its status line was lost, so the next command goes out); an index
      // that did not match what was asked means starting over.
      const { restartAfter, ...rest } = context
      return {
        ...rest,
        mode: 'idle',
        answers: ((num(context, 'answers') ?? 0) + 1) % 1_000_000,
        ...(restartAfter === true ? { nextIndex: 0 } : {})
      }
    }
    if (line.startsWith('#P;')) {
      const after = passingLine(line.slice(3).split(';'), null, context, at, out)
      // A pushed passing never ends or skips the answer around it.
      return { ...after, mode }
    }
    const status = KNOWN_STATUS_LINE.exec(line) ?? OTHER_STATUS_LINE.exec(line)
    if (status) {
      // A status line starts an answer, even when the previous one lost its empty line.
      const { restartAfter: _r, ...rest } = context
      return {
        ...rest,
        mode: 'body',
        command: status[1] ?? '',
        status: (status[2] ?? '').toLowerCase(),
        bodyLine: 0
      }
    }
    if (mode === 'skip') return context
    if (mode === 'body') return bodyLine(line.split(';'), context, at, out)
    out.bad.push({ reason: 'unexpected line', chunkId: at.chunkId, offset: at.offset, bytes: line.length })
    return context
  }

  return {
    protocol: 'rrbox',
    decode(state: DecoderState, chunk: RawChunk): DecodeResult {
      const buffer = joinBytes(state.pending, chunk.bytes)
      const out = { reads: [] as Read[], bad: [] as BadFrame[], statuses: [] as ReaderStatus[] }
      let context = state.context
      let from = 0
      for (let end = buffer.indexOf(LF, from); end >= 0; end = buffer.indexOf(LF, from)) {
        const line = text.decode(buffer.subarray(from, end)).replace(/\r$/, '')
        context = handleLine(line, context, positionIn(state, chunk, from), out)
        from = end + 1
      }
      from = dropRunawayLine(state, chunk, buffer, from, 256, out.bad)
      return {
        state: keepTail(state, chunk, buffer, from, context),
        reads: out.reads,
        badFrames: out.bad,
        statuses: out.statuses
      }
    },
    finish(state: DecoderState): DecodeResult {
      // A response cut off by the connection: what was not read is fetched again from `nextIndex`. The time base
      // belongs to the connection and is set again on the next one.
      const { epoch: _e, refTicks: _r, clockOffsetMs: _c, restartAfter: _a, ...kept } = state.context
      return truncatedTail(state, 'line', { ...kept, mode: 'idle' })
    }
  }
}
