/**
 * The states a passing and a session's cloud copy go through: one definition for the journal, the contract and
 * the screens.
 */
export const PASSING_STATES = ['pending', 'held', 'void', 'synced', 'quarantined', 'conflict'] as const
export type PassingState = (typeof PASSING_STATES)[number]

export const CLOUD_SESSION_STATES = ['none', 'creating', 'attached', 'closed'] as const
export type CloudSessionState = (typeof CLOUD_SESSION_STATES)[number]
