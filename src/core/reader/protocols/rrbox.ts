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
import { mapReaderTime } from '../reader-clock'

/** Commands of the RACE RESULT USB Timing Box ASCII pull protocol (19200 8N1, `\n`-terminated). */
export const RRBOX = {
  ascii: 'ASCII\n',
  epochRefSet: (epochSeconds: number) => `EPOCHREFSET;${epochSeconds.toString(16).padStart(8, '0')}\n`,
  passingGet: (index: number) => `PASSINGGET;${index.toString(16).padStart(8, '0')}\n`,
  infoGet: (code: string) => `INFOGET;${code}\n`
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

type Mode = 'idle' | 'epoch' | 'passing-header' | 'passings' | 'info'

/**
 * The box's answers, line by line. Its time base: passing time = epoch + (ticks − reference ticks) / 256 s, with the
 * epoch the station set (EPOCHREFSET). Each passing's identity is its index in the box's memory, so a re-fetch
 * after a reconnect (rewind) never makes a second passing. The context carries the response being read and the
 * index to fetch next (`nextIndex`).
 */
export function createRrBoxDecoder(): Decoder {
  const text = new TextDecoder('latin1')

  const handleLine = (
    line: string,
    context: DecoderContext,
    at: { chunkId: number; offset: number; atUs: number },
    out: { reads: Read[]; bad: BadFrame[]; statuses: ReaderStatus[] }
  ): DecoderContext => {
    const mode = (context['mode'] as Mode | undefined) ?? 'idle'
    const bad = (reason: string) =>
      out.bad.push({ reason, chunkId: at.chunkId, offset: at.offset, bytes: line.length })
    if (line === '') return { ...context, mode: 'idle' }
    const fields = line.split(';')
    if (fields[0] === 'EPOCHREFSET') return { ...context, mode: fields[1] === '00' ? 'epoch' : 'idle' }
    if (fields[0] === 'PASSINGGET') {
      if (fields[1] === '00') return { ...context, mode: 'passing-header' }
      if (fields[1] === '10' && fields[2]) {
        // A bad start index: the box says where its memory begins.
        out.statuses.push({ key: 'rewindFrom', value: parseInt(fields[2], 16) })
        return { ...context, mode: 'idle', nextIndex: parseInt(fields[2], 16) }
      }
      bad(`PASSINGGET error ${fields[1] ?? '?'}`)
      return { ...context, mode: 'idle' }
    }
    if (fields[0] === 'ASCII') return context
    if (fields[0] === 'INFOGET' && fields.length >= 3) {
      out.statuses.push({
        key: RRBOX_INFO[(fields[1] ?? '').toLowerCase()] ?? `info${fields[1]}`,
        value: fields.slice(2).join(';')
      })
      return context
    }
    if (mode === 'epoch' && fields.length === 2) {
      const epoch = parseInt(fields[0] ?? '', 16)
      const ticks = parseInt(fields[1] ?? '', 16)
      if (Number.isNaN(epoch) || Number.isNaN(ticks)) {
        bad('bad epoch reference')
        return context
      }
      out.statuses.push({ key: 'epoch', value: epoch })
      return { ...context, mode: 'idle', epoch, refTicks: ticks, minDelayUs: null }
    }
    if (mode === 'passing-header' && fields.length === 2) {
      const index = parseInt(fields[0] ?? '', 16)
      const count = parseInt(fields[1] ?? '', 16)
      if (Number.isNaN(index) || Number.isNaN(count)) {
        bad('bad passing header')
        return { ...context, mode: 'idle' }
      }
      return { ...context, mode: 'passings', lineIndex: index, remaining: count }
    }
    if (mode === 'passings' && fields.length === 12) {
      const index = context['lineIndex'] as number
      const ticks = parseInt(fields[2] ?? '', 16)
      const epoch = context['epoch']
      const refTicks = context['refTicks']
      if (Number.isNaN(ticks) || typeof epoch !== 'number' || typeof refTicks !== 'number') {
        bad(typeof epoch !== 'number' ? 'passing before the epoch reference was set' : 'bad passing time')
        return { ...context, lineIndex: index + 1 }
      }
      const readerUs = epoch * 1_000_000 + Math.round(((ticks - refTicks) * 1_000_000) / TICKS_PER_SECOND)
      const mapped = mapReaderTime(readerUs, at.atUs, context)
      const chip = fields[0] ?? ''
      const loop = parseInt(fields[8] ?? '', 16)
      const battery = parseInt(fields[5] ?? '', 16)
      if (!Number.isNaN(battery)) out.statuses.push({ key: 'transponderBattery', value: battery / 10 })
      if (chip !== '_____127') {
        out.reads.push({
          chip,
          bib: null,
          timeUs: mapped.timeUs,
          chunkId: at.chunkId,
          offset: at.offset,
          readerKey: `rr${index}`,
          hits: parseInt(fields[3] ?? '', 16),
          rssi: parseInt(fields[4] ?? '', 16),
          ...(Number.isNaN(loop) ? {} : { antenna: loop + 1 }),
          clockOffsetMs: mapped.clockOffsetMs
        })
      }
      const fetched = Math.max(typeof context['nextIndex'] === 'number' ? context['nextIndex'] : 0, index + 1)
      return { ...mapped.context, lineIndex: index + 1, nextIndex: fetched }
    }
    bad('unexpected line')
    // An answer cut by garbage: stop expecting its rest.
    return mode === 'epoch' || mode === 'passing-header' ? { ...context, mode: 'idle' } : context
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
      const { epoch: _e, refTicks: _r, minDelayUs: _m, ...kept } = state.context
      return truncatedTail(state, 'line', { ...kept, mode: 'idle' })
    }
  }
}
