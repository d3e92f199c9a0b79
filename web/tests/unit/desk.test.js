import { describe, expect, it } from 'vitest'
import { callbackBody, callbackStatus, clockKey, feedbackBody } from '../../src/lib/desk.js'

describe('feedbackBody', () => {
  it('sends the category, the trimmed detail and a customer only when chosen', () => {
    expect(feedbackBody(1, { category: 'safety', detail: ' 货架倾斜 ', customer_id: null })).toEqual({ site_id: 1, category: 'safety', detail: '货架倾斜' })
    expect(feedbackBody(1, { category: 'customer', detail: 'x', customer_id: 7 })).toEqual({ site_id: 1, category: 'customer', detail: 'x', customer_id: 7 })
  })
})

describe('callbackBody', () => {
  it("reads the promised time at the sites' +08:00 and trims the text", () => {
    const form = { customer_id: 7, phone: ' 139 0000 1111 ', reason: ' 查退款 ', promised_at: '2026-12-07T10:00' }
    expect(callbackBody(1, form)).toEqual({ site_id: 1, customer_id: 7, phone: '139 0000 1111', reason: '查退款', promised_at: '2026-12-07T10:00:00+08:00' })
    expect(callbackBody(1, { ...form, promised_at: '' }).promised_at).toBe('')
  })
})

describe('callbackStatus', () => {
  const now = new Date('2026-12-07T01:30:00Z') // 09:30 in Shanghai
  it('is done once recorded, overdue when breached or past, else waiting', () => {
    expect(callbackStatus({ done: true, promised_at: '2026-12-07T01:00:00Z' }, now)).toBe('done')
    expect(callbackStatus({ done: false, promised_at: '2026-12-07T02:00:00Z', deadlines: [{ state: 'breached' }] }, now)).toBe('overdue')
    expect(callbackStatus({ done: false, promised_at: '2026-12-07T01:00:00Z', deadlines: [{ state: 'open' }] }, now)).toBe('overdue')
    expect(callbackStatus({ done: false, promised_at: '2026-12-07T02:00:00Z', deadlines: [{ state: 'open' }] }, now)).toBe('waiting')
  })
})

describe('clockKey', () => {
  it("names a ticket's SLA clocks and leaves any other deadline to its title", () => {
    expect(clockKey({ clock: 'first_response' })).toBe('serviceDesk.clocks.first_response')
    expect(clockKey({ clock: 'next_response' })).toBe('serviceDesk.clocks.next_response')
    expect(clockKey({ clock: 'resolution' })).toBe('serviceDesk.clocks.resolution')
    expect(clockKey({ clock: 'other', title: '截单发货' })).toBeNull()
    expect(clockKey({})).toBeNull()
  })
})
