import { useCallback, useEffect, useRef, useState } from 'react'
import { refreshRecent, run, runCorrection, stationApi } from '../api'
import { PassingsTable, type CorrectionDone } from '../components/PassingsTable'
import { UndoToast } from '../components/UndoToast'
import { UnfilledTimes } from '../components/UnfilledTimes'
import { EntryBox } from '../entry/EntryBox'
import { ageText, clockText, timeOfDay } from '../format'
import { READER_STATE_LABELS } from '../../../shared/states'
import { useLanguage, useMessage, useText } from '../i18n'
import { useStation } from '../store'

function BigClock(): React.JSX.Element {
  const t = useText()
  const offset = useStation(s => s.clockOffsetMs)
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100)
    return () => clearInterval(timer)
  }, [])
  return (
    <div className="big-clock" aria-label={t('stationTimeLabel')} role="timer">
      {clockText(now + offset)}
    </div>
  )
}

/** A short beep per new passing, through Web Audio (no file to load). */
function useBeep(enabled: boolean, count: number): void {
  const previous = useRef(count)
  const context = useRef<AudioContext | null>(null)
  useEffect(() => {
    // Browsers allow sound only after the user has interacted with the page.
    if (enabled && count > previous.current && navigator.userActivation.hasBeenActive) {
      context.current ??= new AudioContext()
      const oscillator = context.current.createOscillator()
      oscillator.frequency.value = 1760
      oscillator.connect(context.current.destination)
      oscillator.start()
      oscillator.stop(context.current.currentTime + 0.05)
    }
    previous.current = count
  }, [enabled, count])
}

function RateChart({ values }: { values: readonly number[] }): React.JSX.Element {
  const t = useText()
  const max = Math.max(5, ...values)
  const points = values.map((v, i) => `${(i / 59) * 240},${60 - (v / max) * 56}`).join(' ')
  return (
    <figure className="chart" aria-label={t('readsPerSecond')}>
      <svg
        viewBox="0 0 240 60"
        width="240"
        height="60"
        role="img"
        aria-label={`${t('readsNowLabel')} ${values.at(-1) ?? 0}`}
      >
        <polyline points={points} fill="none" stroke="currentColor" strokeWidth="2" />
      </svg>
      <figcaption>{values.at(-1) ?? 0} /s</figcaption>
    </figure>
  )
}

