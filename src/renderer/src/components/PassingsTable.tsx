import { useState } from 'react'
import { PASSING_STATE_NAMES, type PassingState } from '../../../shared/states'
import type { PassingView } from '../../../shared/contract'
import { refreshRecent, runCorrection, stationApi } from '../api'
import { timeText } from '../format'
import { useLanguage, useMessage, useText } from '../i18n'
import { PassingBib } from './PassingBib'

/** Rows shown on the finish screen. */
const SHOWN = 100
const EDITABLE: ReadonlySet<PassingState> = new Set(['pending', 'held', 'quarantined', 'synced', 'conflict'])

export interface CorrectionDone {
  readonly kind: 'void' | 'fix'
  readonly passing: PassingView
}

/**
 * The last passings. The list holds still while the timer works on it (pointer over it, a row focused, a fix
 * open): new rows wait above an "n new" marker, so a click or a keystroke always lands on the row aimed at.
 * Keyboard: ↑/↓ between rows, Enter opens the fix, Delete voids, Esc goes back to the bib box.
 */
export function PassingsTable({
  recent,
  canEdit,
  focusBibBox,
  afterAction,
  rowsRef
}: {
  recent: readonly PassingView[]
  canEdit: boolean
  focusBibBox: () => void
  afterAction: (done: CorrectionDone) => void
  /** Lets the bib box move the focus to the newest row (↑). */
  rowsRef: React.RefObject<HTMLTableSectionElement | null>
}): React.JSX.Element {
  const t = useText()
  const language = useLanguage()
  const say = useMessage()
  const [editing, setEditing] = useState<{ id: number; bib: string } | null>(null)
  const [hovering, setHovering] = useState(false)
  const [rowFocused, setRowFocused] = useState(false)
  const [snapshot, setSnapshot] = useState<readonly PassingView[]>([])
  const working = editing !== null || hovering || rowFocused
  // The rows as they were when the timer started working on the list; only used while working.
  const freeze = () => {
    if (!working) setSnapshot(recent.slice(0, SHOWN))
  }
  const frozen = working ? snapshot : null

  const latest = new Map(recent.map(p => [p.id, p]))
  const rows = frozen ? frozen.map(p => latest.get(p.id) ?? p) : recent.slice(0, SHOWN)
  const newest = frozen?.[0]?.id ?? 0
  const newCount = frozen ? recent.filter(p => p.id > newest).length : 0

  const finish = () => {
    setEditing(null)
    setRowFocused(false)
    focusBibBox()
  }
  const voidRow = (passing: PassingView) => {
    finish()
    void runCorrection(stationApi().voidPassing({ id: passing.id })).then(async taken => {
      await refreshRecent()
      if (taken) afterAction({ kind: 'void', passing })
    })
  }
  const saveFix = (passing: PassingView, bib: string) => {
    finish()
    void runCorrection(stationApi().fixBib({ id: passing.id, bib })).then(async taken => {
      await refreshRecent()
      if (taken) afterAction({ kind: 'fix', passing })
    })
  }
  const startFix = (passing: PassingView) => {
    freeze()
    setEditing({ id: passing.id, bib: passing.correctedBib ?? passing.bib ?? '' })
  }
  const moveFocus = (from: HTMLElement, step: number) => {
    const target = step < 0 ? from.previousElementSibling : from.nextElementSibling
    if (target instanceof HTMLElement && target.dataset['num']) target.focus()
  }
  const onRowKey = (event: React.KeyboardEvent<HTMLTableRowElement>, passing: PassingView) => {
    if (event.target !== event.currentTarget) return
    const editable = canEdit && EDITABLE.has(passing.state)
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      event.preventDefault()
      moveFocus(event.currentTarget, event.key === 'ArrowUp' ? -1 : 1)
    } else if (event.key === 'Escape') {
      finish()
    } else if (event.key === 'Enter' && editable) {
      event.preventDefault()
      startFix(passing)
    } else if (event.key === 'Delete' && editable) {
      event.preventDefault()
      voidRow(passing)
    }
  }

  return (
    <table
      className="passings"
      aria-label={t('lastPassingsLabel')}
      onMouseEnter={() => {
        freeze()
        setHovering(true)
      }}
      onMouseLeave={() => setHovering(false)}
    >
      <thead>
        <tr>
          <th className="num">{t('num')}</th>
          <th className="bib">{t('bib')}</th>
          <th className="name">{t('name')}</th>
          <th className="chip">{t('chip')}</th>
          <th className="time">{t('time')}</th>
          <th className="source">{t('source')}</th>
          <th className="state">{t('state')}</th>
          <th className="actions" />
        </tr>
      </thead>
      <tbody
        ref={rowsRef}
        onFocus={() => {
          freeze()
          setRowFocused(true)
        }}
        onBlur={event => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setRowFocused(false)
        }}
      >
        {newCount > 0 && (
          <tr className="new-rows">
            <td colSpan={8}>
              <button
                type="button"
                data-testid="new-rows"
                onClick={() => setSnapshot(recent.slice(0, SHOWN))}
              >
                {newCount} {t('newRows')}
              </button>
            </td>
          </tr>
        )}
        {rows.map(p => {
          const editable = canEdit && EDITABLE.has(p.state)
          const fixing = editing?.id === p.id
          return (
            <tr
              key={p.id}
              className={`state-${p.state}${fixing ? ' fixing' : ''}`}
              data-num={p.num}
              tabIndex={-1}
              onKeyDown={e => onRowKey(e, p)}
            >
              <td className="num">{p.num}</td>
              <td className="bib">
                <PassingBib passing={p} />
              </td>
              <td className="name">{p.name ?? ''}</td>
              <td className="chip">{p.chip ?? ''}</td>
              <td className="time">{timeText(p.timestamp)}</td>
              <td className="source" title={p.port ?? undefined}>
                {p.source === 'manual' ? t('sourceManual') : (p.port ?? '')}
              </td>
              <td className="state">
                <span data-testid="passing-state">
                  {PASSING_STATE_NAMES[language][p.state]}
                  {p.differsFromCloud && ` · ${t('differsFromCloud')}`}
                </span>
                {/* Why it stands so, in words on the row: a refused passing says what the cloud said. */}
                {p.note && (
                  <small className="reason" data-testid="passing-reason">
                    {say(p.note)}
                  </small>
                )}
              </td>
              <td className="actions">
                {editable && !fixing && (
                  <>
                    <button type="button" aria-label={`${t('fixBib')} ${p.num}`} onClick={() => startFix(p)}>
                      {t('fixBib')}
                    </button>
                    <button type="button" aria-label={`${t('voidIt')} ${p.num}`} onClick={() => voidRow(p)}>
                      {t('voidIt')}
                    </button>
                  </>
                )}
                {fixing && editing && (
                  <form
                    onSubmit={e => {
                      e.preventDefault()
                      if (editing.bib.trim() !== '') saveFix(p, editing.bib.trim())
                    }}
                  >
                    <input
                      aria-label={`${t('bib')} ${p.num}`}
                      value={editing.bib}
                      onChange={e => setEditing({ id: p.id, bib: e.target.value })}
                      onKeyDown={e => {
                        if (e.key === 'Escape') finish()
                      }}
                      autoFocus
                    />
                    <button type="submit">{t('save')}</button>
                    <button type="button" onClick={finish}>
                      {t('cancel')}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
