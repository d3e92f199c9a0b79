import { describe, expect, it } from 'vitest'
import { assignCandidates, boardTotals, queueTone, satisfactionOf, splitMinutes, ticketFlag } from '../../src/lib/serviceBoard.js'

const q = (id, agents, extra = {}) => ({ queue_post_id: id, open_total: 0, unassigned: 0, at_risk: 0, breached: 0, agents, ...extra })
const a = (person_id, load) => ({ person_id, name: `p${person_id}`, load })

describe('splitMinutes', () => {
  it('hours and minutes, never negative', () => {
    expect(splitMinutes(65)).toEqual({ h: 1, m: 5 })
    expect(splitMinutes(35)).toEqual({ h: 0, m: 35 })
    expect(splitMinutes(-3)).toEqual({ h: 0, m: 0 })
    expect(splitMinutes(null)).toEqual({ h: 0, m: 0 })
  })
})

describe('boardTotals', () => {
  it('sums the queues and counts an agent on two posts once', () => {
    const queues = [q(1, [a(7, 2)], { open_total: 3, unassigned: 1, at_risk: 1, breached: 0 }), q(2, [a(7, 2), a(8, 0)], { open_total: 2, unassigned: 2, at_risk: 1, breached: 1 })]
    expect(boardTotals(queues)).toEqual({ open: 5, unassigned: 3, atRisk: 2, breached: 1, agents: 2 })
    expect(boardTotals([])).toEqual({ open: 0, unassigned: 0, atRisk: 0, breached: 0, agents: 0 })
  })
})

describe('assignCandidates', () => {
  it("the queue's own agents first, least loaded, then the others, without the holder", () => {
    const queues = [q(1, [a(5, 1), a(3, 4)]), q(2, [a(9, 0), a(3, 4)])]
    expect(assignCandidates(queues, 1, null).map((c) => [c.person_id, c.here])).toEqual([[5, true], [3, true], [9, false]])
    expect(assignCandidates(queues, 2, 9).map((c) => c.person_id)).toEqual([3, 5])
    expect(assignCandidates(queues, 99, null).map((c) => c.person_id)).toEqual([5, 3, 9])
  })
})

describe('ticketFlag and queueTone', () => {
  it('breached wins; nobody on the post with tickets waiting is a warning', () => {
    expect(ticketFlag({ breached: true, at_risk: true })).toBe('breached')
    expect(ticketFlag({ breached: false, at_risk: true })).toBe('at_risk')
    expect(ticketFlag({ breached: false, at_risk: false })).toBe(null)
    expect(queueTone(q(1, [a(1, 0)], { breached: 1 }))).toBe('danger')
    expect(queueTone(q(1, [a(1, 0)], { at_risk: 1 }))).toBe('warning')
    expect(queueTone(q(1, [], { open_total: 2 }))).toBe('warning')
    expect(queueTone(q(1, [], { open_total: 0 }))).toBe('plain')
  })
})

describe('satisfactionOf', () => {
  it('a share of the answers, none without any', () => {
    expect(satisfactionOf({ surveys_answered: 3, surveys_satisfied: 2 })).toEqual({ satisfied: 2, answered: 3, percent: 67 })
    expect(satisfactionOf({ surveys_answered: 0, surveys_satisfied: 0 })).toBe(null)
    expect(satisfactionOf(undefined)).toBe(null)
  })
})
