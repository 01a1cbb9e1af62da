import type { CommandResult, CommandName } from '../../src/shared/contract'
import { inEnglish } from '../../src/shared/messages'

/** A command's result with its failure's message put into English words, as the tests asserted it before. */
export function inWords(result: CommandResult<CommandName>): unknown {
  return result.ok
    ? result
    : { ...result, error: { ...result.error, message: inEnglish(result.error.message) } }
}
