import { describe, expect, it } from 'vitest'
import { hasDeparted, loungeOrder, missedReminderStatus, siteTimeToday } from '../../src/lib/lounge.js'

describe('siteTimeToday', () => {
  it('reads HH:MM on the site wall clock, whatever the browser zone', () => {
    const now = new Date('2026-12-07T01:00:00Z') // 09:00 in Shanghai
    expect(siteTimeToday('10:30', 'Asia/Shanghai', now)).toBe('2026-12-07T02:30:00.000Z')
    // Late in the UTC day it is already tomorrow in Shanghai.
    expect(siteTimeToday('08:00', 'Asia/Shanghai', new Date('2026-12-07T23:00:00Z'))).toBe('2026-12-08T00:00:00.000Z')
    expect(siteTimeToday('10:30', 'UTC', now)).toBe('2026-12-07T10:30:00.000Z')
  })
  it('refuses a malformed time or zone', () => {
    expect(siteTimeToday('25:00', 'Asia/Shanghai')).toBe(null)
    expect(siteTimeToday('1030', 'Asia/Shanghai')).toBe(null)
    expect(siteTimeToday('10:30', 'Mars/Olympus')).toBe(null)
  })
})

describe('loungeOrder', () => {
  it('puts check-ins first, then reminders by time, closed guests last', () => {
    const g = [
      { id: 1, state: 'escorted', reminder_at: '2026-12-07T09:00:00+08:00' },
      { id: 2, state: 'seated', reminder_at: '2026-12-07T10:00:00+08:00' },
      { id: 3, state: 'seated', reminder_at: '2026-12-07T09:30:00+08:00' },
      { id: 4, state: 'arrived', checkin_due_at: '2026-12-07T09:02:00+08:00' },
    ]
    expect(loungeOrder(g).map((x) => x.id)).toEqual([4, 3, 2, 1])
  })
})

describe('missedReminderStatus', () => {
  it('names a missed train first, then a late reminder, else one still not recorded', () => {
    expect(missedReminderStatus({ state: 'breached', guest: { state: 'missed' } })).toBe('missedTrain')
    expect(missedReminderStatus({ state: 'met_late', guest: { state: 'reminded' } })).toBe('late')
    expect(missedReminderStatus({ state: 'breached', guest: { state: 'seated' } })).toBe('notReminded')
    expect(missedReminderStatus({})).toBe('notReminded')
  })
})

describe('hasDeparted', () => {
  it('is true from the departure on', () => {
    const g = { departure_at: '2026-12-07T10:00:00+08:00' }
    expect(hasDeparted(g, Date.parse('2026-12-07T01:59:59Z'))).toBe(false)
    expect(hasDeparted(g, Date.parse('2026-12-07T02:00:00Z'))).toBe(true)
    expect(hasDeparted({ departure_at: null }, Date.now())).toBe(false)
  })
})
