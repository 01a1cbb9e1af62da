import { LANGUAGES, type Language } from './languages'

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

/**
 * The one word for each passing state, in each language: a counter ("2 refused") and a passing's row ("refused")
 * use the same word, so a timer never reads one state under two names. `many` is the form after a count (Spanish
 * agrees in number: "2 rechazados"); English has one form.
 */
export const PASSING_STATE_WORDS: Readonly<
  Record<Language, Readonly<Record<PassingState, { readonly one: string; readonly many: string }>>>
> = {
  en: {
    pending: { one: 'waiting to upload', many: 'waiting to upload' },
    held: { one: 'without bib', many: 'without bib' },
    void: { one: 'voided', many: 'voided' },
    synced: { one: 'in the cloud', many: 'in the cloud' },
    quarantined: { one: 'refused', many: 'refused' },
    conflict: { one: 'in conflict', many: 'in conflict' }
  },
  es: {
    pending: { one: 'por subir', many: 'por subir' },
    held: { one: 'sin dorsal', many: 'sin dorsal' },
    void: { one: 'anulado', many: 'anulados' },
    synced: { one: 'en la nube', many: 'en la nube' },
    quarantined: { one: 'rechazado', many: 'rechazados' },
    conflict: { one: 'en conflicto', many: 'en conflicto' }
  }
}

function wordForms(form: 'one' | 'many'): Labels<PassingState> {
  const pick = (language: Language) =>
    Object.fromEntries(
      PASSING_STATES.map(state => [state, PASSING_STATE_WORDS[language][state][form]])
    ) as Record<PassingState, string>
  return Object.fromEntries(LANGUAGES.map(language => [language, pick(language)])) as Labels<PassingState>
}

/** What follows a count of passings in a state: "6 in the cloud", "2 waiting to upload". */
export const PASSING_STATE_LABELS: Labels<PassingState> = wordForms('many')

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

/** One passing's state, as its row shows it: the same word as the counters. */
export const PASSING_STATE_NAMES: Labels<PassingState> = wordForms('one')
