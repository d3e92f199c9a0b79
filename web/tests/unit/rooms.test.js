import { describe, expect, it } from 'vitest'
import { deadlineAt, inspectionItems, nextItem, PROBE_KEY } from '../../src/lib/rooms.js'

const required = (id, label) => Object.assign(new Error(`「${label}」is required`), { status: 400, field: `answers.${id}`, reason: 'required' })

describe('rooms helpers', () => {
  it('reads the checklist items from the refusals, never sending a complete answer set', async () => {
    const checklist = [['belongings', '个人物品'], ['walls', '墙壁']]
    const sent = []
    const inspect = async (_id, { answers }) => {
      sent.push(answers)
      const missing = checklist.find(([id]) => !(id in answers))
      if (missing) throw required(...missing)
      throw Object.assign(new Error('unknown'), { status: 400, field: 'answers', reason: 'rooms.unknown_item' })
    }
    expect(await inspectionItems(inspect, 1)).toEqual([{ id: 'belongings', label: '个人物品' }, { id: 'walls', label: '墙壁' }])
    expect(sent.every((a) => PROBE_KEY in a)).toBe(true)
  })
  it('passes on another refusal', async () => {
    const e = Object.assign(new Error('no'), { status: 403, reason: 'rooms.manage_denied' })
    await expect(inspectionItems(async () => { throw e }, 1)).rejects.toBe(e)
    expect(nextItem(e)).toBe(null)
  })
  it('computes the deadline from a duration or an ISO time', () => {
    expect(deadlineAt('2026-12-05T08:00:00+08:00', '3d').toISOString()).toBe('2026-12-08T00:00:00.000Z')
    expect(deadlineAt('2026-12-05T08:00:00+08:00', '2026-12-06T00:00:00Z').toISOString()).toBe('2026-12-06T00:00:00.000Z')
    expect(deadlineAt('2026-12-05T08:00:00+08:00', 'soon')).toBe(null)
    expect(deadlineAt('x', '')).toBe(null)
  })
})
