import type { AccessType, ApiKeyRecord } from './store'

/** Parses `<apikey>:<ACCESS>[:unbind][@<company>]`; the company defaults to "default". */
export function parseKeySpec(spec: string): ApiKeyRecord {
  const at = spec.lastIndexOf('@')
  const company = at >= 0 ? spec.slice(at + 1) : 'default'
  const parts = (at >= 0 ? spec.slice(0, at) : spec).split(':')
  const [apiKey, access, flag] = parts
  if (!apiKey || !access || parts.length > 3 || !['READ', 'WRITE', 'READ_WRITE'].includes(access)) {
    throw new Error(`--key "${spec}" is not <apikey>:<READ|WRITE|READ_WRITE>[:unbind][@<company>]`)
  }
  if (flag !== undefined && flag !== 'unbind') throw new Error(`--key "${spec}": the only flag is "unbind"`)
  if (flag === 'unbind' && access === 'READ') {
    throw new Error(`--key "${spec}": unbind needs WRITE or READ_WRITE`)
  }
  if (!company) throw new Error(`--key "${spec}": the company after @ is empty`)
  return { apiKey, access: access as AccessType, canUnbind: flag === 'unbind', company }
}
