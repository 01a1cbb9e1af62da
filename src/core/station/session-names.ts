const MAX_ALIAS = 60

/**
 * The name of the session opened after `last`: a trailing number goes up by one ("FINISH 2" → "FINISH 3"),
 * otherwise " 2" is added ("FINISH" → "FINISH 2"). Kept within the 60 characters a session name may have.
 */
export function nextSessionAlias(last: string): string {
  const trimmed = last.trim() || 'FINISH'
  const match = /^(.*?)(\d+)$/.exec(trimmed)
  const base = match ? (match[1] ?? '') : `${trimmed} `
  const suffix = match ? String(Number(match[2]) + 1) : '2'
  return `${base.slice(0, MAX_ALIAS - suffix.length)}${suffix}`
}
