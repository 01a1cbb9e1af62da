import type { SessionRecord } from '../journal/journal'

/** What a local session needs from the cloud next. */
export type SessionStep =
  /** It needs a cloud session (none yet, or a create whose answer was lost). */
  | 'attach'
  /** A batch's outcome is unknown: read its range back before anything else is sent. */
  | 'read-back'
  /** Passings became pending (a bib given late) after its cloud session was closed: it needs a new one. */
  | 'reattach'
  | 'send'
  /** Closed here, everything sent: close its cloud session. */
  | 'close'
  /** A person must decide (the block says what); later sessions wait. */
  | 'blocked'
  /** Open, nothing to send now; later sessions wait, to keep sessions in order. */
  | 'live'
  /** Nothing to do here: look at the next session. */
  | 'done'

export interface SessionFacts {
  readonly session: Pick<SessionRecord, 'closedAtUs' | 'cloudState' | 'token' | 'blockKind'>
  /** Passings waiting to go up. */
  readonly pending: number
  /** A batch is recorded as in flight. */
  readonly inflight: boolean
}

/**
 * The per-session state machine, as a pure function of what the journal says: a session's cloud copy goes
 * `none` → `creating` → `attached` (batches, each possibly in flight) → `closed` once closed here and sent.
 */
export function sessionStep({ session, pending, inflight }: SessionFacts): SessionStep {
  if (session.blockKind) return 'blocked'
  const isOpen = session.closedAtUs === null
  if (session.cloudState === 'none' || session.cloudState === 'creating') {
    return isOpen || pending > 0 ? 'attach' : 'done'
  }
  if (inflight) return 'read-back'
  if (pending > 0) return session.cloudState === 'closed' ? 'reattach' : 'send'
  if (!isOpen && session.cloudState === 'attached' && session.token) return 'close'
  return isOpen ? 'live' : 'done'
}

/**
 * Blocks after which the session's cloud session is still open: a WRITE-only hold keeps its batch in flight there
 * until a key that can read settles it. Every other session block means the cloud session is gone.
 */
const LIVE_BLOCKS: ReadonlySet<string> = new Set(['write-only-hold'])

/**
 * The later session holding the device's live cloud session, if any: attached (or being created), not stopped by a
 * block that ended its cloud session, with something still to send or settle there (live, sending, held). A closed
 * session that needs a new cloud session waits for it: by the documented rule, creating one closes the device's
 * active one.
 */
export function liveHolder<F extends SessionFacts>(later: readonly F[]): F | null {
  return (
    later.find(
      facts =>
        (facts.session.cloudState === 'attached' || facts.session.cloudState === 'creating') &&
        (!facts.session.blockKind || LIVE_BLOCKS.has(facts.session.blockKind)) &&
        // Closed here with everything sent, only its close is left, which the next create does too: a close
        // that keeps failing must not hold a late fix back.
        !['done', 'close'].includes(sessionStep(facts))
    ) ?? null
  )
}
