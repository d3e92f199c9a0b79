import { describe, expect, it } from 'vitest'
import { hasDeparted, loungeOrder, missedReminderStatus, siteDeparture } from '../../src/lib/lounge.js'

describe('siteDeparture', () => {
  it('reads HH:MM on the site wall clock, whatever the browser zone', () => {
    const now = new Date('2026-12-07T01:00:00Z') // 09:00 in Shanghai
    expect(siteDeparture('10:30', 'Asia/Shanghai', now)).toBe('2026-12-07T02:30:00.000Z')
    // Late in the UTC day it is already the next day in Shanghai.
    expect(siteDeparture('08:00', 'Asia/Shanghai', new Date('2026-12-07T23:00:00Z'))).toBe('2026-12-08T00:00:00.000Z')
    expect(siteDeparture('10:30', 'UTC', now)).toBe('2026-12-07T10:30:00.000Z')
  })
  it('takes the nearest departure across midnight', () => {
    const late = new Date('2026-12-07T15:50:00Z') // 23:50 in Shanghai
    expect(siteDeparture('00:35', 'Asia/Shanghai', late)).toBe('2026-12-07T16:35:00.000Z') // tomorrow 00:35
    const early = new Date('2026-12-07T16:10:00Z') // 00:10 on the 8th in Shanghai
    expect(siteDeparture('23:40', 'Asia/Shanghai', early)).toBe('2026-12-07T15:40:00.000Z') // left 30 min ago
    // 09:00: a train at 08:00 left an hour ago (the server refuses it), not tomorrow's.
    expect(siteDeparture('08:00', 'Asia/Shanghai', new Date('2026-12-07T01:00:00Z'))).toBe('2026-12-07T00:00:00.000Z')
  })
  it('refuses a malformed time or zone', () => {
    expect(siteDeparture('25:00', 'Asia/Shanghai')).toBe(null)
    expect(siteDeparture('1030', 'Asia/Shanghai')).toBe(null)
    expect(siteDeparture('10:30', 'Mars/Olympus')).toBe(null)
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
