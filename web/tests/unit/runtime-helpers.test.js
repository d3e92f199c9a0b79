import { describe, expect, it } from 'vitest'
import { answersPayload, emptyAnswers, groupDuties, isAbnormal, itemOfField, validateAnswers } from '../../src/lib/duties.js'
import { canDecide, canRecord, homeSite, isMonth, monthOf, shiftMonth, statementTotals, yuanText } from '../../src/lib/ledger.js'
import { citedClauses, emptyInputs, myStep, typedInputs } from '../../src/lib/requests.js'
import { countdown, countdownText, wallTime } from '../../src/lib/reminders.js'
import { ApiError, errorFromResponse } from '../../src/api/client.js'

const ITEMS = [
  { id: 'status', label: '运行状态', kind: 'pass_flag_fail', required: true },
  { id: 'note', label: '说明', kind: 'text', required: false },
  { id: 'temp', label: '温度', kind: 'number', required: true, min: 5, max: 35, limit: { min: -40, max: 60 }, unit: '℃' },
  { id: 'ok', label: '已检查', kind: 'check', required: true },
  { id: 'sign', label: '签名确认', kind: 'signature', required: true },
]

describe('duty form validation', () => {
  it('an empty form fails on every required item and not on optional ones', () => {
    const e = validateAnswers(ITEMS, emptyAnswers(ITEMS))
    expect(Object.keys(e).sort()).toEqual(['ok', 'sign', 'status', 'temp'])
    expect(e.status.key).toBe('duty.validation.choose')
    expect(e.sign.key).toBe('duty.validation.sign')
    expect(e.temp.key).toBe('validation.required')
  })
  it('numbers are checked against min and max with the unit', () => {
    const base = { status: 'pass', ok: true, sign: true }
    // Outside the normal range is abnormal, not invalid; only the hard limit refuses.
    expect(validateAnswers(ITEMS, { ...base, temp: 4 }).temp).toBeUndefined()
    expect(isAbnormal(ITEMS.find((i) => i.id === 'temp'), 4)).toBe(true)
    expect(isAbnormal(ITEMS.find((i) => i.id === 'temp'), 20)).toBe(false)
    expect(validateAnswers(ITEMS, { ...base, temp: -41 }).temp).toEqual({ key: 'duty.validation.min', params: { min: -40, unit: '℃' } })
    expect(validateAnswers(ITEMS, { ...base, temp: 61 }).temp).toEqual({ key: 'duty.validation.max', params: { max: 60, unit: '℃' } })
    expect(validateAnswers(ITEMS, { ...base, temp: 5 })).toEqual({})
    expect(validateAnswers(ITEMS, { ...base, temp: 35 })).toEqual({})
  })
  it('pass_flag_fail accepts only pass, flag, fail', () => {
    expect(validateAnswers(ITEMS, { status: 'ok', temp: 20, ok: true, sign: true }).status).toBeTruthy()
    for (const v of ['pass', 'flag', 'fail']) expect(validateAnswers(ITEMS, { status: v, temp: 20, ok: true, sign: true })).toEqual({})
  })
  it('text longer than 4000 bytes is refused (UTF-8 bytes, not characters)', () => {
    const ok = { status: 'pass', temp: 20, ok: true, sign: true }
    expect(validateAnswers(ITEMS, { ...ok, note: '巡'.repeat(1333) })).toEqual({})
    expect(validateAnswers(ITEMS, { ...ok, note: '巡'.repeat(1334) }).note.key).toBe('duty.validation.tooLong')
  })
  it('the payload leaves out empty optional items and sends numbers as numbers', () => {
    expect(answersPayload(ITEMS, { status: 'flag', note: '  ', temp: '21.5', ok: true, sign: true })).toEqual({ status: 'flag', temp: 21.5, ok: true, sign: true })
    expect(answersPayload(ITEMS, { status: 'pass', note: ' 正常 ', temp: 20, ok: true, sign: true }).note).toBe('正常')
  })
  it('a server field answers.x names the form item x', () => {
    expect(itemOfField('answers.status')).toBe('status')
    expect(itemOfField('code')).toBeNull()
    expect(itemOfField(null)).toBeNull()
  })
})

describe('duty board groups and countdown', () => {
  const now = Date.parse('2026-12-07T10:07:00+08:00')
  const d = (id, state, due, end) => ({ id, state, due_at: `2026-12-07T${due}:00+08:00`, window_end: `2026-12-07T${end}:00+08:00` })
  it('open duties inside their window are due now, past it overdue; scheduled upcoming; closed recent, newest first', () => {
    const g = groupDuties([d(1, 'done', '09:45', '10:00'), d(2, 'due', '10:00', '10:15'), d(3, 'scheduled', '10:15', '10:30'), d(4, 'due', '09:45', '10:00'), d(5, 'missed', '09:30', '09:45')], now)
    expect(g.now.map((x) => x.id)).toEqual([2])
    expect(g.overdue.map((x) => x.id)).toEqual([4])
    expect(g.upcoming.map((x) => x.id)).toEqual([3])
    expect(g.recent.map((x) => x.id)).toEqual([1, 5])
  })
  it('counts down to the window end', () => {
    expect(countdownText(countdown('2026-12-07T10:15:00+08:00', now))).toBe('00:08:00')
    expect(countdown('2026-12-07T10:00:00+08:00', now).overdue).toBe(true)
    expect(wallTime('2026-12-07T02:07:00Z')).toBe('2026-12-07 10:07:00')
  })
})

