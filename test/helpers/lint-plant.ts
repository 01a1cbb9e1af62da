import { ESLint } from 'eslint'

/** The project's root, where the lint tests plant their files. */
export const ROOT = new URL('../..', import.meta.url).pathname

/**
 * ESLint with the project's own config, for files planted in `src/` that are not on disk: the type-aware parser
 * is told to type each planted file (matching `patterns`) on its own.
 */
export function plantingLinter(patterns: string[], maxPlanted: number): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfig: {
      files: ['src/**'],
      languageOptions: {
        parserOptions: {
          projectService: {
            allowDefaultProject: patterns,
            // One default project per planted file: a handful, fine for a test.
            maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: maxPlanted
          }
        }
      }
    }
  })
}
