import { EMPTY_STATE, type Decoder } from '../decoder'
import { createLineDecoder, type LineDecoderOptions } from '../line-decoder'
import { chafonFrame, CHAFON_CMD, createChafonDecoder } from './chafon'
import { createR2000Decoder, r2000Frame, R2000_CMD } from './r2000'
import { createRrBoxDecoder, RRBOX } from './rrbox'
import { createTimyDecoder, type TimyOptions } from './timy'

import { PROTOCOLS, type Protocol } from '../../../shared/protocols'

export { isProtocol, PROTOCOLS, USUAL_BAUDS, type Protocol } from '../../../shared/protocols'

export interface ProtocolOptions {
  readonly line?: LineDecoderOptions
  readonly timy?: TimyOptions
  readonly r2000Address?: number
}

export function createDecoder(protocol: Protocol, options: ProtocolOptions = {}): Decoder {
  switch (protocol) {
    case 'line':
      return createLineDecoder(options.line ?? { field: 'bib' })
    case 'r2000':
      return createR2000Decoder({ address: options.r2000Address })
    case 'rrbox':
      return createRrBoxDecoder()
    case 'timy':
      return createTimyDecoder(options.timy)
    case 'chafon':
      return createChafonDecoder()
  }
}

/**
 * A harmless status question for readers that stay silent until asked; null for readers that talk unasked.
 * (R2000: firmware version; RR box: battery level; Chafon: reader information.)
 */
export function probeCommand(protocol: Protocol): Uint8Array | null {
  switch (protocol) {
    case 'r2000':
      return r2000Frame(0xff, R2000_CMD.getFirmwareVersion)
    case 'rrbox':
      // The leading newline ends whatever a previous probe left in the box's line buffer.
      return new TextEncoder().encode(`\n${RRBOX.infoGet('08')}`)
    case 'chafon':
      return chafonFrame(0xff, CHAFON_CMD.readerInfo, [])
    case 'line':
    case 'timy':
      return null
  }
}

export interface ProtocolCandidate {
  readonly protocol: Protocol
  /** Share of the sample's bytes that decoded into valid frames (0–1). */
  readonly score: number
  readonly reads: number
  readonly statuses: number
  readonly badFrames: number
}

/**
 * Ranks the protocols that parse a sample of bytes cleanly: each decoder reads the sample, and scores by the
 * reads and statuses it found against the bad frames it reported. Protocols with no clean frame are left out.
 */
export function rankProtocols(sample: Uint8Array, options: ProtocolOptions = {}): ProtocolCandidate[] {
  const candidates: ProtocolCandidate[] = []
  for (const protocol of PROTOCOLS) {
    const decoder = createDecoder(protocol, protocol === 'line' ? { line: { field: 'chip' } } : options)
    const result = decoder.decode(EMPTY_STATE, { id: 1, bytes: sample, receivedAtUs: Date.now() * 1000 })
    const good = result.reads.length + (result.statuses?.length ?? 0)
    const bad = result.badFrames.length
    if (good === 0) continue
    const score = good / (good + bad * 2)
    candidates.push({
      protocol,
      score,
      reads: result.reads.length,
      statuses: result.statuses?.length ?? 0,
      badFrames: bad
    })
  }
  // A structured protocol that parses cleanly beats the catch-all line protocol on the same sample.
  const specificity = (p: Protocol) => (p === 'line' ? 0 : 1)
  return candidates.sort(
    (a, b) => b.score - a.score || specificity(b.protocol) - specificity(a.protocol) || b.reads - a.reads
  )
}
