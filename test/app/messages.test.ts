import { describe, expect, it } from 'vitest'
import { handleCommand } from '../../src/core/app/command-handler'
import { LANGUAGES } from '../../src/shared/languages'
import {
  MESSAGE_CODES,
  renderMessage,
  type MessageCode,
  type MessageParams,
  type StationMessage
} from '../../src/shared/messages'
import type { MessageTexts } from '../../src/shared/messages/codes'
import { SPANISH } from '../../src/shared/messages/spanish'
import { offlineService } from '../helpers/screen-server'

const nested: StationMessage = { code: 'bib.empty', params: {} }

/** One set of parameters per code: the type checker asks for a sample of every new code. */
const SAMPLES: { readonly [C in MessageCode]: MessageParams[C] } = {
  'cloud.not-found': { description: null },
  'cloud.key-refused': {},
  'cloud.bad-request': { description: null },
  'cloud.conflict': { description: null },
  'cloud.too-large': {},
  'cloud.rate-limited': { seconds: 3 },
  'cloud.server-problem': { status: 503 },
  'cloud.not-on-network': {},
  'cloud.connection-refused': {},
  'cloud.connection-failed': {},
  'cloud.timeout': {},
  'cloud.unexpected-answer': {},
  'cloud.station-busy': { seconds: 3 },
  'cloud.not-rufus': {},
  'start.folder-busy': { folder: '/data', pid: 4242 },
  'start.journal-too-new': { found: 9, known: 4 },
  'start.folder-read-only': { folder: '/data' },
  'start.disk-full': { folder: '/data' },
  'start.journal-damaged': { journal: '/data/journal.sqlite' },
  'start.folder-failed': { folder: '/data', detail: 'EIO: i/o error' },
  'start.screen-port-taken': { host: '127.0.0.1', port: 4180 },
  'start.folder-adopted': { from: '/old/data', to: '/new/data' },
  'start.folder-kept-in-place': { folder: '/old/data', target: '/new/data', why: 'in-use' },
  'start.older-journal-left': { folder: '/old/data', target: '/new/data' },
  'start.folder-set-aside': { folder: '/new/data', keptAs: '/new/data-set-aside-1' },
  'start.app-folder-unknown': { variable: 'APPDATA' },
  'capture.waiting': {
    cause: { code: 'start.disk-full', params: { folder: '/data' } },
    pieces: 12,
    droppedBytes: 64
  },
  'station.recovered': { chunks: 7 },
  'station.csv-copy-failed': { session: 2, detail: 'EBUSY: resource busy' },
  'station.session-opened': { cause: 'reads', alias: 'FINISH 2' },
  'station.reads-without-session': { count: 5 },
  'station.no-session': {},
  'station.new-session': { alias: 'WAVE 2', closed: 'FINISH', waiting: 4 },
  'station.new-session-kept': { alias: 'WAVE 2', open: 'WAVE 2' },
  'station.session-alias-reused': { alias: 'WAVE 2', earlier: 2 },
  'station.unattended': { onClosedElsewhere: 'new-session', onUnbound: 'rebind' },
  'unbind.times-without-bib': { count: 2 },
  'unbind.not-in-cloud': { count: 3 },
  'unbind.key-may-not': {},
  'clock.reader-off': { port: 'COM3', offsetMs: -3500 },
  'clock.laptop-off': { seconds: 60, laptop: 'behind' },
  'clock.wall-jump': { jumpMs: 3_600_000 },
  'reader.silent': { seconds: 11 },
  'reader.ports-unlisted': { detail: 'Error: no access' },
  'reader.port-closed': {},
  'reader.port-error': { detail: 'Input/output error' },
  'reader.cannot-open': { path: '/dev/ttyUSB0', detail: 'Permission denied' },
  'reader.already-running': { id: 'COM3' },
  'reader.already-read': { path: 'COM3' },
  'bib.empty': {},
  'bib.control-character': {},
  'bib.too-long': { length: 40, max: 32 },
  'manual.outside-session': { at: null, from: '2026-11-27 08:00', until: '2026-11-29 18:00' },
  'correction.empty-bib': {},
  'passing.not-found': { id: 999 },
  'undo.nothing': { num: 4 },
  'undo.already-uploaded': { num: 4, bib: '12' },
  'note.voided-after-upload': {},
  'note.bib-fixed-after-upload': { bib: '13' },
  'note.superseded': { num: 2 },
  'participants.empty-file': {},
  'participants.no-header': {},
  'participants.line-empty': { line: 3 },
  'participants.line-bib': { line: 4, problem: nested },
  'participants.chip-repeated': { line: 5, chip: 'E2001', earlier: 2 },
  'participants.kept': { count: 2 },
  'participants.imported': { count: 120, file: 'runners.csv' },
  'session.already-closed': { alias: 'FINISH', open: 'FINISH 2' },
  'session.not-ours': {},
  'session.no-cloud-session': {},
  'session.not-found': { id: 8 },
  'key.refused': {},
  'key.read-only': {},
  'key.write-only': {},
  'key.read-write': { canUnbind: false },
  'key.set-at-start': {},
  'device.no-identity': {},
  'device.already-uploaded': {},
  'device.confirm-name': { expected: 'Finish' },
  'device.not-bound': {},
  'sync.no-decision-waiting': {},
  'command.unknown': { name: '"shell.exec"' },
  'command.station-only': {},
  'command.read-only': {},
  'command.invalid': { field: 'limit', problem: { kind: 'too-large', max: 500 } },
  'command.failed': { detail: 'boom' },
  'screen.too-many-commands': {},
  'screen.still-working': {},
  'screen.left': {},
  'screen.untrusted-sender': {},
  'screen.connection-lost': {},
  'sync.continues-new-session': { session: 3 },
  'sync.rebinding': { count: 40 },
  'sync.key-refused': {},
  'sync.unexpected': { detail: 'boom' },
  'sync.device-bound': {},
  'sync.device-already-bound': {},
  'sync.key-write-only': {},
  'sync.adopted-session': { alias: 'FINISH', after: 17 },
  'sync.smaller-batches': { size: 250 },
  'sync.passing-refused': { num: 9, reason: null },
  'sync.conflict': {
    note: {
      code: 'sync.note.conflict',
      params: { num: 9, bib: '12', chip: null, timestamp: '2026-11-28T10:00:00.000Z' }
    },
    localBib: '13'
  },
  'sync.session-refused': { alias: 'FINISH', pending: 4 },
  'sync.closed-elsewhere-continuing': { alias: 'FINISH' },
  'sync.closed-elsewhere': { alias: 'FINISH', pending: 4 },
  'sync.session-gone': { alias: 'FINISH' },
  'sync.unbound-rebinding': {},
  'sync.device-unbound': {},
  'sync.blocked': {
    problem: { code: 'sync.device-unbound', params: {} },
    action: { code: 'sync.action.device-unbound', params: {} }
  },
  'sync.action.key-refused': {},
  'sync.action.closed-elsewhere': {},
  'sync.action.device-unbound': {},
  'sync.action.session-gone': {},
  'sync.note.reuploaded': {},
  'sync.note.unverified': {},
  'sync.note.stored-copies': { copies: 2 },
  'sync.note.conflict': { num: 9, bib: '12', chip: 'E2001', timestamp: '2026-11-28T10:00:00.000Z' },
  'sync.note.refused': { reason: null },
  'sync.key-works-again': {},
  'sync.waiting-for-live-session': { session: 'FINISH', pending: 2, live: 'WAVE 2' },
  'sync.sending-waiting-now': { session: 'FINISH', live: 'WAVE 2' },
  'sync.all-refused': { reason: null, tried: 3 },
  'sync.action.all-refused': {},
  'sync.write-only-hold': { count: 4, why: 'no-counts' },
  'sync.action.write-only-hold': {},
  'sync.write-only-resend': { count: 4 },
  'sync.note.duplicate-unseen': { num: 3, sent: 3, inserted: 2, duplicates: 1, description: null },
  'sync.note.resent-accepted': {},
  'sync.note.may-be-twice': {},
  untranslated: { text: 'Words from elsewhere.' }
}

