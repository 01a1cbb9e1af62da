import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Station } from '../core/station/station'
import { startEmulator } from '../emulator/server'
import { chipOf, SIMULATED_READERS } from '../simulator/readers'
import { virtualSource } from '../simulator/virtual-source'
import { EventHub } from '../core/app/event-hub'
import { serveScreens } from './screens'

const FIRST = [
  'Ana',
  'Bruno',
  'Carla',
  'Dario',
  'Elena',
  'Fabio',
  'Greta',
  'Hugo',
  'Iris',
  'Jon',
  'Kira',
  'Luis',
  'Mara',
  'Nico'
]
const LAST = [
  'Alonso',
  'Berg',
  'Costa',
  'Duarte',
  'Evans',
  'Ferrer',
  'Garcia',
  'Hale',
  'Ibarra',
  'Jensen',
  'Kovac',
  'Lopez'
]

/** Participants for the demo: runner n wears bib n and chip `chipOf(n)`. */
function demoParticipants(count: number): string {
  const rows = ['chip,bib,name']
  for (let n = 1; n <= count; n += 1) {
    rows.push(`${chipOf(n)},${n},${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]}`)
  }
  return rows.join('\n')
}

export interface Demo {
  readonly url: string
  stop(): Promise<void>
}

/**
 * Everything local and already set up: the RUFUS Cloud emulator, a simulated UHF reader (R2000 protocol, in the
 * process, no hardware) and the station with its UI. A newcomer sees passings flowing with no account.
 */
export async function startDemo(options: {
  dataFolder?: string
  httpPort: number
  log: (line: string) => void
}): Promise<Demo> {
  const temporary = options.dataFolder === undefined
  const folder = options.dataFolder ?? mkdtempSync(join(tmpdir(), 'rufus-demo-'))
  const key = {
    apiKey: `ror-demo-${randomBytes(8).toString('hex')}`,
    access: 'READ_WRITE',
    canUnbind: true,
    company: 'demo'
  } as const
  const cloud = await startEmulator({ port: 0, keys: [key], dataDir: join(folder, 'cloud') })
  const hub = new EventHub()
  const station = Station.open(
    {
      dataFolder: join(folder, 'station'),
      apiUrl: cloud.apiUrl,
      apiKey: key.apiKey,
      sessionAlias: 'DEMO FINISH',
      deviceAlias: 'Demo finish line',
      bibPolicy: 'participants'
    },
    hub.emit
  )
  station.importParticipants(demoParticipants(2000))
  station.addReader(
    { id: 'UHF reader (simulated)', path: 'virtual', protocol: 'r2000', baudRate: 115200 },
    virtualSource(SIMULATED_READERS['r2000']!(), 12)
  )
  const { service, server } = await serveScreens(
    hub,
    { station, apiUrl: cloud.apiUrl, keySet: true, keyStorage: 'memory' },
    { port: options.httpPort },
    options.log
  )
  options.log(`demo: RUFUS Cloud emulator at ${cloud.apiUrl}; data in ${folder}`)
  options.log(`demo: announcer screen (read-only) ${server.urls.viewer}`)
  return {
    url: server.urls.station,
    async stop() {
      service.stop()
      await server.close()
      await station.close()
      await cloud.close()
      if (temporary) rmSync(folder, { recursive: true, force: true })
    }
  }
}
