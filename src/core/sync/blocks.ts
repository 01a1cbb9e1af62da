import type { SessionRecord } from '../journal/journal'

export type ClosedElsewherePolicy = 'ask' | 'new-session'
export type UnboundPolicy = 'ask' | 'rebind'

export type SyncBlockKind = 'key-refused' | 'closed-elsewhere' | 'device-unbound' | 'session-gone'

/** Sync stopped until a person acts: what happened, and what to do. */
export interface SyncBlock {
  readonly kind: SyncBlockKind
  readonly message: string
  readonly action: string
  readonly sessionId: number | null
}

export function actionFor(kind: SyncBlockKind): string {
  switch (kind) {
    case 'key-refused':
      return 'Action: enter a valid API key with READ_WRITE access.'
    case 'closed-elsewhere':
      return 'Action: continue in a new cloud session (each passing keeps its number).'
    case 'device-unbound':
      return 'Action: bind the device again and upload everything again.'
    case 'session-gone':
      return 'Action: continue in a new cloud session, or check the device in RUFUS Cloud.'
  }
}

export function keyRefusedBlock(): SyncBlock {
  return {
    kind: 'key-refused',
    message:
      'RUFUS Cloud refused the API key (revoked, mistyped, or without WRITE permission). Every passing is safe on this laptop.',
    action: actionFor('key-refused'),
    sessionId: null
  }
}

/** A block stored on a session in the journal, as the status shows it. */
export function storedBlock(session: SessionRecord): SyncBlock | null {
  if (!session.blockKind) return null
  const kind = session.blockKind as SyncBlockKind
  return { kind, message: session.blockMessage ?? '', action: actionFor(kind), sessionId: session.id }
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
  | { readonly kind: 'block'; readonly block: SyncBlockKind; readonly message: string }
  | { readonly kind: 'new-cloud-session'; readonly notice: string }
  | { readonly kind: 'rebind'; readonly notice: string }

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
  switch (finding) {
    case 'unreadable':
      return {
        kind: 'block',
        block: 'session-gone',
        message: `RUFUS Cloud no longer accepts passings for session "${session.alias}" (${pending} waiting): it was closed elsewhere or the device was unbound, and this key cannot read which.`
      }
    case 'closed-elsewhere':
      if (policies.onClosedElsewhere === 'new-session') {
        return {
          kind: 'new-cloud-session',
          notice: `The cloud session of "${session.alias}" was closed elsewhere; continuing in a new cloud session as configured.`
        }
      }
      return {
        kind: 'block',
        block: 'closed-elsewhere',
        message: `The cloud session of "${session.alias}" was closed from elsewhere while ${pending} passings wait to be uploaded. They are safe on this laptop.`
      }
    case 'session-unknown':
      return {
        kind: 'block',
        block: 'session-gone',
        message: `RUFUS Cloud no longer knows the session of "${session.alias}".`
      }
    case 'device-unbound':
      if (policies.onUnbound === 'rebind') {
        return {
          kind: 'rebind',
          notice:
            'The device was unbound in RUFUS Cloud; binding again and uploading everything again as configured.'
        }
      }
      return {
        kind: 'block',
        block: 'device-unbound',
        message:
          'This device was unbound in RUFUS Cloud, which deleted its sessions and passings there. Every passing is still on this laptop.'
      }
  }
}
