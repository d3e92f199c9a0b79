import { describe, expect, it } from 'vitest'
import { deadlineAt, freeLockers, inspectionItems, rotaDays } from '../../src/lib/rooms.js'

describe('rooms helpers', () => {
  it('reads the checklist items from the inspection form, label defaulting to the id', async () => {
    const form = async () => ({ id: 'r04-inspection', items: [{ id: 'belongings', label: '个人物品' }, { id: 'walls', label: '' }] })
    expect(await inspectionItems(form)).toEqual([{ id: 'belongings', label: '个人物品' }, { id: 'walls', label: 'walls' }])
  })
  it('passes a refusal on', async () => {
    const e = Object.assign(new Error('no'), { status: 409, reason: 'rooms.no_inspection_checklist' })
    await expect(inspectionItems(async () => { throw e })).rejects.toBe(e)
  })
  it('computes the deadline from a duration or an ISO time', () => {
    expect(deadlineAt('2026-12-05T08:00:00+08:00', '3d').toISOString()).toBe('2026-12-08T00:00:00.000Z')
    expect(deadlineAt('2026-12-05T08:00:00+08:00', '2026-12-06T00:00:00Z').toISOString()).toBe('2026-12-06T00:00:00.000Z')
    expect(deadlineAt('2026-12-05T08:00:00+08:00', 'soon')).toBe(null)
    expect(deadlineAt('x', '')).toBe(null)
  })
  it('offers only the lockers nobody holds (一人一柜)', () => {
    const room = { lockers: [{ id: 1, label: '1', person_id: 7 }, { id: 2, label: '2', person_id: null }, { id: 3, label: '3' }] }
    expect(freeLockers(room).map((l) => l.label)).toEqual(['2', '3'])
    expect(freeLockers({})).toEqual([])
    expect(freeLockers(null)).toEqual([])
  })
  it('saves the rota days with a person picked, leaving out the others', () => {
    const rows = [{ date: '2026-12-07', person_id: 5, person_name: '甲', stored: false }, { date: '2026-12-08', person_id: null }, { date: '2026-12-09', person_id: 6 }]
    expect(rotaDays(rows)).toEqual([{ date: '2026-12-07', person_id: 5 }, { date: '2026-12-09', person_id: 6 }])
    expect(rotaDays(undefined)).toEqual([])
  })
})
