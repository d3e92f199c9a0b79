import { describe, expect, it } from 'vitest'
import { applicationFacts, bedOf, dutyOn, fenToYuan, openRectifications, revokes, roomApplications, siteDate, yuanToFen } from '../../src/lib/rooms.js'

describe('rooms office and phone helpers', () => {
  it('takes the date in the site zone, not the browser zone', () => {
    // 2026-12-05 17:30 UTC is already the 6th in Shanghai.
    expect(siteDate(new Date('2026-12-05T17:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-06')
    expect(siteDate(new Date('2026-12-05T17:30:00Z'), 'UTC')).toBe('2026-12-05')
  })
  it('finds the duty of a day and the bed of a person', () => {
    const rota = [{ date: '2026-12-05', person_name: '甲' }, { date: '2026-12-06', person_name: '乙' }]
    expect(dutyOn(rota, '2026-12-06').person_name).toBe('乙')
    expect(dutyOn(rota, '2026-12-07')).toBe(null)
    const rooms = [{ id: 1, beds: [{ id: 10, person_id: 5 }] }, { id: 2, beds: [{ id: 20, person_id: 7 }, { id: 21, person_id: null }] }]
    expect(bedOf(rooms, 7)).toEqual({ room: rooms[1], bed: rooms[1].beds[0] })
    expect(bedOf(rooms, 8)).toBe(null)
    expect(bedOf(rooms, null)).toBe(null)
  })
  it('reads yuan as whole fen and refuses what is not an amount', () => {
    expect(yuanToFen('120')).toBe(12000)
    expect(yuanToFen('120.5')).toBe(12050)
    expect(yuanToFen(' 0.05 ')).toBe(5)
    for (const bad of ['', '0', '-3', '1.234', '1e3', 'abc', null, '1,5']) expect(yuanToFen(bad)).toBe(null)
    expect(fenToYuan(12050)).toBe('120.50')
  })
  it('picks the room applications and their facts, revocations and open rectifications', () => {
    const types = [{ id: 'r04-rest-room' }]
    const reqs = [{ id: 1, type: 'r04-rest-room', inputs: { 'applicant.married': false, other: 1 } }, { id: 2, type: 'r02-leave' }]
    expect(roomApplications(reqs, types).map((r) => r.id)).toEqual([1])
    expect(applicationFacts(reqs[0])).toEqual([{ name: 'applicant.married', value: false }])
    expect(revokes({ consequence: { revoke: ['rest_room_eligibility'] }, state: 'recorded' })).toBe(true)
    expect(revokes({ consequence: { revoke: ['x'] }, state: 'overturned' })).toBe(false)
    expect(revokes({ consequence: {} })).toBe(false)
    expect(openRectifications([{ id: 1, open: false }, { id: 2, open: true }, { id: 3, open: true }]).map((i) => i.id)).toEqual([3, 2])
  })
})
