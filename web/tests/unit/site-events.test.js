import { describe, expect, it } from 'vitest'
import { deadlineValue, needsDeadline, startedCounts, startsByKind } from '../../src/lib/siteEvents.js'

describe('site events', () => {
  it('lists what an event starts by kind, in order', () => {
    const e = { starts: [{ kind: 'duty', id: 'a', title: '甲' }, { kind: 'procedure', id: 'b', title: '乙' }, { kind: 'duty', id: 'c', title: '丙' }] }
    expect(startsByKind(e)).toEqual({ duty: ['甲', '丙'], procedure: ['乙'] })
    expect(startsByKind(null)).toEqual({})
  })
  it('sends a duration as it is and a wall time as the next such moment at the site', () => {
    const now = new Date('2026-12-05T03:50:00Z') // 11:50 in Shanghai
    expect(deadlineValue('2h', now)).toBe('2h')
    expect(deadlineValue(' 1h30m ', now)).toBe('1h30m')
    expect(deadlineValue('1d', now)).toBe('1d')
    expect(deadlineValue('18:00', now)).toBe('2026-12-05T18:00:00+08:00')
    expect(deadlineValue('18：30', now)).toBe('2026-12-05T18:30:00+08:00')
    expect(deadlineValue('09:00', now)).toBe('2026-12-06T09:00:00+08:00') // passed today: tomorrow
    expect(deadlineValue('23:59', new Date('2026-12-05T17:00:00Z'))).toBe('2026-12-06T23:59:00+08:00') // 01:00 on the 6th
    expect(deadlineValue('2', now)).toBe('')
    expect(deadlineValue('25:00', now)).toBe('')
    expect(deadlineValue('', now)).toBe('')
  })
  it('counts what a raise started and knows the deadline refusal', () => {
    expect(startedCounts({ procedures_started: [4], duties_started: [], deadlines_started: [1, 2] })).toEqual({ procedures: 1, duties: 0, deadlines: 2 })
    expect(startedCounts(undefined)).toEqual({ procedures: 0, duties: 0, deadlines: 0 })
    expect(needsDeadline({ field: 'data.deadline', reason: 'duty.deadline_needed' })).toBe(true)
    expect(needsDeadline({ field: 'event' })).toBe(false)
    expect(needsDeadline(null)).toBe(false)
  })
})
