import { describe, expect, it } from 'vitest'
import { approvalsFor, caseBadge, fenToYuan, yuanToFen } from '../../src/lib/discipline.js'

// Money is whole fen (分): what a person types in yuan becomes an integer without a float.
describe('yuanToFen', () => {
  it('reads yuan with up to two decimals as whole fen', () => {
    expect(yuanToFen('12.5')).toBe(1250)
    expect(yuanToFen('12.50')).toBe(1250)
    expect(yuanToFen(' 12 ')).toBe(1200)
    expect(yuanToFen('0.1')).toBe(10)
    expect(yuanToFen('0.29')).toBe(29) // 0.29 * 100 is 28.999… as a float
    expect(yuanToFen('１２．５')).toBe(1250) // full-width digits from a Chinese IME
  })
  it('refuses what is not an amount', () => {
    for (const bad of ['', '-1', '1.234', 'abc', '1,000', '1e3', null, undefined]) expect(yuanToFen(bad)).toBeNull()
  })
})

describe('fenToYuan', () => {
  it('shows two decimals', () => {
    expect(fenToYuan(12345)).toBe('123.45')
    expect(fenToYuan(5)).toBe('0.05')
    expect(fenToYuan(0)).toBe('0.00')
  })
})

describe('cases', () => {
  it('badges each state', () => {
    expect(caseBadge('correcting')).toBe('badge-expiring')
    expect(caseBadge('closed')).toBe('badge-none')
  })
  it('finds the approvals naming the case', () => {
    const rs = [
      { id: 1, type: 'r03-dismissal', inputs: { 'case.id': 7 } },
      { id: 2, type: 'r03-dismissal', inputs: { 'case.id': 8 } },
      { id: 3, type: 'other', inputs: { 'case.id': 7 } },
    ]
    expect(approvalsFor(rs, 'r03-dismissal', 7).map((r) => r.id)).toEqual([1])
  })
})
