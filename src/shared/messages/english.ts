import type { ArgumentProblem, MessageTexts, WriteOnlyHoldReason } from './codes'

const SAFE_OFFLINE = 'working offline, passings are safe here.'
const AFTER_UPLOAD = 'here after upload (RUFUS Cloud keeps the original; the export carries the correction)'

function argumentProblem(problem: ArgumentProblem): string {
  switch (problem.kind) {
    case 'too-short':
      return problem.min <= 1 ? 'it cannot be empty' : `at least ${problem.min} characters`
    case 'too-long':
      return `at most ${problem.max} characters`
    case 'too-small':
      return `at least ${problem.min}`
    case 'too-large':
      return `at most ${problem.max}`
    case 'not-a-web-address':
      return 'it must be a web address (http or https)'
    case 'not-one-of':
      return `it must be one of ${problem.values.join(', ')}`
    case 'wrong-kind':
      return 'not a value of the kind it takes'
  }
}

/** English: the screens' fallback, the command line's language, and what `--json` events carry for scripts. */
export const ENGLISH = {
  'cloud.not-found': p => `RUFUS Cloud says: ${p.description ?? 'not found'}.`,
  'cloud.key-refused': () =>
    'RUFUS Cloud refused the API key: it was revoked, mistyped, or lacks the permission this needs. Check the key and its access type in RUFUS Cloud.',
  'cloud.bad-request': p =>
    `RUFUS Cloud rejected the request as invalid: ${p.description ?? 'no reason given'}.`,
  'cloud.conflict': p => `RUFUS Cloud reports a conflict: ${p.description ?? 'the resource already exists'}.`,
  'cloud.too-large': () => 'RUFUS Cloud found the upload too large; it will be sent in smaller batches.',
  'cloud.rate-limited': p => `RUFUS Cloud asks to slow down; retrying in ${p.seconds} s.`,
  'cloud.server-problem': p =>
    `RUFUS Cloud had an internal problem (HTTP ${p.status ?? '5xx'}); passings are safe here and will be retried.`,
  'cloud.not-on-network': () =>
    `Cannot find RUFUS Cloud on the network (no internet or DNS); ${SAFE_OFFLINE}`,
  'cloud.connection-refused': () =>
    `RUFUS Cloud refused the connection (wrong address or server down); ${SAFE_OFFLINE}`,
  'cloud.connection-failed': () => `The connection to RUFUS Cloud failed; ${SAFE_OFFLINE}`,
  'cloud.timeout': () => 'RUFUS Cloud did not answer in time; passings are safe here and will be retried.',
  'cloud.unexpected-answer': () =>
    'RUFUS Cloud answered something unexpected (not the API); check the API address. Passings are safe here.',
  'cloud.station-busy': p =>
    `The station is busy uploading to RUFUS Cloud and did not make this cloud read (waited ${p.seconds} s). Uploads go first; try again in a moment.`,
  'cloud.not-rufus': () =>
    'The network answers, but not as RUFUS Cloud (a Wi-Fi login page or a proxy?). Passings are safe here; the station keeps trying, less often.',

  'start.folder-busy': p =>
    `Another RUFUS Station${p.pid === null ? '' : ` (process ${p.pid})`} is already using the data folder ${p.folder}. Close it first.`,
  'start.journal-too-new': p =>
    `This journal was written by a newer RUFUS Station (journal format ${p.found}; this version knows up to ${p.known}). Update RUFUS Station to open it. The file was not changed.`,
  'start.folder-read-only': p =>
    `RUFUS Station cannot write to its data folder ${p.folder} (it is read-only or not permitted). Choose a folder this user can write to.`,
  'start.disk-full': p =>
    `The disk holding ${p.folder} is full, so new reads cannot be saved. Free some space.`,
  'start.journal-damaged': p =>
    `The journal ${p.journal} is damaged or is not a RUFUS Station journal. It was left untouched: move it aside (keep it for recovery) and start again to begin a new journal.`,
  'start.folder-failed': p => `RUFUS Station could not use its data folder ${p.folder}: ${p.detail}`,
  'start.screen-port-taken': p =>
    `The screen port ${p.host}:${p.port} is in use or not available here: choose another --http-port, or stop the program that holds it.`,
  'start.folder-adopted': p => `Moved the data folder from ${p.from} to ${p.to}.`,
  'start.folder-kept-in-place': p =>
    `Your journal stays in ${p.folder} and RUFUS Station uses it there: it could not be moved to ${p.target} (${
      {
        'other-drive': 'it is on another drive',
        'in-use': 'a file in it is open in another program; the move is tried again at the next start',
        overlaps:
          'the new folder would be inside it; this stays so at every start until the journal is moved by hand, as the installation guide explains'
      }[p.why]
    }).`,
  'start.older-journal-left': p =>
    `An older journal was left untouched in ${p.folder}; RUFUS Station uses ${p.target} and does not upload from the older one. It may hold passings not yet in RUFUS Cloud: keep that folder, and to upload them quit RUFUS Station, rename ${p.target} aside and start again (the installation guide explains).`,
  'start.folder-set-aside': p =>
    `${p.folder} held files but no journal (a start that stopped early): they were kept as ${p.keptAs} to make room for the journal of the earlier version.`,
  'start.app-folder-unknown': p =>
    `RUFUS Station cannot tell where to keep its files: ${p.variable} is not set to a full path and the home folder is unknown. Set ${p.variable} to a full path, or give the headless station --data.`,
  'capture.waiting': (p, say) =>
    `${say(p.cause)} ${p.pieces} pieces of reader input are waiting in memory and will be saved as soon as possible; nothing already saved is affected.${
      p.droppedBytes > 0
        ? ` The memory set aside for waiting input is full: ${p.droppedBytes} bytes of reader input could not be kept.`
        : ''
    }`,

  'station.recovered': p => `Recovered ${p.chunks} chunks of reader input stored before an interruption.`,
  'station.csv-copy-failed': p =>
    `The CSV copy of session ${p.session} cannot be written (${p.detail}); the journal keeps every passing and the copy catches up when it can.`,
  'station.session-opened': p =>
    `No session was open when ${p.cause === 'reads' ? 'reads arrived' : 'a time was entered'}: session "${p.alias}" was opened for them.`,
  'station.reads-without-session': p =>
    `${p.count} reads arrived with no session open; they are kept in the raw journal.`,
  'station.no-session': () => 'No session is open',
  'station.new-session': p =>
    p.closed === null
      ? `Session "${p.alias}" opened, as asked (--new-session).`
      : `Session "${p.closed}" closed and session "${p.alias}" opened, as asked (--new-session); ${p.waiting === 0 ? `every passing of "${p.closed}" is in the cloud or on its way` : `the ${p.waiting} passings of "${p.closed}" not yet in the cloud still upload`}.`,
  'station.new-session-kept': p =>
    `--new-session "${p.alias}" was already carried out at an earlier start, so no session was closed: capture continues in session "${p.open}". Give another name to start another session.`,
  'station.session-alias-reused': p =>
    `An earlier session (number ${p.earlier}) is also named "${p.alias}"; the station and RUFUS Cloud tell them apart by number.`,
  'station.unattended': p =>
    `Unattended: if RUFUS Cloud closes this station's session elsewhere it ${p.onClosedElsewhere === 'new-session' ? 'continues in a new cloud session by itself' : 'stops uploading until someone decides'}; if the device is unbound in RUFUS Cloud it ${p.onUnbound === 'rebind' ? 'binds again and uploads everything again by itself' : 'stops uploading until someone decides'}.`,
  'unbind.times-without-bib': p =>
    `Unbinding waits for ${p.count} times without a bib (entered with Enter alone). They are pinned at the top of the finish screen: give each its bib, or void it, then unbind.`,
  'unbind.not-in-cloud': p =>
    `Unbinding is refused: ${p.count} passings are not in the cloud yet, and unbinding deletes the device's data there.`,
  'unbind.key-may-not': () =>
    'RUFUS Cloud refused to unbind the device with this API key: unbinding needs a key with "Allow Unbind Device" (or the key was revoked). Nothing was deleted.',

  'clock.reader-off': p =>
    `The clock of reader ${p.port} is ${(p.offsetMs / 1000).toFixed(1)} s off the laptop's; check the reader's time before the race.`,
  'clock.laptop-off': p =>
    `This laptop's clock is about ${p.seconds} s ${p.laptop === 'behind' ? 'behind' : 'ahead of'} RUFUS Cloud. Check the time before the race.`,
  'clock.wall-jump': p =>
    `The laptop's wall clock jumped by ${(p.jumpMs / 1000).toFixed(1)} s. Passings keep the steady station time; check the clock, then open a new session to adopt the new time.`,

  'reader.silent': p => `Nothing received for ${p.seconds} s: check the cable and the reader.`,
  'reader.ports-unlisted': p => `Cannot look up serial ports: ${p.detail}`,
  'reader.port-closed': () => 'The reader port closed (cable pulled or reader off).',
  'reader.port-error': p => p.detail,
  'reader.cannot-open': p => `Cannot open ${p.path}: ${p.detail}`,
  'reader.already-running': p => `A reader named ${p.id} is already running`,
  'reader.already-read': p => `${p.path} is already being read.`,

  'bib.empty': () => 'The bib is empty.',
  'bib.control-character': () =>
    'The bib contains a control character (a line break, a tab or similar); type letters and digits only.',
  'bib.too-long': p => `The bib is ${p.length} characters long; a bib has at most ${p.max}.`,
  'manual.outside-session': p =>
    `The time ${p.at ?? 'no valid time'} UTC is outside this session (${p.from} to ${p.until} UTC, a day either side); check the date and time.`,
  'correction.empty-bib': () => 'A bib cannot be empty',
  'passing.not-found': p => `There is no passing ${p.id}`,
  'undo.nothing': p => `Passing ${p.num} has no correction to undo.`,
  'undo.already-uploaded': p =>
    `Passing ${p.num} already went up to RUFUS Cloud with bib ${p.bib ?? '—'}; correct it again instead.`,
  'note.voided-after-upload': () => `voided ${AFTER_UPLOAD}`,
  'note.bib-fixed-after-upload': p => `bib corrected to ${p.bib} ${AFTER_UPLOAD}`,
  'note.superseded': p => `replaced by an earlier read of the same chip (passing ${p.num})`,

  'participants.empty-file': () => 'The file is empty.',
  'participants.no-header': () =>
    'The first line must name the columns, with at least "chip" and "bib", separated by ";" or ",", and quotes must be closed.',
  'participants.line-empty': p => `Line ${p.line}: chip or bib is empty.`,
  'participants.line-bib': (p, say) => `Line ${p.line}: ${say(p.problem)}`,
  'participants.chip-repeated': p =>
    `Line ${p.line}: chip ${p.chip} was already given on line ${p.earlier}; the later line wins.`,
  'participants.kept': p => `Nothing imported: the ${p.count} participants already in use are kept.`,
  'participants.imported': p => `Imported ${p.count} participants from ${p.file}.`,

  'session.already-closed': p =>
    `Session "${p.alias}" is already closed${p.open === null ? '' : `; "${p.open}" is open now`}. Nothing was changed.`,
  'session.not-ours': () => 'That cloud session is not one of this station’s sessions.',
  'session.no-cloud-session': () => 'This session has no cloud session yet.',
  'session.not-found': p => `There is no session ${p.id}.`,
  'key.refused': () => 'RUFUS Cloud refused this key. Check it in RUFUS Cloud → API Keys.',
  'key.read-only': () =>
    'This key can only READ: it cannot bind the device, open sessions or upload passings. Use a READ_WRITE key.',
  'key.write-only': () =>
    'This key can WRITE but not READ: uploads work, but the station cannot check what reached the cloud or browse passings. READ_WRITE is recommended.',
  'key.read-write': p =>
    `This key can read and write${p.canUnbind ? ', and unbind devices' : '; unbinding needs a key with "Allow Unbind Device"'}.`,
  'key.set-at-start': () =>
    'The key of this station is set where it was started (command line or environment).',
  'device.no-identity': () => 'The station has no device identity yet.',
  'device.already-uploaded': () =>
    'Passings were already uploaded for the current device; open a new data folder to time as another device.',
  'device.confirm-name': p => `Type the device's name exactly (${p.expected}) to unbind it.`,
  'device.not-bound': () => 'The device is not bound yet.',
  'sync.no-decision-waiting': () => 'No session is waiting for that decision.',

  'command.unknown': p => `Unknown command ${p.name}.`,
  'command.station-only': () => 'Only the station itself can do this.',
  'command.read-only': () => 'This screen is paired read-only.',
  'command.invalid': p => `Invalid ${p.field || 'arguments'}: ${argumentProblem(p.problem)}.`,
  'command.failed': p => `Something went wrong: ${p.detail}`,
  'screen.too-many-commands': () => 'Too many commands from this screen; slow down.',
  'screen.still-working': () => 'The station is still working on this screen’s earlier requests.',
  'screen.left': () => 'The screen left.',
  'screen.untrusted-sender': () => 'Untrusted sender.',
  'screen.connection-lost': () => 'The connection to the station was lost.',

  'sync.continues-new-session': p =>
    `Session ${p.session} will continue in a new cloud session; each passing keeps its number.`,
  'sync.rebinding': p => `Binding the device again; ${p.count} passings will be uploaded again.`,
  'sync.key-refused': () =>
    'RUFUS Cloud refused the API key (revoked, mistyped, or without WRITE permission). Every passing is safe on this laptop.',
  'sync.unexpected': p => `Sync stopped by an unexpected problem: ${p.detail}`,
  'sync.device-bound': () => 'Device bound in RUFUS Cloud.',
  'sync.device-already-bound': () =>
    'This device was already bound in RUFUS Cloud; using the existing device.',
  'sync.key-write-only': () =>
    'The API key can write but not read. The station cannot check what reached the cloud, so exactness rests on the cloud’s de-duplication. Use a READ_WRITE key.',
  'sync.adopted-session': p =>
    `Continuing the device's active cloud session "${p.alias ?? ''}" after its passing ${p.after}.`,
  'sync.smaller-batches': p => `RUFUS Cloud found a batch too large; sending ${p.size} passings at a time.`,
  'sync.passing-refused': p =>
    `Passing ${p.num} was refused by RUFUS Cloud (${p.reason ?? 'refused by RUFUS Cloud'}); it is kept aside and the rest goes on.`,
  'sync.conflict': (p, say) =>
    `Conflict: ${say(p.note)}. The local passing (bib ${p.localBib ?? '—'}) was not marked as synced.`,
  'sync.session-refused': p =>
    `RUFUS Cloud no longer accepts passings for session "${p.alias}" (${p.pending} waiting): it was closed elsewhere or the device was unbound, and this key cannot read which.`,
  'sync.closed-elsewhere-continuing': p =>
    `The cloud session of "${p.alias}" was closed elsewhere; continuing in a new cloud session as configured.`,
  'sync.closed-elsewhere': p =>
    `The cloud session of "${p.alias}" was closed from elsewhere while ${p.pending} passings wait to be uploaded. They are safe on this laptop.`,
  'sync.session-gone': p => `RUFUS Cloud no longer knows the session of "${p.alias}".`,
  'sync.unbound-rebinding': () =>
    'The device was unbound in RUFUS Cloud; binding again and uploading everything again as configured.',
  'sync.device-unbound': () =>
    'This device was unbound in RUFUS Cloud, which deleted its sessions and passings there. Every passing is still on this laptop.',
  'sync.blocked': (p, say) => `${say(p.problem)} ${say(p.action)}`,
  'sync.action.key-refused': () => 'Action: enter a valid API key with READ_WRITE access.',
  'sync.action.closed-elsewhere': () =>
    'Action: continue in a new cloud session (each passing keeps its number).',
  'sync.action.device-unbound': () => 'Action: bind the device again and upload everything again.',
  'sync.action.session-gone': () =>
    'Action: continue in a new cloud session, or check the device in RUFUS Cloud.',
  'sync.note.reuploaded': () => 'uploaded again after the device was unbound in the cloud',
  'sync.note.unverified': () => 'accepted by RUFUS Cloud; not verified (the key cannot read)',
  'sync.note.stored-copies': p => `stored ${p.copies} times in the cloud (it does not de-duplicate)`,
  'sync.note.conflict': p =>
    `RUFUS Cloud already holds a different passing under number ${p.num}: bib ${p.bib}, chip ${p.chip ?? '—'}, ${p.timestamp}`,
  'sync.note.refused': p => p.reason ?? 'refused by RUFUS Cloud',
  'sync.key-works-again': () => 'RUFUS Cloud accepts the API key again; sync goes on.',
  'sync.waiting-for-live-session': p =>
    `${p.pending} ${p.pending === 1 ? 'passing' : 'passings'} of the closed session "${p.session}" ${p.pending === 1 ? 'waits' : 'wait'} for the live session "${p.live}" to end: a new cloud session for them would close the live one. They go up by themselves when "${p.live}" is closed, or now if you choose.`,
  'sync.sending-waiting-now': p =>
    `Sending the waiting passings of "${p.session}" now; the live session "${p.live}" continues in a new cloud session (each passing keeps its number).`,
  'sync.all-refused': p =>
    `RUFUS Cloud refuses every passing, each of the ${p.tried} tried alone for the same reason (${p.reason ?? 'no reason given'}). Sync stopped; nothing was set aside, every passing is safe on this laptop.`,
  'sync.action.all-refused': () =>
    'Action: none needed here; the station tries one passing again every few minutes. If it lasts, tell RUFUS support the reason shown.',
  'sync.write-only-hold': p =>
    `${p.count} ${p.count === 1 ? 'passing is' : 'passings are'} held, neither sent again nor counted as uploaded: ${writeOnlyWhy(p.why)}, and this API key cannot read to check.`,
  'sync.action.write-only-hold': () =>
    'Action: enter a READ_WRITE key; the station then reads them back and settles them.',
  'sync.write-only-resend': p =>
    `The answer to ${p.count} ${p.count === 1 ? 'passing' : 'passings'} was lost; sending ${p.count === 1 ? 'it' : 'them'} once more, relying on RUFUS Cloud dropping a number it already holds (this API key cannot read to check).`,
  'sync.note.duplicate-unseen': p =>
    `RUFUS Cloud answered ${countsOf(p)}${p.description === null ? '' : ` ("${p.description}")`} for ${p.sent} sent, yet holds nothing under number ${p.num}, twice: probably taken as a duplicate of another passing`,
  'sync.note.resent-accepted': () =>
    'sent again after a lost answer; RUFUS Cloud accounted for it (the key cannot read to verify)',
  'sync.note.may-be-twice': () =>
    'sent again after a lost answer; RUFUS Cloud does not report duplicates, so it may be stored twice (the key cannot read to check)',

  untranslated: p => p.text
} satisfies MessageTexts

function writeOnlyWhy(why: WriteOnlyHoldReason): string {
  switch (why) {
    case 'no-counts':
      return 'RUFUS Cloud accepted the batch without saying how many it stored'
    case 'duplicates':
      return 'RUFUS Cloud called some of them duplicates of passings it already holds'
    case 'fewer-inserted':
      return 'RUFUS Cloud stored fewer than were sent'
    case 'no-duplicate-report':
      return 'the answer was lost, and this RUFUS Cloud does not report duplicates, so sending again could store them twice'
    case 'lost-twice':
      return 'the answer was lost twice, the second time after sending them again'
  }
}

function countsOf(p: { readonly inserted: number | null; readonly duplicates: number | null }): string {
  if (p.inserted === null && p.duplicates === null) return 'without counts'
  const parts = [
    p.inserted === null ? '' : `${p.inserted} inserted`,
    p.duplicates === null ? '' : `${p.duplicates} ${p.duplicates === 1 ? 'duplicate' : 'duplicates'}`
  ]
  return parts.filter(part => part !== '').join(', ')
}