describe('ledger helpers', () => {
  it('statement totals skip overturned violations, group by code and add fen exactly', () => {
    const v = [
      { code: 'R18-WASTE', state: 'recorded', fine_yuan: 0, consequence: { warning: true } },
      { code: 'R18-WASTE', state: 'upheld', fine_yuan: 50.1, consequence: {} },
      { code: 'R18-WASTE', state: 'recorded', fine_yuan: 0.2, consequence: {} },
      { code: 'R04-VIOLATION', state: 'recorded', fine_yuan: 0, consequence: { fine_param: 'r04_fine' } },
      { code: 'R12-PATROL-MISSED', state: 'overturned', fine_yuan: 100, consequence: {} },
    ]
    const t = statementTotals(v)
    expect(t.count).toBe(4)
    expect(t.warnings).toBe(1)
    expect(t.fineYuan).toBe(50.3)
    expect(t.unpriced).toBe(1)
    expect(t.rows.map((r) => [r.code, r.count, r.fineYuan])).toEqual([
      ['R04-VIOLATION', 1, 0],
      ['R18-WASTE', 3, 50.3],
    ])
    expect(statementTotals([])).toMatchObject({ count: 0, fineYuan: 0, rows: [] })
  })
  it('months in Beijing time and their neighbours', () => {
    expect(monthOf(new Date('2026-11-30T16:30:00Z'))).toBe('2026-12')
    expect(shiftMonth('2026-12', 1)).toBe('2027-01')
    expect(shiftMonth('2027-01', -1)).toBe('2026-12')
    expect(isMonth('2026-13')).toBe(false)
    expect(isMonth('2026-02')).toBe(true)
    expect(yuanText(50)).toBe('50')
    expect(yuanText(12.5)).toBe('12.50')
  })
  it('who may record and decide, and the home site', () => {
    // Permissions as /api/v1/me gives them (the pack's, not the role names').
    const op = { roles: [{ role: '中控员', scope_kind: 'site', scope_id: 3 }], permissions: ['org.read', 'visits.manage'] }
    const chief = { roles: [{ role: '秩序维护主管', scope_kind: 'site', scope_id: 3 }], permissions: ['ledger.record', 'ledger.read'] }
    const head = { roles: [{ role: '部长', scope_kind: 'site', scope_id: 3 }], permissions: ['ledger.record', 'ledger.decide'] }
    expect([canRecord(op), canRecord(chief), canRecord(head)]).toEqual([false, true, true])
    expect([canDecide(op), canDecide(chief), canDecide(head)]).toEqual([false, false, true])
    expect(homeSite(op)).toBe(3)
    expect(homeSite({ roles: [{ role: 'admin', scope_kind: 'global', scope_id: 0 }] })).toBeNull()
  })
})

describe('request helpers', () => {
  const type = { id: 'r16-footage-view', inputs: { 'applicant.company_staff': 'bool', 'request.copy': 'bool', hours: 'number', places: 'list', what: 'string' } }
  it('typed inputs follow the schema and missing text/numbers are errors', () => {
    const { inputs, errors } = typedInputs(type, { ...emptyInputs(type), 'request.copy': true, places: '一号门, 二号门，' })
    expect(inputs).toEqual({ 'applicant.company_staff': false, 'request.copy': true, places: ['一号门', '二号门'] })
    expect(errors).toEqual({ hours: 'validation.required', what: 'validation.required' })
    expect(typedInputs(type, { hours: '2', what: ' x ' }).inputs).toMatchObject({ hours: 2, what: 'x' })
  })
  it('my step is the first open one I may decide', () => {
    expect(myStep({ steps: [{ id: 'a', state: 'approved' }, { id: 'b', state: 'open', you_may_decide: false }, { id: 'c', state: 'open', you_may_decide: true }] }).id).toBe('c')
    expect(myStep({ steps: [] })).toBeNull()
  })
  it('a refusal keeps the clauses it cites', () => {
    const e = errorFromResponse(403, { error: { code: 'permission_denied', message: '禁止事项', clause: 'R16 §一6', clauses: ['R16 §一6', 'R16 §二11'] } })
    expect(e).toBeInstanceOf(ApiError)
    expect(citedClauses(e)).toEqual(['R16 §一6', 'R16 §二11'])
    expect(citedClauses(errorFromResponse(409, { error: { code: 'failed_precondition', clause: 'R16 §一7' } }))).toEqual(['R16 §一7'])
    expect(citedClauses(errorFromResponse(400, { error: { code: 'invalid_argument' } }))).toEqual([])
  })
})
