import { RRBOX_INFO } from './protocols/rrbox'

/**
 * The reader details a screen shows, by the names the protocols report them under. Anything else a reader
 * sends (an RR box answering INFOGET codes nobody asked for, say) is kept only as the one latest "other"
 * detail, so a reader cannot grow the station's memory or its status answers. A protocol that reports a new
 * detail adds its name here.
 */
const KNOWN_DETAIL_KEYS: ReadonlySet<string> = new Set([
  ...Object.values(RRBOX_INFO),
  'rewindFrom',
  'epoch',
  // The RR box's clock check and memory (TIMESTAMPGET, PASSINGINFOGET, an answer from another index).
  'clockOffsetMs',
  'storedPassings',
  'storedIndexes',
  'indexMismatch',
  'transponderBattery',
  'deletedImpulse',
  'error',
  'firmware',
  'inventory',
  'readRate',
  'readerInfo',
  'totalReads'
])

/** Where any detail outside the known names goes: its name and value, the latest one only. */
export const OTHER_DETAIL_KEY = 'other'

export function isKnownDetailKey(key: string): boolean {
  return KNOWN_DETAIL_KEYS.has(key)
}
