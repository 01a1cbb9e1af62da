import type { ByteSource } from '../core/serial/reader-connection'
import type { SerialPortSourceOptions } from '../core/serial/serial-port-source'
import { seededRandom } from '../shared/random'
import type { SimulatedReader } from './readers'
import { TrafficGenerator } from './traffic'

/**
 * A simulated reader wired straight to the station, with no serial port: the demo's reader. It speaks the real
 * protocol bytes, answers the station's commands, and produces finish-line traffic at the given rate.
 */
export function virtualSource(
  reader: SimulatedReader,
  rate: number,
  seed = 7
): (options: SerialPortSourceOptions) => ByteSource {
  return options => {
    const random = seededRandom(seed)
    const traffic = new TrafficGenerator({
      rate,
      runners: 2000,
      readsPerCrossing: reader.readsPerCrossing,
      noise: 0.01,
      random
    })
    let timer: NodeJS.Timeout | null = null
    const startedS = performance.now() / 1000
    const startedMs = Date.now()
    return {
      start() {
        options.onState('opening', null)
        options.onOpen('virtual')
        options.onState('open', null)
        timer = setInterval(() => {
          for (const { read, garbage } of traffic.due(performance.now() / 1000 - startedS)) {
            if (garbage) options.onData(reader.garbage(random), options.nowUs())
            const bytes = reader.onRead(read, startedMs + read.atS * 1000)
            if (bytes) options.onData(bytes, options.nowUs())
          }
        }, 20)
      },
      async stop() {
        if (timer) clearInterval(timer)
        options.onState('closed', null)
      },
      write(bytes) {
        for (const answer of reader.onBytes(bytes, Date.now())) options.onData(answer, options.nowUs())
      }
    }
  }
}
