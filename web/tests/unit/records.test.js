import { describe, expect, it } from 'vitest'
import {
  entryTypes,
  footagePayload,
  lookback,
  mayComplete,
  namedEscort,
  placeOf,
  registrableRequests,
  repairActionPayload,
  retentionOver,
  stateTitle,
  testDuties,
  testStatus,
  transitionLabel,
  viewRequests,
  visitNext,
  visitPayload,
} from '../../src/lib/records.js'

const TYPES = [
  { id: 'r12-control-room-entry', title: '非中控操作人员进入中控室', subject: '进入中控室', inputs: {}, entry_places: [{ place: '中控室', register: true, escort: true }] },
  { id: 'r16-outsider-entry', title: '外单位人员进入中控室', subject: '进入中控室', inputs: {}, entry_places: [{ place: '厂区中控室' }] },
  { id: 'r16-footage-view', title: '查看中控室录像', subject: '查看录像', inputs: { 'request.copy': 'bool' }, entry_places: [] },
  { id: 'r20-internal-phone', title: '使用内线电话', subject: '使用内线电话', inputs: {}, entry_places: [] },
]

describe('visits', () => {
  it('knows the entry request types and their place', () => {
    expect([...entryTypes(TYPES).keys()]).toEqual(['r12-control-room-entry', 'r16-outsider-entry'])
    expect(placeOf({ type: 'r16-outsider-entry' }, TYPES)).toBe('厂区中控室')
    expect(placeOf({ type: 'r16-footage-view' }, TYPES)).toBe('')
    expect(entryTypes(undefined).size).toBe(0)
  })

  it('offers approved and pending entry requests not yet registered, approved first', () => {
    const reqs = [
      { id: 1, type: 'r12-control-room-entry', state: 'approved' },
      { id: 2, type: 'r12-control-room-entry', state: 'pending' },
      { id: 3, type: 'r12-control-room-entry', state: 'rejected' },
      { id: 4, type: 'r16-footage-view', state: 'approved' },
      { id: 5, type: 'r16-outsider-entry', state: 'approved' },
      { id: 6, type: 'r12-control-room-entry', state: 'withdrawn' },
    ]
    expect(registrableRequests(reqs, TYPES, [{ request_id: 1 }]).map((r) => r.id)).toEqual([5, 2])
    expect(registrableRequests(reqs, TYPES, []).map((r) => r.id)).toEqual([5, 1, 2])
  })

  it('names the escort from the last decision naming one', () => {
    expect(namedEscort({ decisions: [{ escort_person_id: null }, { escort_person_id: 7 }] })).toBe(7)
    expect(namedEscort({ decisions: [{}] })).toBeNull()
    expect(namedEscort(null)).toBeNull()
  })

  it('validates the registration before sending and builds the body', () => {
    const req = { id: 9, site_id: 2, type: 'r12-control-room-entry', decisions: [{ escort_person_id: 4 }] }
    let r = visitPayload({ name: ' ', visitor_signed: false }, null, TYPES)
    expect(r.errors).toEqual({ request_id: 'validation.required', name: 'validation.required', visitor_signed: 'visitors.signRequired' })
    r = visitPayload({ name: 'x'.repeat(101), visitor_signed: true }, req, TYPES)
    expect(r.errors).toEqual({ name: 'visitors.nameTooLong' })
    r = visitPayload({ name: ' 周来宾 ', company: '外协公司', reason: '', escort_person_id: 5, visitor_signed: true }, req, TYPES)
    expect(r.errors).toEqual({})
    // The approver named the escort: the form's pick is not sent (the server would refuse another).
    expect(r.body).toEqual({ site_id: 2, place: '中控室', request_id: 9, name: '周来宾', company: '外协公司', visitor_signed: true })
    r = visitPayload({ name: '周来宾', escort_person_id: 5, visitor_signed: true }, { ...req, decisions: [] }, TYPES)
    expect(r.body.escort_person_id).toBe(5)
  })

  it('offers entry, then exit, then nothing', () => {
    expect(visitNext({ state: 'registered' })).toBe('entry')
    expect(visitNext({ state: 'entered' })).toBe('exit')
    expect(visitNext({ state: 'exited' })).toBeNull()
  })
})

