import type { StationMessage } from '../../shared/messages'

/**
 * How a chip becomes a bib. The API needs a bib on every passing, so the station always says which rule it uses:
 * - `chip`: the bib is the chip code (the default when nothing else is configured);
 * - `participants`: an imported file maps chips to bibs (a chip not in it gives a passing held without bib);
 * - `epc-ascii`: the tag carries the bib as ASCII in its EPC (padding and leading zeros removed).
 */
export type BibPolicy = 'chip' | 'participants' | 'epc-ascii'

export function bibFromEpcAscii(epcHex: string): string | null {
  if (!/^([0-9A-Fa-f]{2})+$/.test(epcHex)) return null
  let text = ''
  for (let i = 0; i < epcHex.length; i += 2) {
    const code = parseInt(epcHex.slice(i, i + 2), 16)
    if (code === 0) continue
    if (code < 0x20 || code > 0x7e) return null
    text += String.fromCharCode(code)
  }
  const bib = text.trim().replace(/^0+(?=.)/, '')
  return bib === '' ? null : bib
}

export interface Participant {
  readonly chip: string
  readonly bib: string
  readonly name: string | null
}

export const MAX_BIB_LENGTH = 32

/**
 * Why a bib typed or imported by a person cannot be used, or null when it can: no control characters (a line break
 * or a tab in a bib forges rows in exported files) and a length a race number can have. Bibs read from a reader are
 * never checked here: they are kept exactly as read and neutralised only on export.
 */
export function typedBibProblem(bib: string): StationMessage | null {
  if (bib.trim() === '') return { code: 'bib.empty', params: {} }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(bib)) return { code: 'bib.control-character', params: {} }
  if (bib.length > MAX_BIB_LENGTH) {
    return { code: 'bib.too-long', params: { length: bib.length, max: MAX_BIB_LENGTH } }
  }
  return null
}
