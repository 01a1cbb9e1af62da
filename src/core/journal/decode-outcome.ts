/** What one decode (or replay) produced, gathered as it goes and handed back whole after commit. */
import type { BadFrame, Read, ReaderStatus } from '../reader/decoder'
import type { DecodeOutcome, PassingRecord } from './records'

export class OutcomeBuilder implements DecodeOutcome {
  readonly passings: PassingRecord[] = []
  readonly badFrames: Array<BadFrame & { port: string }> = []
  readonly statuses: Array<ReaderStatus & { port: string }> = []
  readonly reads: Array<{ port: string; read: Read }> = []
  readonly superseded: number[] = []
  suppressed = 0
  readsWithoutSession = 0
  /** The station's clock when the decode began: the capture time of its passings. */
  readonly nowUs: number

  constructor(nowUs: number) {
    this.nowUs = nowUs
  }

  build(): DecodeOutcome {
    return this
  }
}
