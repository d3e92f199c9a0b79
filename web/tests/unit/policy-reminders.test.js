import { describe, expect, it } from 'vitest'
import { coverageShares, shortHash, withDepth, filterClauses, regulationOf, clauseAnchor } from '../../src/lib/policy.js'
import { toIsoWithOffset, fromWallClock, countdown, countdownText, stateBadge } from '../../src/lib/reminders.js'

const clauses = [
  { id: 'R12 §三', parent: null, text: '三、职责:', rules: [] },
  { id: 'R12 §三(一)', parent: 'R12 §三', text: '(一)熟识各系统', rules: [] },
  { id: 'R12 §四', parent: null, text: '四、交接班', rules: [] },
  { id: 'R12 §四(二)', parent: 'R12 §四', text: '(二)五不接', rules: [] },
  { id: 'R12 §四(二)2', parent: 'R12 §四(二)', text: '2、工具不全不接', rules: [{ id: 'r12-handover', title: '中控员交接班' }] },
]

describe('policy helpers', () => {
  it('coverage shares add up to 100', () => {
    expect(coverageShares({ clauses: 425, executable: 253, recorded: 0, citable_only: 172, missing: 0 })).toEqual({ executable: 59.5, recorded: 0, citable: 40.5, missing: 0 })
    expect(coverageShares({ clauses: 0 })).toEqual({ executable: 0, recorded: 0, citable: 0, missing: 0 })
    expect(coverageShares({ clauses: 4, executable: 1, citable_only: 1, missing: 2 })).toEqual({ executable: 25, recorded: 0, citable: 25, missing: 50 })
    expect(coverageShares({ clauses: 8, executable: 4, recorded: 2, citable_only: 1, missing: 1 })).toEqual({ executable: 50, recorded: 25, citable: 12.5, missing: 12.5 })
  })
  it('shortens a hash', () => {
    expect(shortHash('289840987296105baad0')).toBe('289840987296')
    expect(shortHash(null)).toBe('')
  })
  it('computes depth from parents in document order', () => {
    expect(withDepth(clauses).map((c) => c.depth)).toEqual([0, 1, 0, 1, 2])
    expect(withDepth([{ id: 'a', parent: 'missing' }])[0].depth).toBe(0)
  })
  it('filters by text or id and keeps ancestors', () => {
    expect(filterClauses(clauses, '').length).toBe(5)
    expect(filterClauses(clauses, '工具不全').map((c) => c.id)).toEqual(['R12 §四', 'R12 §四(二)', 'R12 §四(二)2'])
    expect(filterClauses(clauses, '§三(一)').map((c) => c.id)).toEqual(['R12 §三', 'R12 §三(一)'])
    expect(filterClauses(clauses, 'r12 §四(二)2').map((c) => c.id)).toEqual(['R12 §四', 'R12 §四(二)', 'R12 §四(二)2'])
    expect(filterClauses(clauses, '交接班').map((c) => c.id)).toEqual(['R12 §四']) // rule titles are not searched
    expect(filterClauses(clauses, '不存在')).toEqual([])
  })
  it('regulation of a clause and a safe anchor', () => {
    expect(regulationOf('R12 §四(二)2')).toBe('R12')
    expect(clauseAnchor('R12 §四(二)2')).toMatch(/^clause-[0-9a-z-]+$/)
    expect(clauseAnchor('R12 §四')).not.toBe(clauseAnchor('R12 §三'))
  })
})

describe('reminder helpers', () => {
  it('formats a moment with a +08:00 offset', () => {
    expect(toIsoWithOffset(new Date('2026-11-27T05:38:58Z'))).toBe('2026-11-27T13:38:58+08:00')
    expect(toIsoWithOffset(new Date('2026-12-31T20:00:00Z'))).toBe('2027-01-01T04:00:00+08:00')
    expect(toIsoWithOffset(new Date('2026-01-01T00:00:00Z'), -330)).toBe('2025-12-31T18:30:00-05:30')
    expect(toIsoWithOffset(NaN)).toBe(null)
  })
  it('reads wall-clock time at an offset', () => {
    expect(fromWallClock('2026-11-27 13:38:58').toISOString()).toBe('2026-11-27T05:38:58.000Z')
    expect(fromWallClock('2026-11-27T08:00').toISOString()).toBe('2026-11-27T00:00:00.000Z')
    expect(fromWallClock('2026-02-30 10:00:00')).toBe(null)
    expect(fromWallClock('nonsense')).toBe(null)
  })
  it('counts down and marks overdue', () => {
    const now = Date.parse('2026-11-27T05:00:00Z')
    expect(countdown('2026-11-27T13:01:05+08:00', now)).toEqual({ overdue: false, days: 0, hours: 0, minutes: 1, seconds: 5 })
    expect(countdownText(countdown('2026-11-29T15:00:00+08:00', now), '天')).toBe('2天 02:00:00')
    expect(countdown('2026-11-27T12:59:50+08:00', now).overdue).toBe(true)
    expect(countdown('bad', now)).toBe(null)
  })
  it('maps states to badges', () => {
    expect(stateBadge('fired')).toBe('badge-valid')
    expect(stateBadge('pending')).toBe('badge-pending')
    expect(stateBadge('failed')).toBe('badge-expired')
    expect(stateBadge('weird')).toBe('badge-none')
  })
})

import { errorFromResponse } from '../../src/api/client.js'
describe('reload diagnostics', () => {
  it('keeps the diagnostics of a refused reload', () => {
    const e = errorFromResponse(400, { error: { code: 'invalid_argument', message: 'pack invalid', diagnostics: ['R12.yaml:3:5: unknown field'] } })
    expect(e.diagnostics).toEqual(['R12.yaml:3:5: unknown field'])
    expect(errorFromResponse(500, 'x').diagnostics).toEqual([])
  })
})
