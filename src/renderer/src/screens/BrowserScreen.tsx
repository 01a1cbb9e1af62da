import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useMemo, useRef, useState } from 'react'
import { cloudCopyMatches } from '../../../shared/cloud-copy'
import type { CloudPassingView, PassingView, SessionView } from '../../../shared/contract'
import { run, stationApi } from '../api'
import { timeText } from '../format'
import { Field, NumberField } from '../components/Field'
import { PassingBib } from '../components/PassingBib'
import { UnfilledTimes } from '../components/UnfilledTimes'
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

export function BrowserScreen(): React.JSX.Element {
  const t = useText()
  const canEdit = useStation(s => s.snapshot?.role !== 'viewer')
  const [sessions, setSessions] = useState<SessionView[]>([])
  const [sessionId, setSessionId] = useState<number | null>(null)
  const [first, setFirst] = useState('')
  const [last, setLast] = useState('')
  const [page, setPage] = useState(1)
  const [filter, setFilter] = useState('')
  const [rows, setRows] = useState<Row[]>([])
  const [loading, setLoading] = useState(false)
  const [deviceRows, setDeviceRows] = useState<Array<CloudPassingView & { token: string }>>([])
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const session = sessions.find(s => s.id === sessionId) ?? null

  useEffect(() => {
    void run(stationApi().sessions({})).then(list => {
      if (!list) return
      setSessions(list)
      setSessionId(current => current ?? list.find(s => s.token)?.id ?? null)
    })
  }, [])

  const load = async (pageNumber: number) => {
    if (!session?.token) return
    setLoading(true)
    setPage(pageNumber)
    const range = {
      first: first === '' ? undefined : Number(first),
      last: last === '' ? undefined : Number(last)
    }
    const cloud =
      (await run(stationApi().cloudSessionPassings({ token: session.token, ...range, page: pageNumber }))) ??
      []
    const lowest = cloud[0]?.num ?? range.first ?? 1
    const highest = cloud.at(-1)?.num ?? range.last ?? lowest + PAGE
    const local: PassingView[] = []
    for (let after = Math.max(0, lowest - 1); ;) {
      const chunk =
        (await run(
          stationApi().localSessionPassings({ sessionId: session.id, afterNum: after, limit: PAGE })
        )) ?? []
      const inRange = chunk.filter(p => p.num <= highest)
      local.push(...inRange)
      if (chunk.length < PAGE || inRange.length < chunk.length) break
      after = chunk.at(-1)?.num ?? after
    }
    setRows(alignRows(cloud, local, 0))
    setLoading(false)
  }

  /** Every page of the session, cloud and local, in one virtualised list. */
  const loadAll = async () => {
    if (!session?.token) return
    setLoading(true)
    const cloud: CloudPassingView[] = []
    for (let p = 1; ; p += 1) {
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
    setRows(alignRows(cloud, local, 0))
    setLoading(false)
  }

  const visible = useMemo(
    () => (filter === '' ? rows : rows.filter(r => (r.cloud?.bib ?? r.local?.bib ?? '').includes(filter))),
    [rows, filter]
  )
  const scroller = useRef<HTMLDivElement>(null)
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is used as documented
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 28,
    overscan: 20
  })
  const lastPage = Math.max(1, Math.ceil((session?.counts.synced ?? 0) / PAGE))

  return (
    <div className="browser">
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
              <option key={s.id} value={s.id} disabled={!s.token}>
                {s.alias} ({s.counts.total})
              </option>
            ))}
          </select>
        </label>
        <Field label={t('first')} value={first} onChange={setFirst} size={7} numeric />
        <Field label={t('last')} value={last} onChange={setLast} size={7} numeric />
        <NumberField label={t('page')} min={1} value={page} onChange={value => setPage(value || 1)} />
        <button type="submit">{t('load')}</button>
        <button type="button" onClick={() => void load(1)}>
          {t('start')}
        </button>
        <button type="button" onClick={() => void load(lastPage)}>
          {t('end')}
        </button>
        <button type="button" onClick={() => void loadAll()}>
          {t('allPages')}
        </button>
        <Field label={t('filterBib')} value={filter} onChange={setFilter} size={6} />
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
      </form>
      <div className="legend" role="status" aria-live="polite">
        {loading ? '…' : `${visible.length} ${t('rows')}`} · {t('missingInCloud')}:{' '}
        {visible.filter(r => r.status === 'missing-in-cloud').length} · {t('extraInCloud')}:{' '}
        {visible.filter(r => r.status === 'only-in-cloud').length}
      </div>
      <div className="grid-head" aria-hidden="true">
        <span>{t('num')}</span>
        <span>
          {t('cloud')}: {t('bib')}
        </span>
        <span>{t('time')}</span>
        <span>
          {t('local')}: {t('bib')}
        </span>
        <span>{t('state')}</span>
      </div>
      <div
        ref={scroller}
        className="grid"
        role="grid"
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
          void run(stationApi().cloudDevicePassings({ from: from || undefined, to: to || undefined })).then(
            list => setDeviceRows(list ?? [])
          )
        }}
      >
        <strong>{t('devicePassings')}</strong>
        <Field label={t('from')} value={from} onChange={setFrom} placeholder="2026-11-28T09:00:00.000Z" />
        <Field label={t('to')} value={to} onChange={setTo} />
        <button type="submit">{t('load')}</button>
        <span>
          {deviceRows.length > 0 &&
            `${deviceRows.length} · ${deviceRows[0]?.bib} … ${deviceRows.at(-1)?.bib}`}
        </span>
      </form>
    </div>
  )
}