describe('footage', () => {
  it('says whether the retention is over', () => {
    expect(retentionOver({ keep_until: '2027-01-01T10:01:00+08:00' }, Date.parse('2027-01-01T02:00:59Z'))).toBe(false)
    expect(retentionOver({ keep_until: '2027-01-01T10:01:00+08:00' }, Date.parse('2027-01-01T02:01:00Z'))).toBe(true)
    expect(retentionOver({ keep_until: null })).toBe(true)
  })

  it('lists approved requests, footage ones first', () => {
    const reqs = [
      { id: 1, type: 'r20-internal-phone', state: 'approved' },
      { id: 2, type: 'r16-footage-view', state: 'approved' },
      { id: 3, type: 'r16-footage-view', state: 'pending' },
    ]
    expect(viewRequests(reqs, TYPES).map((r) => r.id)).toEqual([2, 1])
  })

  it('checks a segment before registering it', () => {
    const iso = (d) => d.toISOString()
    let r = footagePayload({ camera: '', storage_ref: 'nvr1', starts_at: null, ends_at: null }, iso)
    expect(r.errors).toEqual({ camera: 'validation.required', starts_at: 'validation.required', ends_at: 'validation.required' })
    r = footagePayload({ site_id: 1, camera: 'C1', storage_ref: 'nvr1', starts_at: new Date('2026-12-01T02:00:00Z'), ends_at: new Date('2026-12-01T01:00:00Z') }, iso)
    expect(r.errors).toEqual({ ends_at: 'footage.endAfterStart' })
    r = footagePayload({ site_id: 1, camera: ' C1 ', storage_ref: 'nvr1', tape: 'T-7', starts_at: new Date('2026-12-01T01:00:00Z'), ends_at: new Date('2026-12-01T02:00:00Z') }, iso)
    expect(r.errors).toEqual({})
    expect(r.body).toEqual({ site_id: 1, camera: 'C1', storage_ref: 'nvr1', tape: 'T-7', starts_at: '2026-12-01T01:00:00.000Z', ends_at: '2026-12-01T02:00:00.000Z' })
  })
})

describe('equipment tests', () => {
  const report = [
    { duty: 'r20-pump-monthly', form_kind: 'test', period: 'month' },
    { duty: 'r12-video-patrol', form_kind: 'form', period: null },
    { duty: 'r20-semiannual', form_kind: 'test', period: 'half_year' },
    { duty: 'r20-smoke-floor-rotation', form_kind: 'test', period: 'day' },
    { duty: 'r20-anti-theft-weekly-test', form_kind: 'test', period: 'week' },
    { duty: 'r20-daily-device-test', form_kind: 'test', period: 'day' },
  ]
  it('picks the test duties, shortest period first', () => {
    expect(testDuties(report).map((d) => d.duty)).toEqual(['r20-daily-device-test', 'r20-smoke-floor-rotation', 'r20-anti-theft-weekly-test', 'r20-pump-monthly', 'r20-semiannual'])
    expect(lookback('month')).toBeGreaterThan(31 * 86400000)
    expect(lookback('half_year')).toBeGreaterThan(183 * 86400000)
    expect(lookback('unknown')).toBe(3 * 86400000)
  })

  it('tells open, overdue and closed instances apart', () => {
    const now = Date.parse('2026-12-01T04:00:00Z')
    const inst = { state: 'due', window_end: '2026-12-01T16:00:00Z', miss_at: '2026-12-01T16:00:00Z' }
    expect(testStatus(inst, now)).toBe('open')
    expect(mayComplete(inst, now)).toBe(true)
    const overdue = { state: 'in_progress', window_end: '2026-12-01T03:00:00Z', miss_at: '2026-12-01T05:00:00Z' }
    expect(testStatus(overdue, now)).toBe('overdue')
    expect(mayComplete(overdue, now)).toBe(true)
    expect(mayComplete({ ...overdue, miss_at: '2026-12-01T04:00:00Z' }, now)).toBe(false)
    expect(testStatus({ state: 'missed' }, now)).toBe('missed')
    expect(mayComplete({ state: 'done', miss_at: '2026-12-02T00:00:00Z' }, now)).toBe(false)
    expect(testStatus(null)).toBe('none')
  })
})

describe('repairs and procedures', () => {
  it('asks a reason for cancel and reopen, a role or person for assign', () => {
    expect(repairActionPayload('cancel', { note: ' ' }).errors).toEqual({ note: 'validation.required' })
    expect(repairActionPayload('reopen', { note: '仍漏水' })).toEqual({ errors: {}, body: { action: 'reopen', note: '仍漏水' } })
    expect(repairActionPayload('assign', {}).errors).toEqual({ role: 'repairs.assignWho' })
    expect(repairActionPayload('assign', { role: ' 工程部 ', person_id: 3 }).body).toEqual({ action: 'assign', role: '工程部', person_id: 3 })
    expect(repairActionPayload('fix', {})).toEqual({ errors: {}, body: { action: 'fix' } })
  })

  it('labels a transition by the title of the state it leads to', () => {
    expect(transitionLabel({ event: 'false_alarm', to: 'false-alarm', to_title: '误报' })).toBe('误报')
    expect(transitionLabel({ event: 'false_alarm', to: 'false-alarm' })).toBe('false-alarm')
    expect(stateTitle({ state_titles: { alarm: '报警' } }, 'alarm')).toBe('报警')
    expect(stateTitle({}, 'fire')).toBe('fire')
  })
})
