import { useEffect, useState } from 'react'
import type { KeyPermissions, StationSnapshot } from '../../../shared/contract'
import { PROTOCOL_PRODUCTS, PROTOCOLS as ALL_PROTOCOLS, USUAL_BAUDS } from '../../../shared/protocols'
import { PRODUCTION_API_URL } from '../../../shared/rufus-cloud'
import { run, stationApi } from '../api'
import { NumberField } from '../components/Field'
import { READER_STATE_LABELS } from '../../../shared/states'
import { useLanguage, useMessage, useText, type TextKey } from '../i18n'
import { useStation } from '../store'

/** Each protocol with its product name (null: described in the screen's language) and factory baud rate. */
const PROTOCOLS = ALL_PROTOCOLS.map(p => [p, PROTOCOL_PRODUCTS[p], USUAL_BAUDS[p][0] ?? 9600] as const)

const KEY_STORAGE_TEXT = {
  encrypted: 'keyEncrypted',
  memory: 'keyInMemory',
  'command-line': 'keyCommandLine'
} as const satisfies Record<StationSnapshot['key']['storage'], TextKey>

/**
 * The setup wizard: each step shows whether it is done, so it resumes wherever the station stands. Steps that
 * need the network say so; the station keeps capturing meanwhile.
 */
export function SetupScreen(): React.JSX.Element {
  const t = useText()
  const say = useMessage()
  const language = useLanguage()
  const snapshot = useStation(s => s.snapshot)
  const recent = useStation(s => s.recent)
  const [apiUrl, setApiUrl] = useState(snapshot?.apiUrl ?? PRODUCTION_API_URL)
  const [apiKey, setApiKey] = useState('')
  const [permissions, setPermissions] = useState<KeyPermissions | null>(null)
  const [devices, setDevices] = useState<
    Array<{ deviceid: string; alias: string | null; serialNumber: string | null }>
  >([])
  const [ports, setPorts] = useState<Array<{ path: string; description: string }>>([])
  const [path, setPath] = useState('')
  const [protocol, setProtocol] = useState<(typeof PROTOCOLS)[number][0]>('line')
  const [baud, setBaud] = useState(9600)
  const [alias, setAlias] = useState('FINISH')
  const [suggestions, setSuggestions] = useState<string | null>(null)
  useEffect(() => {
    void run(stationApi().listPorts({})).then(list => list && setPorts(list))
  }, [])
  if (!snapshot) return <p>{t('connecting')}</p>
  const keyDone = snapshot.key.set
  const deviceDone = snapshot.device.deviceid !== null
  const readerDone = snapshot.readers.length > 0
  const step = (done: boolean) => (done ? '✓' : '○')
  return (
    <div className="setup">
      <section aria-label="1. RUFUS Cloud">
        <h2>
          {step(keyDone)} 1. {t('cloud')}
        </h2>
        <form
          onSubmit={e => {
            e.preventDefault()
            void run(stationApi().saveKey({ apiUrl, apiKey })).then(p => p && setPermissions(p))
          }}
        >
          <label>
            {t('apiUrl')}
            <input
              aria-label={t('apiUrl')}
              value={apiUrl}
              onChange={e => setApiUrl(e.target.value)}
              size={40}
            />
          </label>
          <label>
            {t('apiKey')}
            <input
              aria-label={t('apiKey')}
              type="password"
              autoComplete="off"
              value={apiKey}
              onChange={e => setApiKey(e.target.value)}
            />
          </label>
          <button
            type="button"
            onClick={() =>
              void run(stationApi().checkKey({ apiUrl, apiKey })).then(p => p && setPermissions(p))
            }
          >
            {t('checkKey')}
          </button>
          <button type="submit">{t('saveKey')}</button>
        </form>
        {permissions && (
          <p role="status" data-testid="key-permissions">
            {say(permissions.message)} (READ {permissions.canRead ? '✓' : '✗'} · WRITE{' '}
            {permissions.canWrite ? '✓' : '✗'} · {t('unbindShort')} {permissions.canUnbind ? '✓' : '✗'})
          </p>
        )}
        <p>
          {t('keyStorage')}: {t(KEY_STORAGE_TEXT[snapshot.key.storage])}
        </p>
      </section>
      <section aria-label={`2. ${t('device')}`}>
        <h2>
          {step(deviceDone)} 2. {t('device')}{' '}
          {snapshot.device.deviceid ? `(${snapshot.device.deviceid.slice(0, 12)}…)` : ''}
        </h2>
        <button
          type="button"
          disabled={!keyDone}
          onClick={() => void run(stationApi().bindNewDevice({ alias: 'Finish line' }))}
        >
          {t('bindNew')}
        </button>
        <button
          type="button"
          disabled={!keyDone}
          onClick={() => void run(stationApi().listDevices({})).then(list => list && setDevices(list))}
        >
          …
        </button>
        <ul>
          {devices.map(d => (
            <li key={d.deviceid}>
              {d.alias ?? d.serialNumber} <code>{d.deviceid.slice(0, 10)}…</code>{' '}
              <button
                type="button"
                onClick={() => void run(stationApi().useDevice({ deviceid: d.deviceid }))}
              >
                {t('useDevice')}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-label={`3. ${t('readers')}`}>
        <h2>
          {step(readerDone)} 3. {t('readers')}
        </h2>
        <form
          onSubmit={e => {
            e.preventDefault()
            void run(stationApi().addReader({ path, protocol, baudRate: baud }))
          }}
        >
          <label>
            {t('port')}
            <input
              aria-label={t('port')}
              list="ports"
              value={path}
              onChange={e => setPath(e.target.value)}
              required
            />
            <datalist id="ports">
              {ports.map(p => (
                <option key={p.path} value={p.path}>
                  {p.description}
                </option>
              ))}
            </datalist>
          </label>
          <label>
            {t('protocol')}
            <select
              aria-label={t('protocol')}
              value={protocol}
              onChange={e => {
                const chosen = PROTOCOLS.find(p => p[0] === e.target.value)
                if (chosen) {
                  setProtocol(chosen[0])
                  setBaud(chosen[2])
                }
              }}
            >
              {PROTOCOLS.map(([value, product]) => (
                <option key={value} value={value}>
                  {product ?? t('lineProtocol')}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('baud')}
            <input
              aria-label={t('baud')}
              type="number"
              value={baud}
              onChange={e => setBaud(Number(e.target.value))}
            />
          </label>
          <button
            type="button"
            disabled={path === ''}
            onClick={() => {
              setSuggestions('…')
              void run(stationApi().detectReader({ path })).then(found => {
                const best = found?.[0]
                if (best && PROTOCOLS.some(p => p[0] === best.protocol)) {
                  setProtocol(best.protocol as (typeof PROTOCOLS)[number][0])
                  setBaud(best.baudRate)
                }
                setSuggestions(
                  found && found.length > 0
                    ? found.map(f => `${f.protocol} @ ${f.baudRate} (${f.how}, ${f.score})`).join(' · ')
                    : t('nothingHeard')
                )
              })
            }}
          >
            {t('listen')}
          </button>
          <button type="submit">{t('addReader')}</button>
        </form>
        {suggestions && <p role="status">{suggestions}</p>}
        {snapshot.readers.map(r => (
          <p key={r.id}>
            {r.id}: {READER_STATE_LABELS[language][r.state]} · {r.readsPerSecond}/s
          </p>
        ))}
        <p>{t('passChip')}</p>
        <ul aria-label={t('liveTestLabel')} data-testid="live-test">
          {recent.slice(0, 5).map(p => (
            <li key={p.id}>
              #{p.num} {p.bib ?? '—'} {p.chip ?? ''}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label={`4. ${t('session')}`}>
        <h2>
          {step(snapshot.session !== null)} 4. {t('session')}: {snapshot.session?.alias ?? t('noSession')}
        </h2>
        <form
          onSubmit={e => {
            e.preventDefault()
            void run(stationApi().openSession({ alias })).then(
              session => session && useStation.getState().setScreen('live')
            )
          }}
        >
          <label>
            {t('alias')}
            <input aria-label={t('alias')} value={alias} onChange={e => setAlias(e.target.value)} />
          </label>
          <button type="submit">{t('openSession')}</button>
          <small>{t('sessionWarning')}</small>
        </form>
        <label>
          {t('language')}
          <select
            aria-label={t('language')}
            value={snapshot.settings.language}
            onChange={e =>
              void run(stationApi().setSettings({ language: e.target.value === 'es' ? 'es' : 'en' }))
            }
          >
            <option value="en">English</option>
            <option value="es">Español</option>
          </select>
        </label>
        <NumberField
          label={t('uploadGrace')}
          min={0}
          max={60}
          value={snapshot.settings.uploadGraceMs / 1000}
          onChange={seconds => {
            if (Number.isFinite(seconds) && seconds >= 0 && seconds <= 60) {
              void run(stationApi().setSettings({ uploadGraceMs: Math.round(seconds * 1000) }))
            }
          }}
        />
        <label className="toggle">
          <input
            type="checkbox"
            checked={snapshot.settings.graceAllPassings}
            onChange={e => void run(stationApi().setSettings({ graceAllPassings: e.target.checked }))}
          />
          {t('graceAll')}
        </label>
      </section>
    </div>
  )
}
