import { SerialPort } from 'serialport'
import { probeCommand, rankProtocols, USUAL_BAUDS, type Protocol } from '../reader/protocols'

export interface DetectedReader {
  readonly protocol: Protocol
  readonly baudRate: number
  readonly score: number
  readonly reads: number
  /** How it was recognised. */
  readonly how: 'listening' | 'probe'
}

/** An open port for a short look, injectable for tests. */
export interface PortProbe {
  write(bytes: Uint8Array): void
  /** Bytes received since opening. */
  received(): Uint8Array
  close(): Promise<void>
}

export type OpenProbe = (path: string, baudRate: number) => Promise<PortProbe>

async function openSerialProbe(path: string, baudRate: number): Promise<PortProbe> {
  const port = new SerialPort({ path, baudRate, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open(error => (error ? reject(error) : resolve())))
  const chunks: Buffer[] = []
  port.on('data', (chunk: Buffer) => chunks.push(chunk))
  return {
    write: bytes => port.write(Buffer.from(bytes)),
    received: () => new Uint8Array(Buffer.concat(chunks)),
    close: () => new Promise(resolve => port.close(() => resolve()))
  }
}

const LISTENING: readonly Protocol[] = ['line', 'timy', 'chafon']
const PROBED: readonly Protocol[] = ['r2000', 'rrbox', 'chafon']

const wait = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/**
 * Finds which reader is on a port: first listens at the usual speeds (readers that talk unasked), then asks each
 * silent reader its own harmless status question at its usual speeds. Stops at the first clear answer.
 */
export async function detectReader(
  path: string,
  options: { readonly listenMs?: number; readonly probeMs?: number; readonly open?: OpenProbe } = {}
): Promise<DetectedReader[]> {
  const open = options.open ?? openSerialProbe
  const found: DetectedReader[] = []
  const clear = (candidate: { score: number; reads: number }) => candidate.score >= 0.8
  const listenBauds = [...new Set(LISTENING.flatMap(p => USUAL_BAUDS[p]))]
  for (const baudRate of listenBauds) {
    const probe = await open(path, baudRate)
    await wait(options.listenMs ?? 1200)
    const sample = probe.received()
    await probe.close()
    for (const candidate of rankProtocols(sample)) found.push({ ...candidate, baudRate, how: 'listening' })
    if (found.some(clear)) return sortFound(found)
  }
  for (const protocol of PROBED) {
    const question = probeCommand(protocol)
    if (!question) continue
    for (const baudRate of USUAL_BAUDS[protocol]) {
      const probe = await open(path, baudRate)
      probe.write(question)
      await wait(options.probeMs ?? 400)
      const answer = probe.received()
      await probe.close()
      const match = rankProtocols(answer).find(c => c.protocol === protocol)
      if (match) {
        found.push({ ...match, baudRate, how: 'probe' })
        if (clear(match)) return sortFound(found)
      }
    }
  }
  return sortFound(found)
}

function sortFound(found: DetectedReader[]): DetectedReader[] {
  return found.sort((a, b) => b.score - a.score || b.reads - a.reads)
}