export function LiveScreen(): React.JSX.Element {
  const t = useText()
  const say = useMessage()
  const language = useLanguage()
  const snapshot = useStation(s => s.snapshot)
  const recent = useStation(s => s.recent)
  const rate = useStation(s => s.rate)
  const connected = useStation(s => s.connected)
  const bibBox = useRef<HTMLInputElement | null>(null)
  const rows = useRef<HTMLTableSectionElement | null>(null)
  const [undoable, setUndoable] = useState<{ message: string; id: number } | null>(null)
  const focusBibBox = useCallback(() => bibBox.current?.focus(), [])
  const clearUndo = useCallback(() => setUndoable(null), [])
  const corrected = useCallback(
    (done: CorrectionDone) => {
      const prefix = done.kind === 'void' ? t('voidedNum') : t('fixedNum')
      setUndoable({ message: `${prefix}${done.passing.num}`, id: done.passing.id })
      focusBibBox()
    },
    [t, focusBibBox]
  )
  useBeep(snapshot?.settings.beep ?? false, recent.length > 0 ? (recent[0]?.id ?? 0) : 0)
  if (!snapshot) return <p>{t('connecting')}</p>
  const { sync, session, clock } = snapshot
  const canEdit = snapshot.role !== 'viewer'
  const backlog = sync.pending + sync.inFlight
  const clockWarning = clock.offsetMs !== null && Math.abs(clock.offsetMs) > 2000
  // Three areas, in the order a phone shows them: the bib box, the last passings, then the station's state. A wide
  // screen puts the list beside the other two, so a laptop at the line sees 15 rows and more at once.
  return (
    <div className="live">
      {canEdit && (
        <section className="entry-area" aria-label={t('manualEntryArea')}>
          <EntryBox
            inputRef={bibBox}
            onArrowUp={() => {
              const first = rows.current?.querySelector<HTMLElement>('tr[data-num]')
              first?.focus()
            }}
          />
          {undoable && (
            <UndoToast
              message={undoable.message}
              onExpire={clearUndo}
              onUndo={() => {
                setUndoable(null)
                focusBibBox()
                void runCorrection(stationApi().undoCorrection({ id: undoable.id })).then(refreshRecent)
              }}
            />
          )}
        </section>
      )}
      <section className="list-area">
        <UnfilledTimes canEdit={canEdit} afterAction={corrected} />
        {canEdit && <small className="hint">{t('keyboardHint')}</small>}
        <PassingsTable
          recent={recent}
          canEdit={canEdit}
          focusBibBox={focusBibBox}
          afterAction={corrected}
          rowsRef={rows}
        />
      </section>
      <section className="status-area">
        <BigClock />
        <div className="status" aria-label={t('syncStatusLabel')}>
          <div data-testid="station-link">
            <span className={`dot ${connected ? 'ok' : 'bad'}`} />
            {t('stationLink')}: {connected ? t('stationReachable') : t('stationUnreachable')}
          </div>
          <div data-testid="cloud-link">
            <span
              className={`dot ${!connected ? '' : sync.online ? 'ok' : sync.online === false ? 'bad' : ''}`}
            />
            {t('cloudLink')}:{' '}
            {!connected
              ? t('cloudUnknown')
              : sync.online
                ? t('online')
                : sync.online === false
                  ? t('offline')
                  : '…'}
          </div>
          <div data-testid="sync-counts">
            <b>{sync.synced}</b> {t('synced')} · <b>{sync.pending}</b> {t('pending')}
            {sync.held > 0 && ` · ${sync.held} ${t('held')}`}
            {sync.quarantined > 0 && ` · ${sync.quarantined} ${t('quarantined')}`}
            {sync.conflict > 0 && (
              <strong className="danger">
                {' '}
                · {sync.conflict} {t('conflict')}
              </strong>
            )}
          </div>
          {backlog > 0 && (
            <progress aria-label={t('uploadProgressLabel')} max={sync.synced + backlog} value={sync.synced} />
          )}
          {sync.blocked && (
            <div className="blocked" role="alert">
              {sync.blocked.message} <em>{sync.blocked.action}</em>
              {snapshot.role === 'station' && (
                <span>
                  {sync.blocked.kind === 'closed-elsewhere' || sync.blocked.kind === 'session-gone' ? (
                    <button
                      type="button"
                      onClick={() => void run(stationApi().syncAction({ action: 'continue-new-session' }))}
                    >
                      {t('continueNewSession')}
                    </button>
                  ) : sync.blocked.kind === 'device-unbound' ? (
                    <button
                      type="button"
                      onClick={() => void run(stationApi().syncAction({ action: 'rebind' }))}
                    >
                      {t('rebind')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      onClick={() => void run(stationApi().syncAction({ action: 'resume' }))}
                    >
                      {t('resume')}
                    </button>
                  )}
                </span>
              )}
            </div>
          )}
          {!sync.blocked && sync.lastError && (
            <div className="warning">
              {t('lastError')}: {sync.lastError}
            </div>
          )}
          <div>
            {t('session')}: <b>{session?.alias ?? t('noSession')}</b> · {t('device')}:{' '}
            {snapshot.device.alias ?? snapshot.device.serialNumber}
          </div>
          <div className={clockWarning || clock.jumpMs ? 'warning' : ''}>
            {t('clock')}:{' '}
            {clock.offsetMs === null
              ? '—'
              : `${clock.offsetMs > 0 ? '+' : ''}${clock.offsetMs} ms (±${clock.uncertaintyMs} ms)`}
            {clock.jumpMs !== null && ` · ${t('clockJump')} ${clock.jumpMs} ms`}
          </div>
        </div>
        {snapshot.notices.length > 0 && (
          <ul className="notices" role="log" aria-label={t('messagesLabel')}>
            {snapshot.notices.slice(-3).map(n => (
              <li
                key={`${n.at}-${JSON.stringify(n.message)}`}
                className={n.level === 'info' ? '' : n.level === 'error' ? 'danger' : 'warning'}
              >
                {timeOfDay(n.at, language)} {say(n.message)}
              </li>
            ))}
          </ul>
        )}
        <div className="chart-and-beep">
          <RateChart values={rate} />
          <label className="toggle">
            <input
              type="checkbox"
              checked={snapshot.settings.beep}
              disabled={snapshot.role !== 'station'}
              onChange={e => void run(stationApi().setSettings({ beep: e.target.checked }))}
            />
            {t('beep')}
          </label>
        </div>
        <section aria-label={t('readers')} className="readers">
          {snapshot.readers.map(r => (
            <div key={r.id} className={`reader state-${r.state}`} data-testid="reader">
              <b>{r.id}</b> {r.protocol} · {READER_STATE_LABELS[language][r.state]} ·{' '}
              {ageText(r.lastReadAgeMs, language)} · {r.readsPerSecond}/s · {t('errors')} {r.decodeErrors}
              {r.clockOffsetMs !== null && ` · ${t('readerClock')} ${r.clockOffsetMs} ms`}
              {Object.entries(r.details)
                .slice(0, 3)
                .map(([k, v]) => ` · ${k} ${v}`)}
              {r.message && <div className="warning">{say(r.message)}</div>}
            </div>
          ))}
        </section>
      </section>
    </div>
  )
}
