import { describe, expect, it } from 'vitest'
import {
  cloudCopyMatches,
  compareWithCloud,
  type NumberedPassing,
  type SentPassing
} from '../../src/shared/cloud-copy'

const AT = '2026-11-28T10:00:01.234Z'
const sent: SentPassing = { bib: '101', chip: 'E2001', timestamp: AT }

describe('whether the cloud copy is the passing (the one definition)', () => {
  const rows: Array<[what: string, copy: SentPassing, local: SentPassing, matches: boolean]> = [
    ['the same bib, chip and time', sent, sent, true],
    [
      'the same instant written with an offset',
      { ...sent, timestamp: '2026-11-28T11:00:01.234+01:00' },
      sent,
      true
    ],
    ['no chip on either side', { ...sent, chip: null }, { ...sent, chip: null }, true],
    ['another bib', { ...sent, bib: '102' }, sent, false],
    ['a bib that differs only in case', { ...sent, bib: 'A1' }, { ...sent, bib: 'a1' }, false],
    ['another chip', { ...sent, chip: 'E2002' }, sent, false],
    ['a chip in the cloud, none here', sent, { ...sent, chip: null }, false],
    ['no chip in the cloud, one here', { ...sent, chip: null }, sent, false],
    ['one millisecond later', { ...sent, timestamp: '2026-11-28T10:00:01.235Z' }, sent, false],
    ['a time the cloud wrote that is not a time', { ...sent, timestamp: 'yesterday' }, sent, false],
    [
      'no time on either side (never the same instant)',
      { ...sent, timestamp: '' },
      { ...sent, timestamp: '' },
      false
    ],
    [
      'a time without a bib here against an empty bib there',
      { ...sent, bib: '' },
      { ...sent, bib: null },
      false
    ]
  ]
  it.each(rows)('%s', (_what, copy, local, matches) => {
    expect(cloudCopyMatches(local, copy)).toBe(matches)
  })
})

describe('a session compared with the cloud', () => {
  const at = (num: number, bib = String(num), timestamp = AT): NumberedPassing => ({
    num,
    bib,
    chip: null,
    timestamp
  })
  const rows: Array<
    [
      what: string,
      local: NumberedPassing[],
      cloud: NumberedPassing[],
      offset: number,
      expected: ReturnType<typeof compareWithCloud>
    ]
  > = [
    ['all there', [at(1), at(2)], [at(1), at(2)], 0, { missingInCloud: [], extraInCloud: [], different: [] }],
    [
      'one missing, one extra',
      [at(1), at(2)],
      [at(1), at(7)],
      0,
      { missingInCloud: [2], extraInCloud: [7], different: [] }
    ],
    [
      'another bib or another time under the same number',
      [at(1), at(2), at(3)],
      [at(1, 'X'), at(2, '2', '2026-11-28T10:00:02.000Z'), at(3)],
      0,
      { missingInCloud: [], extraInCloud: [], different: [1, 2] }
    ],
    [
      'numbers continued in a new cloud session (offset): local numbers reported, cloud numbers for extras',
      [at(1, '1'), at(2, '2')],
      [at(11, '1'), at(13, '3')],
      10,
      { missingInCloud: [2], extraInCloud: [13], different: [] }
    ],
    [
      'two copies under one number: the passing when either is it',
      [at(1), at(2)],
      [at(1, 'X'), at(1), at(2, 'Y'), at(2, 'Z')],
      0,
      { missingInCloud: [], extraInCloud: [], different: [2] }
    ],
    [
      'an extra number with two copies is listed for each',
      [],
      [at(5), at(5)],
      0,
      { missingInCloud: [], extraInCloud: [5, 5], different: [] }
    ]
  ]
  it.each(rows)('%s', (_what, local, cloud, offset, expected) => {
    expect(compareWithCloud(local, cloud, offset)).toEqual(expected)
  })
})
