import type { PassingView } from '../../src/shared/contract'
import type { PassingState } from '../../src/shared/states'

/** A passing as a screen gets it: number `num`, read at a fixed time on COM3; voided when its state says so. */
export const passingView = (
  num: number,
  state: PassingState = 'pending',
  bib: string | null = String(num)
): PassingView => ({
  id: num,
  session: 1,
  num,
  bib,
  name: null,
  chip: null,
  timestamp: '2026-11-28T10:00:00.000Z',
  source: 'reader',
  port: 'COM3',
  state,
  note: null,
  correctedBib: null,
  voided: state === 'void',
  differsFromCloud: false
})
