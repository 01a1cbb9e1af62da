import { useEffect, useState } from 'react'
import type { SessionView } from '../../../shared/contract'
import { run, stationApi } from '../api'
import { timeOfDay } from '../format'
import { Field } from '../components/Field'
import { PairingCodes } from '../components/PairingCodes'
import { CLOUD_SESSION_STATE_LABELS } from '../../../shared/states'
import { useLanguage, useText } from '../i18n'
import { useStation } from '../store'

export function SessionsScreen(): React.JSX.Element {
  const t = useText()
  const language = useLanguage()
  const snapshot = useStation(s => s.snapshot)
  const [sessions, setSessions] = useState<SessionView[]>([])
  // The name asked for a session about to open (null: not asking), by "Open a new session" or "Close and open".
  const [opening, setOpening] = useState<string | null>(null)
  const [info, setInfo] = useState<Record<string, unknown> | null>(null)
  const [confirm, setConfirm] = useState('')
  const [closing, setClosing] = useState<string | null>(null)
  const isStation = snapshot?.role === 'station'
  const refresh = () => {
    void run(stationApi().sessions({})).then(list => list && setSessions(list))
    void run(stationApi().deviceInfo({})).then(value => setInfo(value))
  }
  useEffect(refresh, [])
  if (!snapshot) return <p>{t('connecting')}</p>
  const deviceName = snapshot.device.alias ?? snapshot.device.serialNumber
  return (
    <div className="sessions">
      <h2>{t('sessions')}</h2>
      <table aria-label={t('sessions')}>
        <thead>
          <tr>
            <th>{t('session')}</th>
            <th>{t('state')}</th>
            <th>{t('cloud')}</th>
            <th>{t('passingsColumn')}</th>
            <th>{t('syncedColumn')}</th>
            <th>{t('firstPassingAt')}</th>
            <th>{t('lastPassingAt')}</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map(s => (
            <tr key={s.id} className={s.closed ? '' : 'active'}>
              <td>{s.alias}</td>
              <td>{s.closed ? t('sessionClosed') : `${t('sessionOpen')} ●`}</td>
              <td>
                {CLOUD_SESSION_STATE_LABELS[language][s.cloudState]}
                {s.cloudActive ? ` (${t('activeInCloud')})` : ''}
              </td>
              <td>{s.counts.total}</td>
              <td>{s.counts.synced}</td>
              <td>{s.first ? timeOfDay(s.first, language) : '—'}</td>
              <td>{s.last ? timeOfDay(s.last, language) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {isStation && (
        <div className="toolbar">
          <button type="button" onClick={() => setOpening(snapshot.nextSessionAlias)}>
            {t('openSession')}
          </button>
          <button
            type="button"
            disabled={!snapshot.session}
            onClick={() => setClosing(snapshot.nextSessionAlias)}
          >
            {t('closeSession')}
          </button>
        </div>
      )}
      {isStation && opening !== null && (
        <form
          className="confirm"
          role="dialog"
          aria-label={t('openSession')}
          onSubmit={e => {
            e.preventDefault()
            const alias = opening.trim()
            if (alias === '') return
            setOpening(null)
            void run(stationApi().openSession({ alias })).then(refresh)
          }}
          onKeyDown={e => {
            if (e.key === 'Escape') setOpening(null)
          }}
        >
          <label>
            {t('alias')}
            <input
              aria-label={t('alias')}
              value={opening}
              onChange={e => setOpening(e.target.value)}
              onFocus={e => e.target.select()}
              maxLength={60}
              required
              autoFocus
            />
          </label>
          <p>{t('sessionWarning')}</p>
          <button type="submit" disabled={opening.trim() === ''}>
            {t('openIt')}
          </button>
          <button type="button" onClick={() => setOpening(null)}>
            {t('cancel')}
          </button>
        </form>
      )}
      {isStation && closing !== null && snapshot.session && (
        <div
          className="confirm"
          role="alertdialog"
          aria-label={t('closeSession')}
          onKeyDown={e => {
            if (e.key === 'Escape') setClosing(null)
          }}
        >
          <p>
            <b>{snapshot.session.alias}</b>: {t('closeConfirm')}
          </p>
          <Field label={t('nextAlias')} value={closing} onChange={setClosing} />
          <button
            type="button"
            autoFocus
            disabled={closing.trim() === ''}
            onClick={() => {
              const alias = closing.trim()
              setClosing(null)
              void run(
                stationApi().closeSession({ openNext: true, sessionId: snapshot.session?.id, alias })
              ).then(refresh)
            }}
          >
            {t('closeAndOpen')} {closing.trim()}
          </button>
          <button
            type="button"
            onClick={() => {
              setClosing(null)
              void run(stationApi().closeSession({ sessionId: snapshot.session?.id })).then(refresh)
            }}
          >
            {t('closeOnly')}
          </button>
          <button type="button" onClick={() => setClosing(null)}>
            {t('cancel')}
          </button>
        </div>
      )}
      {isStation && snapshot.runtime === 'headless' && <PairingCodes />}
      <h2>{t('device')}</h2>
      <dl className="device-info">
        <dt>{t('serialNumber')}</dt>
        <dd>{snapshot.device.serialNumber}</dd>
        <dt>{t('deviceId')}</dt>
        <dd>{snapshot.device.deviceid ?? '—'}</dd>
        {info &&
          Object.entries(info)
            .filter(([k]) => !['deviceid', 'serial_number'].includes(k))
            .map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{String(v ?? '—')}</dd>
              </div>
            ))}
      </dl>
      {isStation && snapshot.key.canUnbind !== false && snapshot.device.deviceid && (
        <form
          className="danger-zone"
          aria-label={t('unbind')}
          onSubmit={e => {
            e.preventDefault()
            void run(stationApi().unbindDevice({ confirmAlias: confirm })).then(refresh)
          }}
        >
          <p>
            {t('unbindWarning')} <b>{deviceName}</b>
          </p>
          <input aria-label={t('unbind')} value={confirm} onChange={e => setConfirm(e.target.value)} />
          <button type="submit" disabled={confirm !== deviceName}>
            {t('unbind')}
          </button>
        </form>
      )}
    </div>
  )
}
