import { describe, expect, it } from 'vitest'
import { addDays, agentTotals, figure, pct, rangeOk, satisfactionBars, slaBars, spanDays } from '../../src/lib/serviceReports.js'

describe('客服报表 range', () => {
  it('counts both days and keeps to the server bound of 92', () => {
    expect(spanDays('2026-12-07', '2026-12-08')).toBe(2)
    expect(spanDays('2026-12-08', '2026-12-07')).toBe(0)
    expect(spanDays('2026-12-7', '2026-12-08')).toBe(null)
    expect(rangeOk('2026-09-01', '2026-12-01')).toBe(true) // 92 days
    expect(rangeOk('2026-09-01', '2026-12-02')).toBe(false)
    expect(rangeOk('2026-12-08', '2026-12-07')).toBe(false)
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })
})

describe('客服报表 charts', () => {
  const rows = [
    { day: '2026-12-07', person_id: 1, name: '吴', received: 2, resolved: 1, surveys_answered: 1, surveys_satisfied: 1 },
    { day: '2026-12-07', person_id: 2, name: '钱', received: 2, resolved: 1, surveys_answered: 0, surveys_satisfied: 0 },
    { day: '2026-12-08', person_id: 1, name: '吴', received: 1, resolved: 1, surveys_answered: 1, surveys_satisfied: 0 },
  ]
  it('sums the days per agent', () => {
    expect(agentTotals(rows).map((a) => [a.name, a.received, a.resolved])).toEqual([['吴', 3, 2], ['钱', 2, 1]])
  })
  it('leaves out an agent with no survey rather than showing 0 %', () => {
    expect(satisfactionBars(rows)).toEqual([{ label: '吴', value: 50 }])
  })
  it('names a service level by its title and keeps a rate not computed as null', () => {
    expect(slaBars([{ queue: '客服组', title: '首次回复', service_level: 'r14-first-response', met_percent: null }])).toEqual([{ label: '客服组 · 首次回复', value: null }])
  })
  it('formats figures', () => {
    expect(figure(55)).toBe('55')
    expect(figure(66.666)).toBe('66.7')
    expect(figure(null, '—')).toBe('—')
    expect(pct(50)).toBe('50%')
    expect(pct(null, '—')).toBe('—')
  })
})
