import { useEffect, useState, useSyncExternalStore } from 'react'
import type { BibCheck } from '../../../shared/contract'
import { entryQueue, stationApi } from '../api'
import { clockText } from '../format'
import { useText } from '../i18n'
import { useStation } from '../store'
import type { QueuedEntry } from './entry-queue'

function newEntryKey(): string {
  return crypto.randomUUID()
}

function useEntries(): readonly QueuedEntry[] {
  const { queue } = entryQueue()
  const read = () => queue.entries
  return useSyncExternalStore(listener => queue.subscribe(listener), read, read)
}

const CHECK_RETRY_MS = 500

/** What the station says about the bib being typed (only while it answers; typing never waits for it). */
function useBibCheck(bib: string, connected: boolean): BibCheck | null {
  const [check, setCheck] = useState<{ bib: string; result: BibCheck } | null>(null)
  useEffect(() => {
    const value = bib.trim()
    if (!connected || value === '') return
    let current = true
    let retry: ReturnType<typeof setTimeout> | undefined
    const ask = (): void => {
      void stationApi()
        .checkBib({ bib: value })
        .then(result => {
          if (!current) return
          if (result.ok) setCheck({ bib: value, result: result.value })
          // A busy or failed answer is asked again, or the check would stay blank while this bib is typed.
          else retry = setTimeout(ask, CHECK_RETRY_MS)
        })
    }
    ask()
    return () => {
      current = false
      clearTimeout(retry)
    }
  }, [bib, connected])
  return check && check.bib === bib.trim() ? check.result : null
}

/** One refused entry: its time stays; the corrected bib goes again with Enter. */
function RejectedEntry({ entry, onDone }: { entry: QueuedEntry; onDone: () => void }): React.JSX.Element {
  const t = useText()
  const offset = useStation(s => s.clockOffsetMs)
  const [bib, setBib] = useState(entry.bib ?? '')
  const { queue, sender } = entryQueue()
  const time = clockText(entry.deviceMs + (entry.offsetMs ?? offset))
  return (
    <li className="rejected-entry" data-testid="rejected-entry">
      <span className="time">{time}</span>
      <input
        aria-label={`${t('correctBibFor')} ${time}`}
        value={bib}
        onChange={e => setBib(e.target.value)}
        onKeyDown={e => {
          if (e.key === 'Escape') onDone()
          if (e.key !== 'Enter') return
          e.preventDefault()
          queue.correct(entry.key, bib.trim() === '' ? null : bib.trim())
          void sender.drain()
          onDone()
        }}
      />
      <span className="warning" role="alert">
        {entry.rejected}
      </span>
      <button
        type="button"
        onClick={() => {
          queue.remove(entry.key)
          onDone()
        }}
      >
        {t('discard')}
      </button>
    </li>
  )
}

/**
 * The bib box: Enter stamps the time at the keypress and queues the entry on this device; the queue goes to the
 * station in order (at once when it answers, later when it is back). Refused entries stay below with their time.
 */
export function EntryBox({
  inputRef,
  onArrowUp
}: {
  inputRef: React.RefObject<HTMLInputElement | null>
  /** ↑ in an empty box: go to the last rows. */
  onArrowUp: () => void
}): React.JSX.Element {
  const t = useText()
  const connected = useStation(s => s.connected)
  const offset = useStation(s => s.clockOffsetMs)
  const offsetKnown = useStation(s => s.clockOffsetKnown)
  const entries = useEntries()
  const [bib, setBib] = useState('')
  const [full, setFull] = useState(false)
  // An unusual bib waits for a second Enter, keeping the time of the first.
  const [confirming, setConfirming] = useState<{ bib: string; deviceMs: number } | null>(null)
  const [lastBib, setLastBib] = useState<string | null>(null)
  // A paste of several lines would become one joined bib ("12⏎13" → "1213"): refused, with the reason shown.
  const [pasteRefused, setPasteRefused] = useState(false)
  const check = useBibCheck(bib, connected)
  const { queue, sender } = entryQueue()
  const waiting = entries.filter(e => e.rejected === null).length
  const rejected = entries.filter(e => e.rejected !== null)
  const focusBox = () => inputRef.current?.focus()

  const record = (value: string | null, deviceMs: number) => {
    const added = queue.add({
      key: newEntryKey(),
      bib: value,
      deviceMs,
      offsetMs: offsetKnown ? offset : null
    })
    setFull(!added)
    if (!added) return
    setLastBib(value)
    setBib('')
    setConfirming(null)
    if (connected) void sender.drain()
  }

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      setBib('')
      setConfirming(null)
      return
    }
    if (event.key === 'ArrowUp' && bib === '') {
      event.preventDefault()
      onArrowUp()
      return
    }
    if (event.key !== 'Enter') return
    event.preventDefault()
    // Stamped at the keypress, on this device's clock; the offset to the station's goes with it.
    const deviceMs = Date.now()
    const value = bib.trim()
    if (confirming && confirming.bib === value) {
      record(value, confirming.deviceMs)
      return
    }
    if (value !== '' && check?.unusual) {
      setConfirming({ bib: value, deviceMs })
      return
    }
    record(value === '' ? null : value, deviceMs)
  }

  const sameAsLast = bib.trim() !== '' && bib.trim() === lastBib
  return (
    <div className={`manual-entry ${connected ? '' : 'station-down'}`}>
      <label>
        <span>{t('manualEntry')}</span>
        <input
          ref={inputRef}
          aria-label={t('manualEntry')}
          inputMode="numeric"
          autoComplete="off"
          autoFocus
          value={bib}
          onPaste={e => {
            const severalLines = /[\r\n\t]/.test(e.clipboardData.getData('text').trim())
            setPasteRefused(severalLines)
            if (severalLines) e.preventDefault()
          }}
          onChange={e => {
            setPasteRefused(false)
            setBib(e.target.value)
            if (confirming && e.target.value.trim() !== confirming.bib) setConfirming(null)
          }}
          onKeyDown={onKeyDown}
        />
      </label>
      <div className="entry-state" data-testid="entry-state" role="status" aria-live="polite">
        {!connected && (
          <strong className="danger" data-testid="station-down">
            {t('offlineEntry')}
          </strong>
        )}
        {waiting > 0 && (
          <span data-testid="entries-waiting">
            {' '}
            {waiting} {connected ? `${t('sending')}…` : t('keptHere')}
          </span>
        )}
        {full && (
          <strong className="danger" role="alert">
            {t('queueFull')}
          </strong>
        )}
        {pasteRefused && (
          <strong className="danger" role="alert" data-testid="paste-refused">
            {t('pasteOneBib')}
          </strong>
        )}
      </div>
      {bib.trim() !== '' && (
        <div className="bib-check" data-testid="bib-check" aria-live="polite">
          {check?.name ?? (check?.inParticipants === false ? t('notInParticipants') : '')}
          {check?.alreadyInSession && <span className="warning"> · {t('alreadyPassed')}</span>}
          {sameAsLast && <span className="warning"> · {t('sameAsLast')}</span>}
          {confirming && <strong className="warning"> · {t('unusualBib')}</strong>}
        </div>
      )}
      {rejected.length > 0 && (
        <section aria-label={t('rejectedTitle')} className="rejected">
          <h3>{t('rejectedTitle')}</h3>
          <ul>
            {rejected.map(entry => (
              <RejectedEntry key={entry.key} entry={entry} onDone={focusBox} />
            ))}
          </ul>
        </section>
      )}
    </div>
  )
}
