import type { StationEvent } from '../../shared/events'
import { inEnglish, type StationMessage } from '../../shared/messages'
import type { AnchoredClock } from '../time/anchored-clock'
import { CloudOffsetEstimator, type OffsetSample } from '../time/cloud-offset'

export interface ClockWatchOptions {
  /** The capture clock, whose wall-clock jumps are looked for every second. */
  readonly clock: Pick<AnchoredClock, 'checkJump'>
  readonly emit: (event: StationEvent) => void
  /** A line in the technician's log (the journal's, kept in English). */
  readonly log: (message: string, atUs: number) => void
  /** A laptop-versus-cloud offset (ms) beyond this earns a warning (default 2 s). */
  readonly warningMs?: number
}

/** How far the estimate must move before it is reported again (ms). */
const OFFSET_REPORT_STEP_MS = 250

/**
 * The station's two clock questions: has the laptop's wall clock jumped (checked every second), and how far is
 * the laptop from RUFUS Cloud (estimated from each answer's `Date` header). Each is reported as a `clock` event,
 * with a warning when it matters to the times a timer reads.
 */
export class ClockWatch {
  readonly #o: ClockWatchOptions
  readonly #offset = new CloudOffsetEstimator()
  #lastOffsetReported: number | null = null
  #timer: NodeJS.Timeout | null = null

  constructor(options: ClockWatchOptions) {
    this.#o = options
  }

  /** Looks for wall-clock jumps every second until `stop`. */
  start(): void {
    this.#timer = setInterval(() => this.checkJump(), 1000)
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }

  /** The last estimate against the cloud, if any. */
  estimate(): { offsetMs: number; uncertaintyMs: number } | null {
    return this.#offset.estimate()
  }

  /** An answer's `Date` header: reported when the estimate moved 250 ms or more; warned about when far off. */
  readonly serverDate = (sample: OffsetSample): void => {
    const estimate = this.#offset.add(sample)
    const moved =
      this.#lastOffsetReported === null ||
      Math.abs(estimate.offsetMs - this.#lastOffsetReported) >= OFFSET_REPORT_STEP_MS
    if (!moved) return
    this.#lastOffsetReported = estimate.offsetMs
    this.#o.emit({
      type: 'clock',
      offsetMs: estimate.offsetMs,
      uncertaintyMs: estimate.uncertaintyMs,
      jumpMs: null
    })
    const limit = this.#o.warningMs ?? 2000
    if (Math.abs(estimate.offsetMs) > limit && estimate.uncertaintyMs < Math.abs(estimate.offsetMs)) {
      this.#o.emit({
        type: 'warning',
        code: 'clock.laptop-off',
        params: {
          seconds: Math.round(Math.abs(estimate.offsetMs) / 1000),
          // The offset is cloud time minus laptop time: positive when the laptop is behind.
          laptop: estimate.offsetMs > 0 ? 'behind' : 'ahead'
        }
      })
    }
  }

  /** One look for a wall-clock jump: logged, reported with the cloud offset as it stands, and warned about. */
  checkJump(): void {
    const jump = this.#o.clock.checkJump()
    if (!jump) return
    const message: StationMessage = { code: 'clock.wall-jump', params: { jumpMs: jump.jumpMs } }
    this.#o.log(inEnglish(message), jump.atUs)
    const estimate = this.#offset.estimate()
    this.#o.emit({
      type: 'clock',
      offsetMs: estimate?.offsetMs ?? null,
      uncertaintyMs: estimate?.uncertaintyMs ?? null,
      jumpMs: jump.jumpMs
    })
    this.#o.emit({ type: 'warning', ...message })
  }
}
