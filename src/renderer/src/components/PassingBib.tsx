import type { PassingView } from '../../../shared/contract'
import { useMessage, useText } from '../i18n'

/**
 * A passing's bib as the timer must read it: a correction made after upload shows the cloud's bib struck
 * through next to the station's value (or "voided"); a passing voided before upload is struck through.
 */
export function PassingBib({ passing }: { passing: PassingView }): React.JSX.Element {
  const t = useText()
  const say = useMessage()
  if (passing.differsFromCloud) {
    return (
      <span title={passing.note ? say(passing.note) : undefined} data-testid="corrected-bib">
        <s>{passing.bib ?? '—'}</s> <b>{passing.voided ? t('voided') : (passing.correctedBib ?? '—')}</b>
      </span>
    )
  }
  if (passing.voided) return <s>{passing.bib ?? '—'}</s>
  return <>{passing.bib ?? '—'}</>
}
