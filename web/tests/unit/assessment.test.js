import { describe, expect, it } from 'vitest'
import { fenToYuan, isMonth, readableFormula, leaveProblem, leaveTypes, managerIndicators, monthOf, parseScale, paySlip, reopenType, scaleOf, scoreProblem, yuanToFen } from '../../src/lib/assessment.js'

describe('the site month', () => {
  it('is the month in Shanghai, not in UTC', () => {
    expect(monthOf(new Date('2026-11-30T16:30:00Z'))).toBe('2026-12')
    expect(monthOf(new Date('2026-11-30T15:59:00Z'))).toBe('2026-11')
    expect(monthOf(new Date('2026-11-30T16:30:00Z'), 0)).toBe('2026-11')
  })
  it('accepts YYYY-MM only', () => {
    expect(isMonth('2027-01')).toBe(true)
    expect(['2027-13', '2027-1', '2027-00', '', null].map(isMonth)).toEqual([false, false, false, false, false])
  })
})

describe('the manager scale', () => {
  it('reads MIN,MAX and refuses anything else', () => {
    expect(parseScale('0,100')).toEqual({ min: 0, max: 100 })
    expect(parseScale(' -5 , 5 ')).toEqual({ min: -5, max: 5 })
    expect([parseScale(undefined), parseScale('100,0'), parseScale('0'), parseScale('a,b'), parseScale('0,')]).toEqual([null, null, null, null, null])
    expect(scaleOf([{ name: 'other', value: '1,2' }, { name: 'assessment_manager_scale', value: '60,100' }])).toEqual({ min: 60, max: 100 })
    expect(scaleOf([])).toBeNull()
  })
  it('says why a score cannot be sent', () => {
    const scale = { min: 0, max: 100 }
    expect(scoreProblem(80, scale)).toBeNull()
    expect(scoreProblem('100', scale)).toBeNull()
    expect(scoreProblem(101, scale)).toBe('assessment.scoreOutOfScale')
    expect(scoreProblem(-1, scale)).toBe('assessment.scoreOutOfScale')
    expect(scoreProblem('', scale)).toBe('assessment.scoreNumber')
    expect(scoreProblem('abc', scale)).toBe('assessment.scoreNumber')
    expect(scoreProblem(50, null)).toBe('assessment.scaleUnset')
  })
})

describe('yuan and fen', () => {
  it('turns typed yuan into whole fen, refusing what the server would', () => {
    expect(yuanToFen('5000')).toBe(500000)
    expect(yuanToFen('12.5')).toBe(1250)
    expect(yuanToFen('0.07')).toBe(7)
    expect(yuanToFen(' 3.10 ')).toBe(310)
    expect(['', '-1', '1e3', '1.234', '1,000', 'abc', '.5'].map(yuanToFen)).toEqual([null, null, null, null, null, null, null])
  })
  it('shows fen as yuan with two decimals', () => {
    expect(fenToYuan(500000)).toBe('5000.00')
    expect(fenToYuan(7)).toBe('0.07')
    expect(fenToYuan(-1250)).toBe('-12.50')
    expect(fenToYuan(null)).toBe('')
  })
})

describe('the pay slip', () => {
  const pay = { pay_formula: 'base_pay + performance_pay * score', inputs: ['base_pay', 'performance_pay'] }
  it('lists the inputs in the scheme order with the formula and its result', () => {
    const slip = paySlip(pay, { person_id: 3, score: 0.9, inputs_fen: { performance_pay: 100000, base_pay: 300000 }, pay_fen: 390000, note: '' }, true)
    expect(slip.inputs).toEqual([{ name: 'base_pay', fen: 300000 }, { name: 'performance_pay', fen: 100000 }])
    expect([slip.score, slip.payFen, slip.formula, slip.closed, slip.missing]).toEqual([0.9, 390000, 'base_pay + performance_pay * score', true, []])
  })
  it('names the inputs not entered and keeps the server note', () => {
    const slip = paySlip(pay, { person_id: 3, score: 0.9, inputs_fen: { base_pay: 300000 }, pay_fen: null, note: '未录入 performance_pay：不计算' }, false)
    expect(slip.missing).toEqual(['performance_pay'])
    expect(slip.payFen).toBeNull()
    expect(slip.closed).toBe(false)
    expect(slip.note).toContain('未录入')
  })
  it('has nothing to compute without a line', () => {
    const slip = paySlip(pay, undefined, false)
    expect(slip.missing).toEqual(['base_pay', 'performance_pay'])
    expect(slip.score).toBeNull()
  })
})

describe('leave', () => {
  it('needs two dates, the last not before the first', () => {
    expect(leaveProblem('2026-12-08', '2026-12-08')).toBeNull()
    expect(leaveProblem('2026-12-08', '2026-12-10')).toBeNull()
    expect(leaveProblem('2026-12-09', '2026-12-08')).toBe('leave.endBeforeStart')
    expect(leaveProblem('', '2026-12-08')).toBe('leave.datesRequired')
    expect(leaveProblem('2026-02-30', '2026-03-01')).toBe('leave.datesRequired')
  })
  it('finds the leave types by the inputs that link them to the roster, not their name', () => {
    const types = [{ id: 'r16-footage-view', inputs: {} }, { id: 'my-leave', inputs: { 'roster_leave.from': 'string', 'roster_leave.to': 'string' } }, { id: 'half', inputs: { 'roster_leave.from': 'string' } }, { id: 'r11-month-reopen', inputs: { 'month_close.id': 'number' } }]
    expect(leaveTypes(types).map((t) => t.id)).toEqual(['my-leave'])
    expect(reopenType(types, { reopen: 'r11-month-reopen' }).id).toBe('r11-month-reopen')
    expect(reopenType(types, { reopen: null })).toBeNull()
  })
  it('picks the manager-scored indicators', () => {
    expect(managerIndicators({ indicators: [{ id: 'a', source: 'roster' }, { id: 'm', source: 'manager' }] }).map((i) => i.id)).toEqual(['m'])
  })
})

describe('a formula as people read it', () => {
  it('names indicators, weights, inputs and the score, never an id', () => {
    expect(readableFormula('-(w.late_count * late_count)', { late_count: '迟到次数' })).toBe('-(权重(迟到次数) * 迟到次数)')
    const pay = readableFormula('base_pay + performance_pay * score', { base_pay: '基本工资', performance_pay: '绩效工资基数', score: '考核得分' })
    expect(pay).toBe('基本工资 + 绩效工资基数 * 考核得分')
    expect(readableFormula('w.business * business\n  + w.satisfaction * satisfaction', { business: '经营业绩指标', satisfaction: '客户满意度' })).toBe('权重(经营业绩指标) * 经营业绩指标 + 权重(客户满意度) * 客户满意度')
  })
  it('leaves other words alone and copes with nothing to name', () => {
    expect(readableFormula('math.max(0, late)', { late_count: '迟到次数' })).toBe('math.max(0, late)')
    expect(readableFormula('', { a: 'b' })).toBe('')
    expect(readableFormula('x + 1', {})).toBe('x + 1')
  })
})
