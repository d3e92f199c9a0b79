import { describe, expect, it } from 'vitest'
import { kindText, todayFirst } from '../../src/lib/records.js'
import zhCN from '../../src/i18n/locales/zh-CN.js'
import { answerText, proceduresDuring, recordOfTask, recordsDone, shiftChecks, shiftOfHandover, stepLabel } from '../../src/lib/controlroom.js'

const msgs = {
  'procedures.actions.call': '拨打 {what}',
  'procedures.actions.record': '填写{what}',
  'procedures.actions.linkage': '联动设备转为{what}',
  'procedures.what.automatic': '自动',
  'duty.pff.pass': '正常',
  'duty.pff.fail': '异常',
}
const t = (k, p = {}) => (msgs[k] || k).replace(/\{(\w+)\}/g, (_, n) => p[n])
const te = (k) => k in msgs

describe('procedure steps as people read them (issue 17 §7)', () => {
  it('names a record step by the pack title and an action by its verb, never the raw id', () => {
    const rule = (id) => ({ 'r20-alarm-record': '报警处理记录' })[id] || id
    expect(stepLabel({ kind: 'action', task: 'record:r20-alarm-record' }, t, te, rule)).toBe('填写报警处理记录')
    expect(stepLabel({ kind: 'action', task: 'call:119' }, t, te, rule)).toBe('拨打 119')
    expect(stepLabel({ kind: 'action', task: 'linkage:automatic' }, t, te, rule)).toBe('联动设备转为自动')
    expect(stepLabel({ kind: 'assignment', task: '出现场确认', role: '消防控制室值班员' }, t, te)).toBe('出现场确认（消防控制室值班员）')
    expect(stepLabel({ kind: 'action', task: 'odd:thing' }, t, te)).toBe('odd:thing') // an unknown verb: the pack's words
    expect(recordOfTask({ task: 'record:r20-alarm-record' })).toBe('r20-alarm-record')
    expect(recordOfTask({ task: 'call:119' })).toBe(null)
  })
})

describe('the 报警处理记录 of a shift on the 值班记录表 (issue 17 §2)', () => {
  const view = (id, tasks) => ({ id, procedure: 'r20-fire-alarm', subject: '3F', tasks })
  const rec = (id, doneAt, answers) => ({ id, task: 'record:r20-alarm-record', done: !!doneAt, done_at: doneAt, answers })
  it('takes the record steps done in the shift, oldest first, and nothing else', () => {
    const views = [
      view(1, [rec(11, '2027-01-05T09:30:00+08:00', { nature: '误报' }), { id: 12, task: 'call:119', done: true, done_at: '2027-01-05T09:00:00+08:00' }]),
      view(2, [rec(21, '2027-01-05T08:10:00+08:00', { nature: '火警' })]),
      view(3, [rec(31, '2027-01-05T20:00:00+08:00', { nature: '故障' })]), // after the shift
      view(4, [rec(41, null, null)]), // not filled in
    ]
    const rows = recordsDone(views, '2027-01-05T08:00:00+08:00', '2027-01-05T20:00:00+08:00')
    expect(rows.map((r) => [r.procedureId, r.answers.nature])).toEqual([[2, '火警'], [1, '误报']])
  })
  it('reads only the procedures that overlap the shift', () => {
    const list = [
      { id: 1, started_at: '2027-01-05T07:00:00+08:00', open: false, closed_at: '2027-01-05T07:30:00+08:00' },
      { id: 2, started_at: '2027-01-05T07:00:00+08:00', open: false, closed_at: '2027-01-05T08:30:00+08:00' },
      { id: 3, started_at: '2027-01-04T07:00:00+08:00', open: true, closed_at: null },
      { id: 4, started_at: '2027-01-05T21:00:00+08:00', open: true, closed_at: null },
    ]
    expect(proceduresDuring(list, '2027-01-05T08:00:00+08:00', '2027-01-05T20:00:00+08:00').map((x) => x.id)).toEqual([2, 3])
  })
  it('a shift runs from its report’s start until the handover closed', () => {
    const s = shiftOfHandover({ report: { from: '2027-01-05T08:00:00+08:00', to: '2027-01-05T19:50:00+08:00', outgoing_shift: '白班' }, shift_change: '2027-01-05T12:00:00Z', closed_at: '2027-01-05T12:05:00Z' })
    expect([s.from, s.to, s.outgoing]).toEqual(['2027-01-05T08:00:00+08:00', '2027-01-05T12:05:00.000Z', '白班'])
    expect(shiftOfHandover({})).toBe(null)
  })
  it('lists the shift’s checks with the form’s labels', () => {
    const report = { duties: [
      { id: 7, duty: 'r20-monitoring-form', completed_at: '2027-01-05T09:00:00+08:00', completed_person: 3, answers: { 'fire-system': 'pass', linkage: 'fail', signature: true } },
      { id: 8, duty: 'r20-charging', completed_at: null, answers: {} },
    ] }
    const described = [{ id: 7, title: '每班填写消防监控系统运行情况记录表', form: { items: [{ id: 'fire-system', label: '消防监控系统运行情况' }, { id: 'linkage', label: '联动设备运转情况' }, { id: 'signature', label: '值班员签名' }] } }]
    const rows = shiftChecks(report, described, t)
    expect(rows).toHaveLength(1)
    expect(rows[0].title).toBe('每班填写消防监控系统运行情况记录表')
    expect(rows[0].answers).toEqual([{ label: '消防监控系统运行情况', value: '正常' }, { label: '联动设备运转情况', value: '异常' }, { label: '值班员签名', value: '✓' }])
    expect(answerText('', t)).toBe('—')
  })
})

describe('设备测试 today first (issue 17 §8)', () => {
  it('puts the tests with something to do now first, and that instance first in each', () => {
    const now = Date.parse('2027-01-05T10:00:00+08:00')
    const inst = (id, state, due, end, miss = end) => ({ id, state, due_at: due, window_end: end, miss_at: miss })
    const tests = [
      { duty: { duty: 'weekly' }, instances: [inst(1, 'done', '2027-01-04T00:00:00+08:00', '2027-01-11T00:00:00+08:00')] },
      { duty: { duty: 'daily' }, instances: [inst(2, 'scheduled', '2027-01-06T00:00:00+08:00', '2027-01-07T00:00:00+08:00'), inst(3, 'due', '2027-01-05T00:00:00+08:00', '2027-01-06T00:00:00+08:00'), inst(4, 'missed', '2027-01-04T00:00:00+08:00', '2027-01-05T00:00:00+08:00')] },
    ]
    const out = todayFirst(tests, now)
    expect(out.map((x) => x.duty.duty)).toEqual(['daily', 'weekly'])
    expect(out[0].instances.map((i) => i.id)).toEqual([3, 2, 4])
  })
})

describe('journal kinds read as words (issue 17 §7)', () => {
  const get = (k) => k.split('.').reduce((o, x) => o?.[x], zhCN)
  const tt = (k) => get(k)
  const te = (k) => typeof get(k) === 'string'
  it('names a known kind, a kind made at run time by its prefix, and anything else 其他记录', () => {
    expect(kindText('procedure.task_done', tt, te)).toBe('流程步骤完成')
    expect(kindText('attendance.finding.early_leave', tt, te)).toBe('考勤异常')
    expect(kindText('something.new', tt, te)).toBe('其他记录')
  })
})
