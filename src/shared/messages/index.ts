import type { Language } from '../languages'
import type { MessageCode, MessageTexts, Say, StationMessage } from './codes'
import { ENGLISH } from './english'
import { SPANISH } from './spanish'

export type {
  ArgumentProblem,
  MessageCode,
  MessageParams,
  StationMessage,
  WriteOnlyHoldReason
} from './codes'

/** Every code's text in every language, in one place: the screens and the headless command line read it. */
export const MESSAGE_TEXTS: Readonly<Record<Language, MessageTexts>> = { en: ENGLISH, es: SPANISH }

/** The words of a message in a language; a nested message is said in the same language. */
export function renderMessage(language: Language, message: StationMessage): string {
  const say: Say = nested => renderMessage(language, nested)
  // A code's text takes that code's parameters; TypeScript cannot follow the pairing through the lookup.
  const text = MESSAGE_TEXTS[language][message.code] as (params: StationMessage['params'], say: Say) => string
  return text(message.params, say)
}

/** English words: `--json` events for scripts, the command line, and logs (an error's `message`). */
export function inEnglish(message: StationMessage): string {
  return renderMessage('en', message)
}

/** Every code, for tests and tools that go over all of them. */
export const MESSAGE_CODES = Object.keys(ENGLISH) as MessageCode[]
