import type { SessionRecord } from '../journal/journal'
import type { StationMessage, WriteOnlyHoldReason } from '../../shared/messages'

export type ClosedElsewherePolicy = 'ask' | 'new-session'
export type UnboundPolicy = 'ask' | 'rebind'

/**
 * Why sync stopped. `key-refused` and `all-refused` stop the whole engine and are re-checked by the engine itself;
 * the others stop one session (stored in the journal), never the sessions after it.
 */
export type SyncBlockKind =
  'key-refused' | 'all-refused' | 'closed-elsewhere' | 'device-unbound' | 'session-gone' | 'write-only-hold'

/** Sync stopped (for one session, or all): what happened, and what to do. */
export interface SyncBlock {
  readonly kind: SyncBlockKind
  readonly message: StationMessage
  readonly action: StationMessage
  readonly sessionId: number | null
}

export function actionFor(kind: SyncBlockKind): StationMessage {
  switch (kind) {
    case 'key-refused':
      return { code: 'sync.action.key-refused', params: {} }
    case 'all-refused':
      return { code: 'sync.action.all-refused', params: {} }
    case 'closed-elsewhere':
      return { code: 'sync.action.closed-elsewhere', params: {} }
    case 'device-unbound':
      return { code: 'sync.action.device-unbound', params: {} }
    case 'session-gone':
      return { code: 'sync.action.session-gone', params: {} }
    case 'write-only-hold':
      return { code: 'sync.action.write-only-hold', params: {} }
  }
}

/** The notice that says a block at once: the problem, then what to do. */
export function blockNotice(block: Pick<SyncBlock, 'message' | 'action'>): StationMessage {
  return { code: 'sync.blocked', params: { problem: block.message, action: block.action } }
}

export function keyRefusedBlock(): SyncBlock {
  return {
    kind: 'key-refused',
    message: { code: 'sync.key-refused', params: {} },
    action: actionFor('key-refused'),
    sessionId: null
  }
}

export function allRefusedBlock(reason: string | null, tried: number): SyncBlock {
  return {
    kind: 'all-refused',
    message: { code: 'sync.all-refused', params: { reason, tried } },
    action: actionFor('all-refused'),
    sessionId: null
  }
}

export function writeOnlyHoldMessage(count: number, why: WriteOnlyHoldReason): StationMessage {
  return { code: 'sync.write-only-hold', params: { count, why } }
}

const KINDS: ReadonlySet<string> = new Set<SyncBlockKind>([
  'key-refused',
  'all-refused',
  'closed-elsewhere',
  'device-unbound',
  'session-gone',
  'write-only-hold'
])

/** A block stored on a session in the journal, as the status shows it. */
export function storedBlock(session: SessionRecord): SyncBlock | null {
  if (!session.blockKind) return null
  const kind = (KINDS.has(session.blockKind) ? session.blockKind : 'session-gone') as SyncBlockKind
  return {
    kind,
    message: session.blockMessage ?? { code: 'untranslated', params: { text: '' } },
    action: actionFor(kind),
    sessionId: session.id
  }
}

/**
 * Why the cloud no longer takes a session's passings, as far as the engine could find out:
 * - `unreadable`: the key cannot read, so it cannot tell;
 * - `closed-elsewhere`: the session still exists, closed (from another station or the web);
 * - `session-unknown`: the device exists but the session does not;
 * - `device-unbound`: the device is gone, and the cloud deleted its data with it.
 */
export type GoneFinding = 'unreadable' | 'closed-elsewhere' | 'session-unknown' | 'device-unbound'

/** What the engine does about it: stop with a block, or follow the configured policy and say so. */
export type GoneDecision =
  | { readonly kind: 'block'; readonly block: SyncBlockKind; readonly message: StationMessage }
  | { readonly kind: 'new-cloud-session'; readonly notice: StationMessage }
  | { readonly kind: 'rebind'; readonly notice: StationMessage }

export interface GonePolicies {
  readonly onClosedElsewhere?: ClosedElsewherePolicy
  readonly onUnbound?: UnboundPolicy
}

export function decideWhenGone(
  finding: GoneFinding,
  session: Pick<SessionRecord, 'alias'>,
  pending: number,
  policies: GonePolicies
): GoneDecision {
  const alias = session.alias
  switch (finding) {
    case 'unreadable':
      return {
        kind: 'block',
        block: 'session-gone',
        message: { code: 'sync.session-refused', params: { alias, pending } }
      }
    case 'closed-elsewhere':
      if (policies.onClosedElsewhere === 'new-session') {
        return {
          kind: 'new-cloud-session',
          notice: { code: 'sync.closed-elsewhere-continuing', params: { alias } }
        }
      }
      return {
        kind: 'block',
        block: 'closed-elsewhere',
        message: { code: 'sync.closed-elsewhere', params: { alias, pending } }
      }
    case 'session-unknown':
      return {
        kind: 'block',
        block: 'session-gone',
        message: { code: 'sync.session-gone', params: { alias } }
      }
    case 'device-unbound':
      if (policies.onUnbound === 'rebind') {
        return { kind: 'rebind', notice: { code: 'sync.unbound-rebinding', params: {} } }
      }
      return { kind: 'block', block: 'device-unbound', message: { code: 'sync.device-unbound', params: {} } }
  }
}
