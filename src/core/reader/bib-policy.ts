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

/** Parses a participants CSV with a header naming `chip` and `bib` (and optionally `name`); `;` or `,`. */
export function parseParticipantsCsv(text: string): { participants: Participant[]; errors: string[] } {
  const lines = text.split(/\r?\n/).filter(line => line.trim() !== '')
  const errors: string[] = []
  if (lines.length === 0) return { participants: [], errors: ['The file is empty.'] }
  const separator = (lines[0] ?? '').includes(';') ? ';' : ','
  const header = (lines[0] ?? '').split(separator).map(h => h.trim().toLowerCase().replace(/^"|"$/g, ''))
  const chipColumn = header.indexOf('chip')
  const bibColumn = header.indexOf('bib')
  const nameColumn = header.indexOf('name')
  if (chipColumn < 0 || bibColumn < 0) {
    return {
      participants: [],
      errors: ['The first line must name the columns, with at least "chip" and "bib".']
    }
  }
  const participants: Participant[] = []
  const seen = new Map<string, number>()
  lines.slice(1).forEach((line, index) => {
    const cells = line.split(separator).map(c => c.trim().replace(/^"|"$/g, ''))
    const chip = cells[chipColumn] ?? ''
    const bib = cells[bibColumn] ?? ''
    if (!chip || !bib) {
      errors.push(`Line ${index + 2}: chip or bib is empty.`)
      return
    }
    const earlier = seen.get(chip)
    if (earlier !== undefined) {
      errors.push(
        `Line ${index + 2}: chip ${chip} was already given on line ${earlier}; the later line wins.`
      )
    }
    seen.set(chip, index + 2)
    participants.push({ chip, bib, name: nameColumn >= 0 ? cells[nameColumn] || null : null })
  })
  return { participants, errors }
}
