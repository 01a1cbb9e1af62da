/**
 * One line on stderr for a failure the code deliberately carries on past (a screen listener, a best-effort port
 * listing), so that no error disappears without a trace. Capture never waits on it.
 */
export function logIgnored(what: string, error: unknown): void {
  const text = error instanceof Error ? error.message : String(error)
  process.stderr.write(`RUFUS Station: ${what}, carrying on: ${text}\n`)
}
