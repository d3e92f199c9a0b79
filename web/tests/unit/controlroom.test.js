import { describe, expect, it } from 'vitest'
import { alarmBadge, assignmentsByDay, dayRange, leavesByDay, elapsedText, guardInputs, handoverNext, localDay, monthGrid, needsAck, shelveUntil, taskStart } from '../../src/lib/controlroom.js'
import { errorFromResponse } from '../../src/api/client.js'
import { topicsFor, isNotable, screenFor } from '../../src/lib/live.js'

describe('step timers', () => {
  it('count from the start to now, with days past 24 h, and stop at a done time', () => {
    const start = '2026-12-07T08:00:00+08:00'
    expect(elapsedText(start, Date.parse('2026-12-07T08:00:07+08:00'))).toBe('00:00:07')
    expect(elapsedText(start, Date.parse('2026-12-07T09:02:03+08:00'))).toBe('01:02:03')
    expect(elapsedText(start, Date.parse('2026-12-08T09:00:00+08:00'), '天')).toBe('1天 01:00:00')
    expect(elapsedText(start, '2026-12-07T08:05:00+08:00')).toBe('00:05:00') // a done step keeps its time
    expect(elapsedText(start, Date.parse('2026-12-07T07:59:00+08:00'))).toBe('00:00:00') // a clock behind never goes negative
    expect(elapsedText('not a time')).toBe('')
  })
  it('a task counts from the last entry into its state at or before it was done', () => {
    const history = [
      { to: 'alarm', at: '2026-12-07T08:00:00+08:00' },
      { to: 'fire', at: '2026-12-07T08:03:00+08:00' },
      { to: 'alarm', at: '2026-12-07T08:10:00+08:00' },
    ]
    expect(taskStart({ state: 'fire' }, history)).toBe('2026-12-07T08:03:00+08:00')
    expect(taskStart({ state: 'alarm' }, history)).toBe('2026-12-07T08:10:00+08:00')
    expect(taskStart({ state: 'alarm', done_at: '2026-12-07T08:02:00+08:00' }, history)).toBe('2026-12-07T08:00:00+08:00')
    expect(taskStart({ state: 'closed' }, history)).toBe(null)
  })
  it("a guard's inputs are its dotted names, once each", () => {
    expect(guardInputs('alarm.confirmed_on_site')).toEqual(['alarm.confirmed_on_site'])
    expect(guardInputs('not request.work_related and (request.work_related or x.y)')).toEqual(['request.work_related', 'x.y'])
    expect(guardInputs(null)).toEqual([])
  })
})

describe('the roster calendar', () => {
  it('lays a month out in Monday-first weeks', () => {
    const dec = monthGrid('2026-12') // 1 December 2026 is a Tuesday
    expect(dec).toHaveLength(5)
    expect(dec[0]).toEqual([null, '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06'])
    expect(dec[4]).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', null, null, null])
    const feb = monthGrid('2027-02') // Monday the 1st, 28 days: exactly four weeks
    expect(feb).toHaveLength(4)
    expect(feb[0][0]).toBe('2027-02-01')
    expect(feb.flat().filter(Boolean)).toHaveLength(28)
    expect(monthGrid('2028-02').flat().filter(Boolean)).toHaveLength(29)
    expect(monthGrid('2026-13')).toEqual([])
  })
  it('puts active shifts on the Beijing day they start, a night shift on its first day', () => {
    const a = [
      { id: 1, person_id: 2, state: 'active', starts_at: '2026-12-01T16:00:00Z' }, // 12-02 00:00 Beijing
      { id: 2, person_id: 1, state: 'active', starts_at: '2026-12-01T09:00:00Z' }, // 12-01 17:00
      { id: 3, person_id: 3, state: 'leave', starts_at: '2026-12-01T09:00:00Z' },
      { id: 4, person_id: 4, state: 'active', starts_at: '2026-12-01T00:00:00Z' }, // 12-01 08:00
    ]
    const by = assignmentsByDay(a)
    expect(Object.keys(by).sort()).toEqual(['2026-12-01', '2026-12-02'])
    expect(by['2026-12-01'].map((x) => x.id)).toEqual([4, 2])
    expect(by['2026-12-02'].map((x) => x.id)).toEqual([1])
    expect(localDay('2026-12-31T16:30:00Z')).toBe('2027-01-01')
    expect(dayRange('2026-12-31')).toEqual({ from: '2026-12-31T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' })
    expect(dayRange('x')).toBe(null)
  })
  it('lists who is on 请假 by the day their shift starts, and only them', () => {
    const a = [
      { id: 1, person_id: 2, state: 'leave', starts_at: '2026-12-01T16:00:00Z' }, // 12-02 00:00 Beijing
      { id: 2, person_id: 1, state: 'active', starts_at: '2026-12-01T09:00:00Z' },
      { id: 3, person_id: 3, state: 'substituted', starts_at: '2026-12-01T09:00:00Z' },
    ]
    const by = leavesByDay(a)
    expect(Object.keys(by)).toEqual(['2026-12-02'])
    expect(by['2026-12-02'].map((x) => [x.id, x.person_id])).toEqual([[1, 2]])
    expect(leavesByDay(undefined)).toEqual({})
  })
})

