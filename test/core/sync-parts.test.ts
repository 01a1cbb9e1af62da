import { describe, expect, it } from 'vitest'
import { decideWhenGone, type GoneFinding } from '../../src/core/sync/blocks'
import { needsReadBack } from '../../src/core/sync/batch-upload'
import { RetrySchedule } from '../../src/core/sync/schedule'
import { sessionStep, type SessionFacts } from '../../src/core/sync/session-plan'

// The pure parts of the sync engine, without a journal or a cloud.

const OPEN = null
const CLOSED = 1

function facts(
  cloudState: SessionFacts['session']['cloudState'],
  closedAtUs: number | null,
  more: { pending?: number; inflight?: boolean; blockKind?: string; token?: string | null } = {}
): SessionFacts {
  return {
    session: {
      cloudState,
      closedAtUs,
      token: more.token === undefined ? (cloudState === 'none' ? null : 'T') : more.token,
      blockKind: more.blockKind ?? null
    },
    pending: more.pending ?? 0,
    inflight: more.inflight ?? false
  }
}

describe('the per-session state machine', () => {
  it.each([
    ['an open session without a cloud session', facts('none', OPEN), 'attach'],
    ['a closed one with passings to send', facts('none', CLOSED, { pending: 1 }), 'attach'],
    ['a closed one with nothing to send', facts('none', CLOSED), 'done'],
    ['a create whose answer was lost', facts('creating', OPEN), 'attach'],
    [
      'a batch in flight, before anything pending',
      facts('attached', OPEN, { pending: 5, inflight: true }),
      'read-back'
    ],
    ['passings pending', facts('attached', OPEN, { pending: 5 }), 'send'],
    ['a late bib after its cloud session closed', facts('closed', CLOSED, { pending: 1 }), 'reattach'],
    ['closed here, everything sent', facts('attached', CLOSED), 'close'],
    ['open with nothing to send', facts('attached', OPEN), 'live'],
    ['closed in the cloud too', facts('closed', CLOSED), 'done'],
    [
      'blocked, whatever else',
      facts('attached', OPEN, { pending: 3, inflight: true, blockKind: 'closed-elsewhere' }),
      'blocked'
    ]
  ])('%s: %s', (_what, given, expected) => {
    expect(sessionStep(given)).toBe(expected)
  })
})

describe('the schedule', () => {
  const schedule = () => new RetrySchedule({ idlePollMs: 5000, random: () => 0.5 })

  it('runs again at once after work, polls when idle (sooner for a grace period) and when blocked', () => {
    const s = schedule()
    expect(s.after({ kind: 'worked' })).toBeNull()
    expect(s.after({ kind: 'idle' })).toEqual({ ms: 5000, wakeable: true })
    expect(s.after({ kind: 'idle', lookAgainMs: 1200 })).toEqual({ ms: 1200, wakeable: true })
    expect(s.after({ kind: 'idle', lookAgainMs: 9000 })).toEqual({ ms: 5000, wakeable: true })
    expect(s.after({ kind: 'blocked' })).toEqual({ ms: 60_000, wakeable: true })
  })

  it('backs off more after each failure, not cut short by new work, and starts over after work or a reset', () => {
    const s = schedule()
    expect([1, 2, 3].map(() => s.after({ kind: 'failed' }))).toEqual([
      { ms: 375, wakeable: false },
      { ms: 750, wakeable: false },
      { ms: 1500, wakeable: false }
    ])
    // Idle and blocked steps between failures do not reset the backoff; work and a reset do.
    s.after({ kind: 'idle' })
    expect(s.after({ kind: 'failed' })?.ms).toBe(3000)
    s.after({ kind: 'worked' })
    expect(s.after({ kind: 'failed' })?.ms).toBe(375)
    s.reset()
    expect(s.after({ kind: 'failed' })?.ms).toBe(375)
  })

  it('waits a Retry-After longer than the backoff', () => {
    expect(schedule().after({ kind: 'failed', retryAfterMs: 30_000 })).toEqual({
      ms: 30_000,
      wakeable: false
    })
  })
})

describe('what a batch answer proves', () => {
  it('needs a read-back for reported duplicates, or (legacy) fewer inserted than sent', () => {
    expect(needsReadBack({ inserted_count: 3, duplicate_count: 0 }, 3)).toBe(false)
    expect(needsReadBack({ inserted_count: 2, duplicate_count: 1 }, 3)).toBe(true)
    expect(needsReadBack({ inserted_count: 3 }, 3)).toBe(false)
    expect(needsReadBack({ inserted_count: 2 }, 3)).toBe(true)
  })
})

describe('when the cloud drops a session', () => {
  const session = { alias: 'FINISH' }

  it.each<[GoneFinding, string]>([
    ['unreadable', 'session-gone'],
    ['closed-elsewhere', 'closed-elsewhere'],
    ['session-unknown', 'session-gone'],
    ['device-unbound', 'device-unbound']
  ])('asks a person by default (%s → %s block)', (finding, block) => {
    expect(decideWhenGone(finding, session, 4, {})).toMatchObject({ kind: 'block', block })
  })

  it('follows the configured policies, and only where they apply', () => {
    const policies = { onClosedElsewhere: 'new-session', onUnbound: 'rebind' } as const
    expect(decideWhenGone('closed-elsewhere', session, 4, policies).kind).toBe('new-cloud-session')
    expect(decideWhenGone('device-unbound', session, 4, policies).kind).toBe('rebind')
    expect(decideWhenGone('unreadable', session, 4, policies).kind).toBe('block')
    expect(decideWhenGone('session-unknown', session, 4, policies).kind).toBe('block')
  })
})
