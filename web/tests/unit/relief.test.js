import { describe, expect, it } from 'vitest'
import { leaveAnswers, reliefForm } from '../../src/lib/duties.js'

// GET /posts/{id}/relief as the server answers it for 中控岗 (R12 §四(二)2(5)).
const R12 = {
  post_id: 3,
  checklists: ['r12-relief'],
  clauses: ['R12 §四(二)2(5)'],
  notify_roles: ['秩序维护主管'],
  items: [
    { id: 'reported', label: '已及时反映接班人员未到的情况', kind: 'check', required: true },
    { id: 'note', label: '说明', kind: 'text', required: false },
  ],
}
const NONE = { post_id: 4, checklists: [], clauses: [], notify_roles: [], items: [] }

describe('the relief checklist of the 离岗 dialog', () => {
  it('reads the route: items, clauses and the roles told; lists missing or malformed are empty', () => {
    expect(reliefForm(R12)).toEqual({ items: R12.items, clauses: ['R12 §四(二)2(5)'], notifyRoles: ['秩序维护主管'] })
    expect(reliefForm(NONE)).toEqual({ items: [], clauses: [], notifyRoles: [] })
    expect(reliefForm(null)).toEqual({ items: [], clauses: [], notifyRoles: [] })
    expect(reliefForm({ items: 'x', clauses: {}, notify_roles: 1 })).toEqual({ items: [], clauses: [], notifyRoles: [] })
  })
  it('sends the answers only when a colleague takes over a post with a relief checklist', () => {
    const form = reliefForm(R12)
    // Unanswered: the required check goes as false (the console's validation stops it first), the
    // optional empty text is left out.
    expect(leaveAnswers(form, 7, { reported: false, note: '' })).toEqual({ reported: false })
    expect(leaveAnswers(form, 7, { reported: true, note: ' 接班人员堵车 ' })).toEqual({ reported: true, note: '接班人员堵车' })
    // No colleague: no answers (the server refuses answers without relief_person_id).
    expect(leaveAnswers(form, null, { reported: true })).toBeUndefined()
    // No checklist applies, or it was not read: no answers (the server refuses them, field answers).
    expect(leaveAnswers(reliefForm(NONE), 7, {})).toBeUndefined()
    expect(leaveAnswers(null, 7, {})).toBeUndefined()
  })
})
