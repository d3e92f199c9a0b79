import { describe, expect, it } from 'vitest'
import { reliefFromRefusal } from '../../src/lib/duties.js'
import { errorFromResponse } from '../../src/api/client.js'

const refusal = (field, message, status = 400) => errorFromResponse(status, { error: { code: 'invalid_argument', field, message } })

describe('the relief checklist learnt from the leave refusal', () => {
  it('no relief checklist for the post: leave without answers', () => {
    expect(reliefFromRefusal(refusal('answers', 'no relief checklist (kind: relief) applies to post 车间控制室岗: send no answers'))).toEqual({ none: true })
  })
  it('an item asked: its label and, when the message says, its kind', () => {
    const first = reliefFromRefusal(refusal('answers.reported', '「已及时反映接班人员未到的情况」is required'))
    expect(first).toEqual({ items: [{ id: 'reported', label: '已及时反映接班人员未到的情况', required: true, kind: 'check' }] })
    const text = reliefFromRefusal(refusal('answers.reported', '「已及时反映接班人员未到的情况」takes text'), first.items)
    expect(text.items).toEqual([{ id: 'reported', label: '已及时反映接班人员未到的情况', required: true, kind: 'text' }])
    const more = reliefFromRefusal(refusal('answers.state', '「设备状态」takes pass, flag or fail'), text.items)
    expect(more.items.map((i) => [i.id, i.kind])).toEqual([['reported', 'text'], ['state', 'pass_flag_fail']])
    // "is required" again keeps the kind learnt before
    expect(reliefFromRefusal(refusal('answers.state', '「设备状态」is required'), more.items).items[1].kind).toBe('pass_flag_fail')
    expect(reliefFromRefusal(refusal('answers.n', '「读数」is out of range [0, 5]')).items[0].kind).toBe('number')
    expect(reliefFromRefusal(refusal('answers.x', 'no label here')).items[0].label).toBe('x')
  })
  it('an item the checklist does not have is dropped', () => {
    const items = [{ id: 'old', label: 'old', kind: 'check', required: true }]
    expect(reliefFromRefusal(refusal('answers.old', '"old" is not an item of this form'), items)).toEqual({ items: [] })
  })
  it('any other refusal is not about the checklist', () => {
    expect(reliefFromRefusal(refusal('relief_person_id', 'you cannot relieve yourself'))).toBeNull()
    expect(reliefFromRefusal(refusal('answers.reported', 'x', 403))).toBeNull()
    expect(reliefFromRefusal(refusal(null, 'x'))).toBeNull()
    expect(reliefFromRefusal(null)).toBeNull()
  })
})
