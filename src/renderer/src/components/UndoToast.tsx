import { useEffect } from 'react'
import { useText } from '../i18n'

/** How long a void or fix can be taken back with one click. */
export const UNDO_MS = 8000

/** "Voided #12 · Undo", for a few seconds after each correction. */
export function UndoToast({
  message,
  onUndo,
  onExpire
}: {
  message: string
  onUndo: () => void
  onExpire: () => void
}): React.JSX.Element {
  const t = useText()
  useEffect(() => {
    const timer = setTimeout(onExpire, UNDO_MS)
    return () => clearTimeout(timer)
  }, [message, onExpire])
  return (
    <div className="undo-toast" role="status" data-testid="undo-toast">
      {message}{' '}
      <button type="button" onClick={onUndo}>
        {t('undo')}
      </button>
    </div>
  )
}
