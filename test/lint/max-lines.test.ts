import { describe, expect, it } from 'vitest'
import { plantingLinter, ROOT } from '../helpers/lint-plant'

// Size as a habit: past 400 lines of code (blank lines and comments not counted) a file needs an exemption at its
// top that lists its jobs. Planted files, linted with the project's own config as in layers.test.ts.
const PLANT = 'size-plant'

const eslint = plantingLinter([`src/*/*/${PLANT}.ts`], 8)

async function sizeMessages(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${path}` })
  return (result?.messages ?? []).filter(m => m.ruleId === 'max-lines').map(m => m.message)
}

const codeLines = (count: number) =>
  Array.from({ length: count }, (_, i) => `export const value${i} = ${i}\n`).join('')

describe('the size rule', () => {
  it('refuses a module of 401 lines of code, in src and in tests', async () => {
    expect(await sizeMessages(`src/core/station/${PLANT}.ts`, codeLines(401))).toEqual([
      'File has too many lines (401). Maximum allowed is 400.'
    ])
    expect(await sizeMessages(`test/core/${PLANT}.test.ts`, codeLines(401))).toHaveLength(1)
  })

  it('counts neither blank lines nor comments', async () => {
    const padded = `/**\n${' * why\n'.repeat(60)} */\n${codeLines(400)}\n\n\n// the end\n`
    expect(await sizeMessages(`src/core/station/${PLANT}.ts`, padded)).toEqual([])
  })

  it('lets a module past it through with an exemption at its top that lists its jobs', async () => {
    const exempt = `/* eslint max-lines: ["error", { "max": 450, "skipBlankLines": true, "skipComments": true }] -- jobs: a, b */\n${codeLines(450)}`
    expect(await sizeMessages(`src/core/station/${PLANT}.ts`, exempt)).toEqual([])
    // The exemption is a number, not a pass: past it the module is refused again.
    const grown = exempt.replace('"max": 450', '"max": 449')
    expect(await sizeMessages(`src/core/station/${PLANT}.ts`, grown)).toHaveLength(1)
  })
})
