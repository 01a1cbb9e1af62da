import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useMemo, useRef, useState } from 'react'
import { cloudCopyMatches } from '../../../shared/cloud-copy'
import type { CloudPassingView, PassingView, SessionView } from '../../../shared/contract'
import { run, stationApi } from '../api'
import { timeText } from '../format'
import { Field, NumberField } from '../components/Field'
import { PassingBib } from '../components/PassingBib'
import { UnfilledTimes } from '../components/UnfilledTimes'
import { bibFilter, bibMatches, timeRange } from '../browser/search'
import { useText, type TextKey } from '../i18n'
import { useStation } from '../store'

const PAGE = 5000

interface Row {
  readonly num: number
  readonly cloud: CloudPassingView | null
  readonly local: PassingView | null
  /** `corrected-here`: voided or fixed on this station after upload; the cloud keeps the old value. */
  readonly status: 'ok' | 'missing-in-cloud' | 'only-in-cloud' | 'different' | 'local-only' | 'corrected-here'
}

/** How a row that differs is named (a matching row shows ✓). */
const ROW_STATUS_TEXT = {
  'missing-in-cloud': 'rowMissingInCloud',
  'only-in-cloud': 'rowOnlyInCloud',
  different: 'rowDifferent',
  'local-only': 'rowLocalOnly',
  'corrected-here': 'differsFromCloud'
} as const satisfies Record<Exclude<Row['status'], 'ok'>, TextKey>

/** Lines up the cloud's passings and the journal's by number, marking what is missing or extra. */
export function alignRows(
  cloud: readonly CloudPassingView[],
  local: readonly PassingView[],
  offset: number
): Row[] {
  const byNum = new Map<number, Row>()
  for (const c of cloud) byNum.set(c.num, { num: c.num, cloud: c, local: null, status: 'only-in-cloud' })
  for (const l of local) {
    const num = l.num + offset
    const existing = byNum.get(num)
    if (existing) {
      const same = existing.cloud !== null && cloudCopyMatches(l, existing.cloud)
      const status = !same ? 'different' : l.differsFromCloud ? 'corrected-here' : 'ok'
      byNum.set(num, { ...existing, local: l, status })
    } else {
      byNum.set(num, {
        num,
        cloud: null,
        local: l,
        status: l.state === 'synced' ? 'missing-in-cloud' : 'local-only'
      })
    }
  }
  return [...byNum.values()].sort((a, b) => a.num - b.num)
}

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  URL.revokeObjectURL(url)
}

/** The time of day a search by time means: on the day the chosen session opened, or today. */
function searchDay(session: SessionView | null): Date {
  return session ? new Date(session.openedAt) : new Date()
}

/** Keys that page through the session when the focus is not in a field (where they move the caret). */
const PAGING_KEYS = new Set(['PageDown', 'PageUp', 'Home', 'End'])

function inField(target: EventTarget): boolean {
  return target instanceof HTMLElement && target.closest('input, select, textarea') !== null
}

/** The browser's page `n` (from 1) within the optional range: the numbers it covers. */
function pageSpan(n: number, first: number | undefined, last: number | undefined) {
  const low = (first ?? 1) + (n - 1) * PAGE
  return { low, high: Math.min(last ?? Number.MAX_SAFE_INTEGER, low + PAGE - 1) }
}

