import type { Language } from './languages'

/**
 * The states a passing, a session's cloud copy and a reader go through, and their labels in each language: one
 * definition for the journal, the contract, the screens and the headless command line.
 */
export const PASSING_STATES = ['pending', 'held', 'void', 'synced', 'quarantined', 'conflict'] as const
export type PassingState = (typeof PASSING_STATES)[number]

export const CLOUD_SESSION_STATES = ['none', 'creating', 'attached', 'closed'] as const
export type CloudSessionState = (typeof CLOUD_SESSION_STATES)[number]

export const READER_STATES = ['opening', 'open', 'silent', 'error', 'closed'] as const
export type ReaderState = (typeof READER_STATES)[number]

type Labels<S extends string> = Readonly<Record<Language, Readonly<Record<S, string>>>>

/** What follows a count of passings in a state: "6 in the cloud", "2 waiting to upload". */
export const PASSING_STATE_LABELS: Labels<PassingState> = {
  en: {
    pending: 'waiting to upload',
    held: 'without bib',
    void: 'voided',
    synced: 'in the cloud',
    quarantined: 'refused',
    conflict: 'conflicts'
  },
  es: {
    pending: 'por subir',
    held: 'sin dorsal',
    void: 'anulados',
    synced: 'en la nube',
    quarantined: 'rechazados',
    conflict: 'conflictos'
  }
}

export const CLOUD_SESSION_STATE_LABELS: Labels<CloudSessionState> = {
  en: {
    none: 'not in the cloud yet',
    creating: 'being created in the cloud',
    attached: 'in the cloud',
    closed: 'closed in the cloud'
  },
  es: {
    none: 'aún no está en la nube',
    creating: 'creándose en la nube',
    attached: 'en la nube',
    closed: 'cerrada en la nube'
  }
}

export const READER_STATE_LABELS: Labels<ReaderState> = {
  en: { opening: 'opening', open: 'open', silent: 'silent', error: 'error', closed: 'closed' },
  es: { opening: 'abriendo', open: 'abierto', silent: 'en silencio', error: 'con error', closed: 'cerrado' }
}

/**
 * One passing's state, as a row of the passings table shows it. English shows the state's own name, as the CSV
 * copy and the export write it; Spanish puts it into words.
 */
export const PASSING_STATE_NAMES: Labels<PassingState> = {
  en: {
    pending: 'pending',
    held: 'held',
    void: 'void',
    synced: 'synced',
    quarantined: 'quarantined',
    conflict: 'conflict'
  },
  es: {
    pending: 'por subir',
    held: 'sin dorsal',
    void: 'anulado',
    synced: 'en la nube',
    quarantined: 'rechazado',
    conflict: 'conflicto'
  }
}
