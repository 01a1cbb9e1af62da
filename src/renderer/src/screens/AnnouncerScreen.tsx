import { elapsedText, finishersOf, type Finisher } from '../announcer/finishers'
import { secondsText } from '../format'
import { useText } from '../i18n'
import { useStation } from '../store'

/** The finishers before the last one shown under it. */
const PREVIOUS = 10

function FinisherTimes({ finisher, start }: { finisher: Finisher; start: string | null }): React.JSX.Element {
  const t = useText()
  return (
    <span className="finisher-times">
      <span className="time-block">
        <span className="label">{t('timeOfDay')}</span>
        <span data-testid="finisher-time">{secondsText(finisher.timestamp)}</span>
      </span>
      <span className="time-block">
        <span className="label">{t('sinceStart')}</span>
        <span data-testid="finisher-elapsed">{elapsedText(start, finisher.timestamp)}</span>
      </span>
    </span>
  )
}

/**
 * Reserved for the arrivals-per-minute chart (its data comes with another change): the layout keeps its place so
 * the screen does not move when it arrives.
 */
function ArrivalsChartPlace(): React.JSX.Element {
  return <div className="arrivals-chart" data-testid="arrivals-chart" aria-hidden="true" />
}

/**
 * The announcer's screen (the viewer role): the last finisher large enough to read from two metres (bib, name,
 * time of day, time since the session's start), the ten before, nothing technical (no chip codes, readers,
 * sync counts or clock offsets).
 */
export function AnnouncerScreen(): React.JSX.Element {
  const t = useText()
  const session = useStation(s => s.snapshot?.session ?? null)
  const recent = useStation(s => s.recent)
  const finishers = finishersOf(recent, session?.id ?? null)
  const start = session?.openedAt ?? null
  const [last, ...earlier] = finishers
  return (
    <div className="announcer">
      <section className="last-finisher" data-testid="last-finisher" aria-live="polite">
        <h2 data-testid="last-finisher-title">{t('lastFinisher')}</h2>
        {last ? (
          <>
            <div className="finisher-bib" data-testid="finisher-bib">
              {last.bib}
            </div>
            <div className="finisher-name" data-testid="finisher-name">
              {last.name ?? ''}
            </div>
            <FinisherTimes finisher={last} start={start} />
          </>
        ) : (
          <p className="no-finisher">{t('noFinisherYet')}</p>
        )}
      </section>
      <section
        className="previous-finishers"
        data-testid="previous-finishers"
        aria-label={t('previousFinishers')}
      >
        <h2>{t('previousFinishers')}</h2>
        <ol>
          {earlier.slice(0, PREVIOUS).map(f => (
            <li key={f.id}>
              <span className="finisher-bib" data-testid="finisher-bib">
                {f.bib}
              </span>
              <span className="finisher-name">{f.name ?? ''}</span>
              <FinisherTimes finisher={f} start={start} />
            </li>
          ))}
        </ol>
      </section>
      <ArrivalsChartPlace />
      <footer className="announcer-session">
        {t('session')}: <b>{session?.alias ?? t('noSession')}</b>
      </footer>
    </div>
  )
}
