import { useEffect, useRef, useState } from 'react'
import type { PassingView } from '../../../shared/contract'
import { refreshRecent, run, stationApi } from '../api'
import { ageText, clockText, timeText } from '../format'
import { useText } from '../i18n'
import { useStation } from '../store'

function BigClock(): React.JSX.Element {
  const offset = useStation(s => s.clockOffsetMs)
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100)
    return () => clearInterval(timer)
  }, [])
  return (
    <div className="big-clock" aria-label="Station time" role="timer">
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

function ManualEntry(): React.JSX.Element {
  const t = useText()
  const offset = useStation(s => s.clockOffsetMs)
  const [bib, setBib] = useState('')
  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return
    // Stamped at the keypress, in station time.
    const atMs = Date.now() + offset
    const value = bib.trim()
    setBib('')
    void run(stationApi().recordManual({ bib: value === '' ? null : value, atMs }))
  }
  return (
    <label className="manual-entry">
      <span>{t('manualEntry')}</span>
      <input
        aria-label={t('manualEntry')}
        inputMode="numeric"
        autoComplete="off"
        value={bib}
        onChange={e => setBib(e.target.value)}
        onKeyDown={onKeyDown}
      />
    </label>
  )
}

function PassingRow({ passing, canEdit }: { passing: PassingView; canEdit: boolean }): React.JSX.Element {
  const t = useText()
  const [fixing, setFixing] = useState(false)
  const [bib, setBib] = useState(passing.bib ?? '')
  const editable = canEdit && ['pending', 'held', 'quarantined', 'synced', 'conflict'].includes(passing.state)
  return (
    <tr className={`state-${passing.state}`} data-num={passing.num}>
      <td>{passing.num}</td>
      <td className="bib">{passing.bib ?? '—'}</td>
      <td>{passing.name ?? ''}</td>
      <td className="chip">{passing.chip ?? ''}</td>
      <td>{timeText(passing.timestamp)}</td>
      <td>{passing.source === 'manual' ? 'manual' : (passing.port ?? '')}</td>
      <td title={passing.note ?? undefined}>
        {passing.state}
        {passing.note && passing.state === 'synced' ? ' *' : ''}
      </td>
      <td>
        {editable && passing.state !== 'void' && !fixing && (
          <>
            <button
              type="button"
              aria-label={`${t('fixBib')} ${passing.num}`}
              onClick={() => setFixing(true)}
            >
              {t('fixBib')}
            </button>
            <button
              type="button"
              aria-label={`${t('voidIt')} ${passing.num}`}
              onClick={() => void run(stationApi().voidPassing({ id: passing.id })).then(refreshRecent)}
            >
              {t('voidIt')}
            </button>
          </>
        )}
        {fixing && (
          <form
            onSubmit={e => {
              e.preventDefault()
              setFixing(false)
              void run(stationApi().fixBib({ id: passing.id, bib })).then(refreshRecent)
            }}
          >
            <input
              aria-label={`${t('bib')} ${passing.num}`}
              value={bib}
              onChange={e => setBib(e.target.value)}
              autoFocus
            />
            <button type="submit">{t('save')}</button>
            <button type="button" onClick={() => setFixing(false)}>
              {t('cancel')}
            </button>
          </form>
        )}
      </td>
    </tr>
  )
}

function RateChart({ values }: { values: readonly number[] }): React.JSX.Element {
  const max = Math.max(5, ...values)
  const points = values.map((v, i) => `${(i / 59) * 240},${60 - (v / max) * 56}`).join(' ')
  return (
    <figure className="chart" aria-label="Reads per second">
      <svg
        viewBox="0 0 240 60"
        width="240"
        height="60"
        role="img"
        aria-label={`Reads per second, now ${values.at(-1) ?? 0}`}
      >
        <polyline points={points} fill="none" stroke="currentColor" strokeWidth="2" />
      </svg>
      <figcaption>{values.at(-1) ?? 0} /s</figcaption>
    </figure>
  )
}

export function LiveScreen(): React.JSX.Element {
  const t = useText()
  const snapshot = useStation(s => s.snapshot)
  const recent = useStation(s => s.recent)
  const rate = useStation(s => s.rate)
  useBeep(snapshot?.settings.beep ?? false, recent.length > 0 ? (recent[0]?.id ?? 0) : 0)
  if (!snapshot) return <p>{t('connecting')}</p>
  const { sync, session, clock } = snapshot
  const canEdit = snapshot.role !== 'viewer'
  const backlog = sync.pending + sync.inFlight
  const clockWarning = clock.offsetMs !== null && Math.abs(clock.offsetMs) > 2000
  return (
    <div className="live">
      <section className="top">
        <BigClock />
        <div className="status" aria-label="Sync status">
          <div>
            <span className={`dot ${sync.online ? 'ok' : sync.online === false ? 'bad' : ''}`} />
            {sync.online ? t('online') : sync.online === false ? t('offline') : '…'}
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
            <progress aria-label="Upload progress" max={sync.synced + backlog} value={sync.synced} />
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
            {clock.jumpMs !== null && ` · jump ${clock.jumpMs} ms`}
          </div>
        </div>
      </section>
      <section className="middle">
        {canEdit && <ManualEntry />}
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
      </section>
      <section aria-label={t('readers')} className="readers">
        {snapshot.readers.map(r => (
          <div key={r.id} className={`reader state-${r.state}`} data-testid="reader">
            <b>{r.id}</b> {r.protocol} · {r.state} · {ageText(r.lastReadAgeMs)} · {r.readsPerSecond}/s ·
            errors {r.decodeErrors}
            {r.clockOffsetMs !== null && ` · clock ${r.clockOffsetMs} ms`}
            {Object.entries(r.details)
              .slice(0, 3)
              .map(([k, v]) => ` · ${k} ${v}`)}
            {r.message && <div className="warning">{r.message}</div>}
          </div>
        ))}
      </section>
      <table className="passings" aria-label="Last passings">
        <thead>
          <tr>
            <th>{t('num')}</th>
            <th>{t('bib')}</th>
            <th>{t('name')}</th>
            <th>{t('chip')}</th>
            <th>{t('time')}</th>
            <th>{t('source')}</th>
            <th>{t('state')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {recent.slice(0, 100).map(p => (
            <PassingRow key={p.id} passing={p} canEdit={canEdit} />
          ))}
        </tbody>
      </table>
    </div>
  )
}
