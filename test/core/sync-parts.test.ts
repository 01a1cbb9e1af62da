import { describe, expect, it } from 'vitest'
import { decideWhenGone, type GoneFinding } from '../../src/core/sync/blocks'
import { namesTheSession, needsReadBack } from '../../src/core/sync/batch-upload'
import { RufusError } from '../../src/core/rufus/errors'
import { readRange } from '../../src/core/sync/range-read'
import { ALL_REFUSED_AFTER, RefusalStreak } from '../../src/core/sync/refusals'
import { RetrySchedule } from '../../src/core/sync/schedule'
import { liveHolder, sessionStep, type SessionFacts } from '../../src/core/sync/session-plan'
import { writeOnlyVerdict, type WriteOnlyFacts } from '../../src/core/sync/write-only'
import type { CloudPassing } from '../../src/core/rufus/schemas'

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

  it('re-checks a stop that may pass by itself after 1, 2 and 4 minutes, then every 5, until work is done', () => {
    const s = schedule()
    expect([1, 2, 3, 4, 5].map(() => s.after({ kind: 'recheck' }))).toEqual([
      { ms: 60_000, wakeable: false },
      { ms: 120_000, wakeable: false },
      { ms: 240_000, wakeable: false },
      { ms: 300_000, wakeable: false },
      { ms: 300_000, wakeable: false }
    ])
    s.after({ kind: 'worked' })
    expect(s.after({ kind: 'recheck' })?.ms).toBe(60_000)
  })

  it('backs off a try that must not follow at once as it does after a failure', () => {
    const s = schedule()
    expect([s.after({ kind: 'backoff' }), s.after({ kind: 'failed' })]).toEqual([
      { ms: 375, wakeable: false },
      { ms: 750, wakeable: false }
    ])
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
  it('needs a read-back for reported duplicates, (legacy) fewer inserted than sent, or no counts at all', () => {
    expect(needsReadBack({ inserted_count: 3, duplicate_count: 0 }, 3)).toBe(false)
    expect(needsReadBack({ inserted_count: 2, duplicate_count: 1 }, 3)).toBe(true)
    expect(needsReadBack({ inserted_count: 2, duplicate_count: 0 }, 3)).toBe(true)
    expect(needsReadBack({ inserted_count: 3 }, 3)).toBe(false)
    expect(needsReadBack({ inserted_count: 2 }, 3)).toBe(true)
    expect(needsReadBack({ description: 'Passings inserted succesfully', token_session: 'T' }, 3)).toBe(true)
    expect(needsReadBack({ duplicate_count: 0 }, 3)).toBe(true)
  })

  it('tells a 400 that names the session from one that refuses a passing', () => {
    const refusal = (description: string) => new RufusError('bad-request', '', { status: 400, description })
    expect(namesTheSession(refusal('Session not found or closed'))).toBe(true)
    expect(namesTheSession(refusal('Session not found'))).toBe(true)
    expect(namesTheSession(refusal('Invalid parameter: token_session'))).toBe(false)
    expect(namesTheSession(refusal('Invalid parameter: passings_list[0].bib'))).toBe(false)
  })
})

describe('a WRITE-only key: what an answer settles without a read-back', () => {
  const facts = (more: Partial<WriteOnlyFacts>): WriteOnlyFacts => ({
    answer: null,
    sent: 3,
    resent: false,
    reportsDuplicates: null,
    ...more
  })

  it.each<[string, Partial<WriteOnlyFacts>, ReturnType<typeof writeOnlyVerdict>]>([
    [
      'every passing inserted',
      { answer: { inserted_count: 3, duplicate_count: 0 } },
      { kind: 'synced', note: null }
    ],
    ['every passing inserted (legacy)', { answer: { inserted_count: 3 } }, { kind: 'synced', note: null }],
    ['no counts', { answer: { description: 'ok' } }, { kind: 'hold', why: 'no-counts' }],
    [
      'duplicates on a first send',
      { answer: { inserted_count: 2, duplicate_count: 1 } },
      { kind: 'hold', why: 'duplicates' }
    ],
    [
      'duplicates on the resend',
      { answer: { inserted_count: 0, duplicate_count: 3 }, resent: true },
      { kind: 'synced', note: { code: 'sync.note.resent-accepted', params: {} } }
    ],
    ['fewer inserted (legacy)', { answer: { inserted_count: 2 } }, { kind: 'hold', why: 'fewer-inserted' }],
    [
      'fewer accounted for',
      { answer: { inserted_count: 1, duplicate_count: 1 } },
      { kind: 'hold', why: 'fewer-inserted' }
    ],
    [
      'the resend inserted as sent, on a cloud without duplicate counts',
      { answer: { inserted_count: 3 }, resent: true },
      { kind: 'synced', note: { code: 'sync.note.may-be-twice', params: {} } }
    ],
    ['a lost answer, duplicates reported by this cloud', { reportsDuplicates: true }, { kind: 'resend' }],
    ['a lost answer, nothing known of this cloud yet', {}, { kind: 'resend' }],
    [
      'a lost answer, a cloud that does not report duplicates',
      { reportsDuplicates: false },
      { kind: 'hold', why: 'no-duplicate-report' }
    ],
    [
      'a lost answer after the resend',
      { resent: true, reportsDuplicates: true },
      { kind: 'hold', why: 'lost-twice' }
    ]
  ])('%s', (_what, more, verdict) => {
    expect(writeOnlyVerdict(facts(more))).toEqual(verdict)
  })
})

