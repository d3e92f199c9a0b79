import { describe, expect, it } from 'vitest'
import { cannedGroups, formLink, missingField, submissionBody } from '../../src/lib/webForm.js'

describe('formLink', () => {
  it("the console's own address with the form's hash route", () => {
    expect(formLink({ origin: 'https://zhidu.example', pathname: '/' }, 'ab12')).toBe('https://zhidu.example/#/form/ab12')
    expect(formLink({ origin: 'http://127.0.0.1:8080', pathname: '/console/' }, 'ff')).toBe('http://127.0.0.1:8080/console/#/form/ff')
  })
})

describe('missingField / submissionBody', () => {
  it('the first blank required field, in the order the form shows them', () => {
    expect(missingField({ name: ' ', phone: '1', subject: 's', body: 'b' })).toBe('name')
    expect(missingField({ name: '王', phone: '', subject: '', body: 'b' })).toBe('phone')
    expect(missingField({ name: '王', phone: '139', subject: 's', body: 'b' })).toBe(null)
  })
  it('trims and leaves blank optional fields out', () => {
    expect(submissionBody({ name: ' 王 ', phone: '139', company: ' ', subject: 's', body: 'b\n', category: '' })).toEqual({ name: '王', phone: '139', subject: 's', body: 'b' })
    expect(submissionBody({ name: 'a', phone: '1', subject: 's', body: 'b', company: '某公司', category: '售后' })).toMatchObject({ company: '某公司', category: '售后' })
  })
})

describe('cannedGroups', () => {
  it('site-wide first, then each queue in order, by title; empty queues kept', () => {
    const items = [
      { id: 1, queue_post_id: 7, title: '退款' },
      { id: 2, queue_post_id: null, title: '问候' },
      { id: 3, queue_post_id: 7, title: '催单' },
      { id: 4, queue_post_id: null, title: '结束语' },
    ]
    const groups = cannedGroups(items, [{ id: 7, name: '投诉组' }, { id: 8, name: '订单组' }])
    expect(groups.map((g) => [g.scope, g.items.map((c) => c.id)])).toEqual([[null, [4, 2]], [7, [3, 1]], [8, []]])
  })
})
