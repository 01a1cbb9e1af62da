import { useCallback, useEffect, useState } from 'react'
import type { PassingView } from '../../../shared/contract'
import { runCorrection, stationApi } from '../api'
import { timeText } from '../format'
import { useText } from '../i18n'
import { useStation } from '../store'

/**
 * Times recorded without a bib ("Enter alone"), pinned above everything until each gets its bib or is voided.
 * `afterAction` gives the focus back (to the bib box on the finish screen) and offers an undo.
 */
export function UnfilledTimes({
  canEdit,
  afterAction
}: {
  canEdit: boolean
  afterAction?: (action: { kind: 'void' | 'fix'; passing: PassingView }) => void
}): React.JSX.Element | null {
  const t = useText()
  const held = useStation(s => s.snapshot?.sync.held ?? 0)
  const latestId = useStation(s => s.recent[0]?.id ?? 0)
  const [rows, setRows] = useState<readonly PassingView[]>([])
  const [bibs, setBibs] = useState<Readonly<Record<number, string>>>({})
  const refresh = useCallback(() => {
    void stationApi()
      .heldPassings({})
      .then(result => {
        if (result.ok) setRows(result.value)
      })
  }, [])
  // The count of held passings moves when one is added or filled; a new manual entry may be one.
  useEffect(refresh, [refresh, held, latestId])
  if (rows.length === 0) return null
  const done = (kind: 'void' | 'fix', passing: PassingView) => {
    refresh()
    afterAction?.({ kind, passing })
  }
  return (
    <section className="unfilled" aria-label={t('unfilledTitle')}>
      <h2>
        {t('unfilledTitle')} ({rows.length}) <small>{t('unfilledHint')}</small>
      </h2>
      <ul>
        {rows.map(p => (
          <li key={p.id} data-testid="unfilled" data-num={p.num}>
            <b>#{p.num}</b> {timeText(p.timestamp)}
            {canEdit && (
              <>
                <input
                  aria-label={`${t('bibFor')}${p.num}`}
                  value={bibs[p.id] ?? ''}
                  onChange={e => setBibs({ ...bibs, [p.id]: e.target.value })}
                  onKeyDown={e => {
                    const bib = (bibs[p.id] ?? '').trim()
                    if (e.key !== 'Enter' || bib === '') return
                    e.preventDefault()
                    void runCorrection(stationApi().fixBib({ id: p.id, bib })).then(taken => {
                      if (taken) done('fix', p)
                    })
                  }}
                />
                <button
                  type="button"
                  aria-label={`${t('voidIt')} ${p.num}`}
                  onClick={() =>
                    void runCorrection(stationApi().voidPassing({ id: p.id })).then(taken => {
                      if (taken) done('void', p)
                    })
                  }
                >
                  {t('voidIt')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
