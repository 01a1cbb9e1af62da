/** The languages the screens speak (the settings' `language`); English is the fallback and the command line's. */
export const LANGUAGES = ['en', 'es'] as const
export type Language = (typeof LANGUAGES)[number]
