import { describe, expect, it } from 'vitest'
import { countsOf, fenText, yuanToFen } from '../../src/lib/shelf.js'

describe('shelf money and counts', () => {
  it('reads 元 as whole 分 and refuses what is not an amount', () => {
    expect(yuanToFen('3')).toBe(300)
    expect(yuanToFen('3.5')).toBe(350)
    expect(yuanToFen(' 12.05 ')).toBe(1205)
    expect(yuanToFen('0')).toBe(0)
    for (const bad of ['-1', '1.234', 'abc', '', null, '1,5']) expect(yuanToFen(bad)).toBeNull()
  })
  it('writes 分 as 元 with two decimals', () => {
    expect(fenText(350)).toBe('3.50')
    expect(fenText(5)).toBe('0.05')
    expect(fenText(-100)).toBe('-1.00')
  })
  it('sends every item typed, and leaves out the empty ones', () => {
    const goods = [{ id: 1 }, { id: 2 }, { id: 3 }]
    expect(countsOf(goods, { 1: 4, 2: 0, 3: '' })).toEqual([{ goods_id: 1, counted: 4 }, { goods_id: 2, counted: 0 }])
  })
})