export function BrowserScreen(): React.JSX.Element {
  const t = useText()
  const canEdit = useStation(s => s.snapshot?.role !== 'viewer')
  const [sessions, setSessions] = useState<SessionView[]>([])
  const [sessionId, setSessionId] = useState<number | null>(null)
  const [first, setFirst] = useState('')
  const [last, setLast] = useState('')
  const [page, setPage] = useState(1)
  const [filter, setFilter] = useState('')
  const [prefix, setPrefix] = useState(false)
  const [rows, setRows] = useState<Row[]>([])
  const [loading, setLoading] = useState(false)
  const [deviceRows, setDeviceRows] = useState<Array<CloudPassingView & { token: string }> | null>(null)
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [badTime, setBadTime] = useState<'from' | 'to' | null>(null)
  const session = sessions.find(s => s.id === sessionId) ?? null
  const range = {
    first: first === '' ? undefined : Number(first),
    last: last === '' ? undefined : Number(last)
  }
  const covered = Math.min(range.last ?? Number.MAX_SAFE_INTEGER, session?.counts.total ?? 0)
  const lastPage = Math.max(1, Math.ceil((covered - (range.first ?? 1) + 1) / PAGE))

  // Each load's number: a page asked for while another loads replaces it, and the older answer is dropped.
  const latestLoad = useRef(0)
  const load = async (pageNumber: number) => {
    if (!session) return
    const mine = ++latestLoad.current
    setLoading(true)
    setPage(pageNumber)
    // The open session grows: its count (and so the last page) is read again with each page.
    void run(stationApi().sessions({})).then(list => list && setSessions(list))
    const span = pageSpan(pageNumber, range.first, range.last)
    // Offline or never uploaded: the journal's rows alone, each marked as only here.
    const cloud = session.token
      ? ((await run(
          stationApi().cloudSessionPassings({ token: session.token, ...range, page: pageNumber })
        )) ?? [])
      : []
    const local: PassingView[] = []
    for (let after = Math.max(0, span.low - 1); ;) {
      const chunk =
        (await run(
          stationApi().localSessionPassings({ sessionId: session.id, afterNum: after, limit: PAGE })
        )) ?? []
      const inRange = chunk.filter(p => p.num <= span.high)
      local.push(...inRange)
      if (chunk.length < PAGE || inRange.length < chunk.length) break
      after = chunk.at(-1)?.num ?? after
    }
    if (mine !== latestLoad.current) return
    setRows(alignRows(cloud, local, 0))
    setLoading(false)
  }

  useEffect(() => {
    void run(stationApi().sessions({})).then(list => {
      if (!list) return
      setSessions(list)
      // The open session first; else the newest.
      setSessionId(current => current ?? (list.find(s => !s.closed) ?? list[0])?.id ?? null)
    })
  }, [])
  // Opens on the chosen session's first page, without a click (and again when another session is chosen).
  const shownSession = session?.id ?? null
  useEffect(() => {
    if (shownSession !== null) void load(1)
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a change of session reloads by itself
  }, [shownSession])

  /** Every page of the session, cloud and local, in one virtualised list. */
  const loadAll = async () => {
    if (!session) return
    const mine = ++latestLoad.current
    setLoading(true)
    const cloud: CloudPassingView[] = []
    for (let p = 1; session.token; p += 1) {
      const chunk = (await run(stationApi().cloudSessionPassings({ token: session.token, page: p }))) ?? []
      cloud.push(...chunk)
      if (chunk.length < PAGE) break
    }
    const local: PassingView[] = []
    for (let after = 0; ;) {
      const chunk =
        (await run(
          stationApi().localSessionPassings({ sessionId: session.id, afterNum: after, limit: PAGE })
        )) ?? []
      local.push(...chunk)
      if (chunk.length < PAGE) break
      after = chunk.at(-1)?.num ?? after
    }
    if (mine !== latestLoad.current) return
    setRows(alignRows(cloud, local, 0))
    setLoading(false)
  }

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>) => {
    if (!PAGING_KEYS.has(event.key) || inField(event.target)) return
    event.preventDefault()
    const target =
      event.key === 'PageDown'
        ? Math.min(page + 1, lastPage)
        : event.key === 'PageUp'
          ? Math.max(page - 1, 1)
          : event.key === 'Home'
            ? 1
            : lastPage
    if (target !== page) void load(target)
  }

  const wanted = bibFilter(filter, prefix)
  const visible = useMemo(
    () => rows.filter(r => bibMatches([r.cloud?.bib, r.local?.bib, r.local?.correctedBib], wanted)),
    [rows, wanted.text, wanted.prefix] // eslint-disable-line react-hooks/exhaustive-deps -- `wanted` is its two fields
  )
  const scroller = useRef<HTMLDivElement>(null)
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is used as documented
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 28,
    overscan: 20
  })

  const searchByTime = () => {
    const asked = timeRange(from, to, searchDay(session))
    if ('bad' in asked) {
      setBadTime(asked.bad)
      return
    }
    setBadTime(null)
    void run(stationApi().cloudDevicePassings(asked)).then(list => setDeviceRows(list ?? []))
  }

  return (
    <div className="browser" onKeyDown={onKeyDown}>
      <UnfilledTimes canEdit={canEdit} />
      <form
        className="toolbar"
        aria-label={t('rangeLabel')}
        onSubmit={e => {
          e.preventDefault()
          void load(page)
        }}
      >
        <label>
          {t('session')}
          <select
            aria-label={t('session')}
            value={sessionId ?? ''}
            onChange={e => setSessionId(Number(e.target.value))}
          >
            {sessions.map(s => (
              <option key={s.id} value={s.id}>
                {s.alias} ({s.counts.total})
              </option>
            ))}
          </select>
        </label>
        <Field label={t('first')} value={first} onChange={setFirst} size={7} numeric />
        <Field label={t('last')} value={last} onChange={setLast} size={7} numeric />
        <NumberField label={t('page')} min={1} value={page} onChange={value => setPage(value || 1)} />
        <button type="submit">{t('load')}</button>
        <button type="button" disabled={page <= 1} onClick={() => void load(1)}>
          {t('firstPage')}
        </button>
        <button type="button" disabled={page <= 1} onClick={() => void load(page - 1)}>
          {t('previousPage')}
        </button>
        <button type="button" disabled={page >= lastPage} onClick={() => void load(page + 1)}>
          {t('nextPage')}
        </button>
        <button type="button" disabled={page >= lastPage} onClick={() => void load(lastPage)}>
          {t('lastPage')}
        </button>
        <button type="button" onClick={() => void loadAll()}>
          {t('allPages')}
        </button>
        <Field label={t('filterBib')} value={filter} onChange={setFilter} size={6} />
        <label className="toggle">
          <input type="checkbox" checked={prefix} onChange={e => setPrefix(e.target.checked)} />
          {t('bibPrefix')}
        </label>
        {canEdit && (
          <button
            type="button"
            disabled={!session}
            onClick={() =>
              session &&
              void run(stationApi().exportCsv({ sessionId: session.id })).then(
                file => file && download(file.fileName, file.csv)
              )
            }
          >
            {t('exportCsv')}
          </button>
        )}
      </form>
      <div className="legend" role="status" aria-live="polite" data-testid="browser-legend">
        {loading ? '…' : `${visible.length} ${t(visible.length === 1 ? 'row' : 'rows')}`} · {t('page')} {page}{' '}
        {t('pageOf')} {lastPage} · {t('missingInCloud')}:{' '}
        {visible.filter(r => r.status === 'missing-in-cloud').length} · {t('extraInCloud')}:{' '}
        {visible.filter(r => r.status === 'only-in-cloud').length}
      </div>
      <small className="hint">{t('pagingHint')}</small>
      <div className="grid-head" aria-hidden="true">
        <span>{t('num')}</span>
        <span>
          {t('cloud')}: {t('bib')}
        </span>
        <span>{t('time')}</span>
        <span>
          {t('local')}: {t('bib')}
        </span>
        <span>{t('comparison')}</span>
      </div>
      <div
        ref={scroller}
        className="grid"
        role="grid"
        tabIndex={0}
        aria-label={t('gridLabel')}
        aria-rowcount={visible.length}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map(item => {
            const row = visible[item.index] as Row
            return (
              <div
                key={item.key}
                role="row"
                data-num={row.num}
                data-status={row.status}
                className={`grid-row status-${row.status}`}
                style={{ transform: `translateY(${item.start}px)`, height: item.size }}
              >
                <span role="gridcell">{row.num}</span>
                <span role="gridcell">{row.cloud?.bib ?? '—'}</span>
                <span role="gridcell">
                  {row.cloud ? timeText(row.cloud.timestamp) : row.local ? timeText(row.local.timestamp) : ''}
                </span>
                <span role="gridcell">{row.local ? <PassingBib passing={row.local} /> : '—'}</span>
                <span role="gridcell">{row.status === 'ok' ? '✓' : t(ROW_STATUS_TEXT[row.status])}</span>
              </div>
            )
          })}
        </div>
      </div>
      <form
        className="toolbar"
        aria-label={t('devicePassings')}
        onSubmit={e => {
          e.preventDefault()
          searchByTime()
        }}
      >
        <strong>{t('devicePassings')}</strong>
        <Field label={t('from')} value={from} onChange={setFrom} placeholder="10:00" />
        <Field label={t('to')} value={to} onChange={setTo} placeholder="10:30" />
        <button type="submit">{t('load')}</button>
        {badTime && (
          <strong className="danger" role="alert">
            {t(badTime === 'from' ? 'from' : 'to')}: {t('timeOfDayExpected')}
          </strong>
        )}
        {deviceRows && (
          <span data-testid="device-passings-count">
            {deviceRows.length} {t('passingsFound')}
            {deviceRows.length > 0 &&
              ` · ${timeText(deviceRows[0]?.timestamp ?? '')} (${deviceRows[0]?.bib}) … ${timeText(deviceRows.at(-1)?.timestamp ?? '')} (${deviceRows.at(-1)?.bib})`}
          </span>
        )}
      </form>
    </div>
  )
}