/** Words that come to the station from elsewhere and are shown as they are, in every language. */
const SAME_IN_EVERY_LANGUAGE: ReadonlySet<MessageCode> = new Set(['untranslated'])

function sample(code: MessageCode): StationMessage {
  return { code, params: SAMPLES[code] } as StationMessage
}

describe('messages as data', () => {
  it('every code renders in English and Spanish with sample parameters, and Spanish is really Spanish', () => {
    expect(new Set(MESSAGE_CODES)).toEqual(new Set(Object.keys(SAMPLES)))
    expect(MESSAGE_CODES.length).toBeGreaterThan(100)
    for (const code of MESSAGE_CODES) {
      const words = Object.fromEntries(
        LANGUAGES.map(language => [language, renderMessage(language, sample(code))])
      )
      for (const language of LANGUAGES) {
        const text = words[language] ?? ''
        expect(text.trim(), `${code} in ${language}`).not.toBe('')
        expect(text, `${code} in ${language}`).not.toMatch(/undefined|NaN|null|\{|\[object/)
      }
      if (!SAME_IN_EVERY_LANGUAGE.has(code)) expect(words['es'], code).not.toBe(words['en'])
    }
  })

  it('says a nested message in the same language, and writes numbers the way each language does', () => {
    const problem: StationMessage = { code: 'participants.line-bib', params: { line: 4, problem: nested } }
    expect(renderMessage('en', problem)).toBe('Line 4: The bib is empty.')
    expect(renderMessage('es', problem)).toBe('Línea 4: El dorsal está vacío.')
    const clock: StationMessage = { code: 'clock.reader-off', params: { port: 'COM3', offsetMs: -3500 } }
    expect(renderMessage('en', clock)).toContain('is -3.5 s off')
    expect(renderMessage('es', clock)).toContain('-3,5 s')
  })

  it('lets the type checker refuse a language without a code, and a code with the wrong parameters', () => {
    const { 'bib.empty': _left, ...withoutOne } = SPANISH
    // @ts-expect-error a language missing one code's text is not a complete set of texts
    const incomplete: MessageTexts = withoutOne
    // @ts-expect-error reader.silent takes seconds, not a port
    const wrong: StationMessage = { code: 'reader.silent', params: { port: 'COM3' } }
    expect([incomplete, wrong]).toHaveLength(2)
  })

  it('a refusal from the core reaches a screen as a code, said in the screen’s language', async () => {
    const service = offlineService()
    const result = await handleCommand(service, 'entry', 'passings.manual', { bib: '12\t0' })
    expect(result).toEqual({
      ok: false,
      error: { code: 'not-possible', message: { code: 'bib.control-character', params: {} } }
    })
    if (result.ok) return
    expect(renderMessage('es', result.error.message)).toMatch(/^El dorsal contiene un carácter de control/)
    expect(renderMessage('en', result.error.message)).toMatch(/^The bib contains a control character/)
  })
})
