import { useEffect } from 'react'
import { stationApi } from './api'
import { useText } from './i18n'
import { AnnouncerScreen } from './screens/AnnouncerScreen'
import { BrowserScreen } from './screens/BrowserScreen'
import { LiveScreen } from './screens/LiveScreen'
import { SessionsScreen } from './screens/SessionsScreen'
import { SetupScreen } from './screens/SetupScreen'
import { useStation, type Screen } from './store'

const SCREENS: readonly Screen[] = ['live', 'browser', 'sessions', 'setup']

export function App(): React.JSX.Element {
  const screen = useStation(s => s.screen)
  const setScreen = useStation(s => s.setScreen)
  const snapshot = useStation(s => s.snapshot)
  const connected = useStation(s => s.connected)
  const error = useStation(s => s.lastError)
  const setError = useStation(s => s.setError)
  const t = useText()
  useEffect(() => {
    stationApi()
  }, [])
  const visible = SCREENS.filter(s => s !== 'setup' || snapshot?.role === 'station')
  // A read-only pairing is the announcer's: its first screen is the announcer's view of the finish.
  const announcer = snapshot?.role === 'viewer'
  return (
    <div className="app">
      <nav aria-label={t('screensLabel')}>
        <strong className="brand">RUFUS Station</strong>
        {visible.map(s => (
          <button key={s} type="button" aria-pressed={screen === s} onClick={() => setScreen(s)}>
            {t(s === 'live' && announcer ? 'announcer' : s)}
          </button>
        ))}
        <span
          className={`connection ${connected ? 'ok' : 'bad'}`}
          role="status"
          aria-label={t('connectionLabel')}
        >
          {!connected
            ? t('connecting')
            : snapshot === null
              ? ''
              : t(snapshot.runtime === 'headless' ? 'runtimeHeadless' : 'runtimeElectron')}
        </span>
      </nav>
      {error && (
        // Stays until dismissed or replaced by the next failure: read at the timer's pace, not the screen's.
        <div className="banner error" role="alert" data-testid="error-banner">
          <span>{error}</span>
          <button type="button" aria-label={t('dismissLabel')} onClick={() => setError(null)}>
            ×
          </button>
        </div>
      )}
      {snapshot?.role === 'viewer' && <div className="banner info">{t('readOnly')}</div>}
      <main>
        {snapshot === null ? (
          <p>{t('connecting')}</p>
        ) : screen === 'live' ? (
          announcer ? (
            <AnnouncerScreen />
          ) : (
            <LiveScreen />
          )
        ) : screen === 'browser' ? (
          <BrowserScreen />
        ) : screen === 'sessions' ? (
          <SessionsScreen />
        ) : (
          <SetupScreen />
        )}
      </main>
    </div>
  )
}