describe('alarms', () => {
  it('a shelve expiry must be readable and in the future; it is sent with +08:00', () => {
    const now = Date.parse('2026-12-07T08:00:00+08:00')
    expect(shelveUntil('2026-12-07 09:30', now)).toEqual({ iso: '2026-12-07T09:30:00+08:00' })
    expect(shelveUntil('2026-12-07 08:00', now)).toEqual({ error: 'alarms.untilPast' })
    expect(shelveUntil('2026-12-32 08:00', now)).toEqual({ error: 'alarms.untilInvalid' })
    expect(shelveUntil('', now)).toEqual({ error: 'alarms.untilInvalid' })
  })
  it('unacknowledged states need an acknowledgement and stand out', () => {
    expect(needsAck({ state: 'active_unack' })).toBe(true)
    expect(needsAck({ state: 'rtn_unack' })).toBe(true)
    expect(needsAck({ state: 'active_ack' })).toBe(false)
    expect(alarmBadge('active_unack')).toBe('badge-expired')
    expect(alarmBadge('other')).toBe('badge-none')
  })
  it('alarm, handover, duty-log, roster and procedure events refresh their screens', () => {
    expect(topicsFor({ kind: 'alarm.activated' })).toEqual(['alarms', 'dutylog'])
    expect(topicsFor({ kind: 'handover.completed' })).toEqual(['handovers', 'posts'])
    expect(topicsFor({ kind: 'procedure.transition' })).toEqual(['procedures'])
    expect(isNotable({ kind: 'handover.refused' })).toBe(true)
    expect(isNotable({ kind: 'handover.opened' })).toBe(false)
    expect(screenFor('handover.refused')).toBe('handover')
  })
})

describe('handover', () => {
  const base = { outgoing_person_id: 1, incoming_person_id: 2, state: 'open', answers: {}, signed_by: [], unacknowledged: ['log/3'] }
  it('says whose part it is and what comes next', () => {
    expect(handoverNext(base, 1)).toEqual({ part: 'outgoing', next: 'answer' })
    expect(handoverNext(base, 9).part).toBe(null)
    const answered = { ...base, answers: { precheck: true } }
    expect(handoverNext(answered, 2)).toEqual({ part: 'incoming', next: 'sign:outgoing' })
    expect(handoverNext({ ...answered, signed_by: ['outgoing'] }, 2).next).toBe('acknowledge')
    expect(handoverNext({ ...answered, signed_by: ['outgoing'], unacknowledged: [] }, 2).next).toBe('sign:incoming')
    expect(handoverNext({ ...base, state: 'completed' }, 2).next).toBe('done')
    expect(handoverNext({ ...base, state: 'refused' }, 2).next).toBe('refused')
  })
  it("a refused roster publication keeps the server's problems with their clauses", () => {
    const e = errorFromResponse(409, { error: { code: 'conflict', message: 'roster 3 breaks 2 staffing rules', field: '', problems: [{ kind: 'uncertified', clauses: ['R20 §四5'], message: 'x' }, 'junk'] } })
    expect(e.problems).toEqual([{ kind: 'uncertified', clauses: ['R20 §四5'], message: 'x' }])
    expect(errorFromResponse(409, { error: { code: 'conflict' } }).problems).toEqual([])
  })
})

describe('print views', () => {
  it("show times in the site's time zone as zh-CN wall clock, whatever offset the server wrote", async () => {
    const { siteTime } = await import('../../src/lib/reminders.js')
    // The 交接班记录's signature stored in UTC (issue 17: printed as 2027-01-05T15:50:00Z).
    expect(siteTime('2027-01-05T15:50:00Z', 'Asia/Shanghai')).toBe('2027-01-05 23:50')
    expect(siteTime('2027-01-05T23:50:00+08:00', 'Asia/Shanghai')).toBe('2027-01-05 23:50')
    // Another site's zone: its own wall clock, the day turning over where it does.
    expect(siteTime('2027-01-05T15:50:00Z', 'Asia/Tokyo')).toBe('2027-01-06 00:50')
    expect(siteTime('2027-01-05T15:50:00Z', 'Asia/Urumqi')).toBe('2027-01-05 21:50')
    // No known zone: +08:00, never the raw UTC text.
    expect(siteTime('2027-01-05T15:50:00Z')).toBe('2027-01-05 23:50')
    expect(siteTime('2027-01-05T15:50:00Z', 'Nowhere/Else')).toBe('2027-01-05 23:50')
    expect(siteTime(null, 'Asia/Shanghai')).toBe('')
  })
})
