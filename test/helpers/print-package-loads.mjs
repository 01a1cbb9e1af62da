// Preloaded by a test (NODE_OPTIONS=--import …): prints, as a `--json`-like line on stdout, every package the
// process resolves, in order with the station's own events, so a test can tell what was loaded before what.
import { isBuiltin, registerHooks } from 'node:module'

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (!isBuiltin(specifier) && /^[@a-z]/i.test(specifier)) {
      process.stdout.write(`${JSON.stringify({ type: 'test-package-resolved', specifier })}\n`)
    }
    return nextResolve(specifier, context)
  }
})
