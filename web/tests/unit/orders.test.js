import { describe, expect, it } from 'vitest'
import { agreedAt, deadlineKind, orderBody, orderItems, pieces } from '../../src/lib/orders.js'

describe('orderItems', () => {
  it('drops empty lines, trims, keeps quantities as numbers for the server to judge', () => {
    const lines = [{ name: ' 传感器 ', sku: ' TS-100 ', quantity: 3 }, { name: '', sku: '', quantity: 1 }, { name: '支架', sku: '', quantity: '2.5' }]
    expect(orderItems(lines)).toEqual([{ name: '传感器', sku: 'TS-100', quantity: 3 }, { name: '支架', quantity: 2.5 }])
  })
})

describe('orderBody', () => {
  it('sends only what was filled in', () => {
    const form = { customer_id: 7, kind: 'retail', items: [{ name: '传感器', sku: '', quantity: 2 }], special_requirements: ' ', remarks: '', urgent: false, promised_date: '' }
    expect(orderBody(1, form)).toEqual({ site_id: 1, customer_id: 7, kind: 'retail', items: [{ name: '传感器', quantity: 2 }] })
    Object.assign(form, { kind: 'bulk', special_requirements: '印标志', remarks: '周五前', urgent: true, promised_date: '2026-10-10' })
    expect(orderBody(1, form)).toMatchObject({ kind: 'bulk', special_requirements: '印标志', remarks: '周五前', urgent: true, promised_date: '2026-10-10' })
  })
})

describe('pieces', () => {
  it('sums whole positive quantities only', () => {
    expect(pieces([{ name: 'a', quantity: 3 }, { name: 'b', quantity: 2 }, { name: 'c', quantity: 0 }, { name: 'd', quantity: 1.5 }])).toBe(5)
  })
})

describe('agreedAt', () => {
  it("reads the wall clock at the sites' +08:00", () => {
    expect(agreedAt('2026-10-09T12:00')).toBe('2026-10-09T12:00:00+08:00')
    expect(agreedAt('')).toBe('')
    expect(agreedAt('2026-10-09')).toBe('')
  })
})

describe('deadlineKind', () => {
  it('tells the ship-by from the agreed delivery', () => {
    const order = { ship_by: '2026-09-30T16:00:00Z' }
    expect(deadlineKind(order, { due_at: '2026-09-30T16:00:00Z' })).toBe('shipBy')
    expect(deadlineKind(order, { due_at: '2026-10-09T04:00:00Z' })).toBe('agreed')
    expect(deadlineKind({ ship_by: null }, { due_at: null })).toBe('agreed')
  })
})
