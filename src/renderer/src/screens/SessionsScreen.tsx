import { useEffect, useState } from 'react'
import type { SessionView } from '../../../shared/contract'
import { run, stationApi } from '../api'
import { timeOfDay } from '../format'
import { PairingCodes } from '../components/PairingCodes'
import { CLOUD_SESSION_STATE_LABELS } from '../../../shared/states'
import { useLanguage, useText } from '../i18n'
import { useStation } from '../store'

export function SessionsScreen(): React.JSX.Element {
  const t = useText()
  const language = useLanguage()
  const snapshot = useStation(s => s.snapshot)
  const [sessions, setSessions] = useState<SessionView[]>([])
  const [alias, setAlias] = useState('')
  const [info, setInfo] = useState<Record<string, unknown> | null>(null)
  const [confirm, setConfirm] = useState('')
  const [closing, setClosing] = useState(false)
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
            <th>#</th>
            <th>{t('synced')}</th>
            <th>{t('first')}</th>
            <th>{t('last')}</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map(s => (
            <tr key={s.id} className={s.closed ? '' : 'active'}>
              <td>{s.alias}</td>
              <td>{s.closed ? t('sessionClosed') : `${t('sessionOpen')} ●`}</td>
              <td>
                {CLOUD_SESSION_STATE_LABELS[language][s.cloudState]}
                {s.cloudActive ? ' (active)' : ''}
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
        <form
          className="toolbar"
          aria-label={t('openSession')}
          onSubmit={e => {
            e.preventDefault()
            void run(stationApi().openSession({ alias })).then(() => {
              setAlias('')
              refresh()
            })
          }}
        >
          <label>
            {t('alias')}
            <input aria-label={t('alias')} value={alias} onChange={e => setAlias(e.target.value)} required />
          </label>
          <button type="submit">{t('openSession')}</button>
          <small>{t('sessionWarning')}</small>
          <button type="button" disabled={!snapshot.session} onClick={() => setClosing(true)}>
            {t('closeSession')}
          </button>
        </form>
      )}
      {isStation && closing && snapshot.session && (
        <div className="confirm" role="alertdialog" aria-label={t('closeSession')}>
          <p>
            <b>{snapshot.session.alias}</b>: {t('closeConfirm')}
          </p>
          <button
            type="button"
            autoFocus
            onClick={() => {
              setClosing(false)
              void run(stationApi().closeSession({ openNext: true, sessionId: snapshot.session?.id })).then(
                refresh
              )
            }}
          >
            {t('closeAndOpen')} {snapshot.nextSessionAlias}
          </button>
          <button
            type="button"
            onClick={() => {
              setClosing(false)
              void run(stationApi().closeSession({ sessionId: snapshot.session?.id })).then(refresh)
            }}
          >
            {t('closeOnly')}
          </button>
          <button type="button" onClick={() => setClosing(false)}>
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