describe('refusals in a row', () => {
  it('stops after the same reason for three passings alone; another reason or an accepted passing starts over', () => {
    const streak = new RefusalStreak()
    expect(streak.refusedAlone(1, 'bad field')).toBe('set-aside')
    expect(streak.refusedAlone(2, 'bad field')).toBe('set-aside')
    expect(streak.refusedAlone(3, 'other')).toBe('set-aside')
    expect(streak.refusedAlone(4, 'other')).toBe('set-aside')
    expect(streak.refusedAlone(5, 'other')).toBe('all-refused')
    expect(streak.ids).toEqual([3, 4, 5])
    // The same passing refused again (a re-check) keeps the stop; the list never grows past the three.
    expect(streak.refusedAlone(3, 'other')).toBe('all-refused')
    expect(streak.ids).toHaveLength(ALL_REFUSED_AFTER)
    streak.accepted()
    expect(streak.refusedAlone(6, 'other')).toBe('set-aside')
  })
})

describe('the live session', () => {
  it('is a later session attached (or being created) with something still to send or settle there, its cloud session not ended by a block', () => {
    expect(liveHolder([facts('attached', OPEN)])).not.toBeNull()
    expect(liveHolder([facts('creating', OPEN)])).not.toBeNull()
    expect(liveHolder([facts('attached', CLOSED, { pending: 1 })])).not.toBeNull()
    expect(liveHolder([facts('attached', CLOSED, { inflight: true })])).not.toBeNull()
    // Closed here with everything sent: only its close is left (which may be stuck), so it holds nothing back.
    expect(liveHolder([facts('attached', CLOSED)])).toBeNull()
    expect(liveHolder([facts('none', OPEN)])).toBeNull()
    expect(liveHolder([facts('closed', CLOSED)])).toBeNull()
    expect(liveHolder([facts('attached', OPEN, { blockKind: 'closed-elsewhere' })])).toBeNull()
    // A WRITE-only hold keeps its batch, and so its cloud session, open.
    expect(liveHolder([facts('attached', OPEN, { blockKind: 'write-only-hold' })])).not.toBeNull()
  })
})

describe('a read-back by number', () => {
  const copy = (num: number): CloudPassing => ({
    token_session: 'T',
    timestamp: '2026-11-29T09:00:00.000Z',
    num_passing: num,
    bib: String(num),
    chip: null,
    participant_id: null,
    gender: null,
    status: null,
    timezone: null,
    latitude: null,
    longitude: null,
    deviceid: null
  })

  it('stops within its cap on a cloud that answers the same page to every request (bounds and page ignored)', async () => {
    let requests = 0
    const cloud = {
      sessionPassings: () => {
        requests += 1
        return Promise.resolve([copy(1), copy(2)])
      }
    }
    const read = await readRange(cloud, 'T', 1, 5000)
    // The second window brings nothing new (and takes the bounds for inclusive), the third nothing from 3 on.
    expect(requests).toBe(3)
    expect(read).toMatchObject({ complete: true, requests: 3 })
    expect(read.passings.map(p => p.num_passing)).toEqual([1, 2])
  })

  it('gives up after 12 requests on pages too small for the range, saying it is incomplete', async () => {
    const asked: Array<{ first?: number; last?: number; page?: number }> = []
    const cloud = {
      sessionPassings: (_token: string, query: { first?: number; last?: number; page?: number } = {}) => {
        asked.push(query)
        const from = (query.first ?? 0) + 1
        return Promise.resolve([copy(from - 1), copy(from)].filter(p => p.num_passing > 0))
      }
    }
    const read = await readRange(cloud, 'T', 1, 100)
    expect(read).toMatchObject({ complete: false, requests: 12 })
    expect(asked).toHaveLength(12)
    // Never a page index: a window starts one below the lowest number still needed, until the number below comes
    // back (inclusive bounds), then at that number itself.
    expect(asked.slice(0, 3)).toEqual([
      { first: 0, last: 101 },
      { first: 1, last: 101 },
      { first: 3, last: 101 }
    ])
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
