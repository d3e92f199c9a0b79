// Pure helpers for the assessment screens (考核结算, 我的考核's pay slip, 请假; issue 20 §5–§6),
// unit-tested in tests/unit/assessment.test.js. Amounts travel in whole fen (分) as the server
// keeps them; people type and read yuan.

import { isIsoDate } from './validators.js'

// The month "YYYY-MM" of instant `now` (a Date) in a zone `offsetMinutes` east of UTC (the site's
// Asia/Shanghai is +480): a month is the site's, not the browser's.
export function monthOf(now, offsetMinutes = 480) {
  return new Date(now.getTime() + offsetMinutes * 60000).toISOString().slice(0, 7)
}

// A month "YYYY-MM" (01–12).
export const isMonth = (v) => typeof v === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(v)

// The site parameter assessment_manager_scale "MIN,MAX" as { min, max }; null when unset or not two
// ordered numbers (the server then refuses scores: assessment.scale_unset).
export function parseScale(value) {
  if (typeof value !== 'string') return null
  const parts = value.split(',').map((s) => s.trim())
  if (parts.length !== 2 || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) return null
  const [min, max] = parts.map(Number)
  return min <= max ? { min, max } : null
}

// The scale among a site's parameters (GET /sites/{id}/parameters), or null.
export const scaleOf = (parameters) => parseScale((parameters || []).find((p) => p.name === 'assessment_manager_scale')?.value)

// Why a manager's score cannot be sent, as an i18n key (null: it can): a number inside the scale.
export function scoreProblem(score, scale) {
  if (!scale) return 'assessment.scaleUnset'
  if (score === '' || score === null || score === undefined || !Number.isFinite(Number(score))) return 'assessment.scoreNumber'
  const n = Number(score)
  return n < scale.min || n > scale.max ? 'assessment.scoreOutOfScale' : null
}

// Yuan as typed ("1234", "1234.5", "1234.56") to whole fen; null when not digits with at most two
// decimals (no signs, exponents or separators: the server takes integers ≥ 0 only).
export function yuanToFen(text) {
  const s = String(text ?? '').trim()
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

// Whole fen as yuan text with two decimals ("¥" not included); "" for null.
export function fenToYuan(fen) {
  if (fen === null || fen === undefined || !Number.isFinite(Number(fen))) return ''
  const n = Math.round(Number(fen))
  const sign = n < 0 ? '-' : ''
  const a = Math.abs(n)
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

// The pay slip of one person from GET /assessment-pay's line and the response around it:
// each input (the scheme's inputs, in its order) in fen, the score, the formula and its result.
// `closed` is the month's state (GET /assessment-periods).
export function paySlip(pay, line, closed) {
  const inputs = (pay?.inputs || []).map((name) => ({ name, fen: line?.inputs_fen?.[name] ?? null }))
  return {
    inputs,
    score: line?.score ?? null,
    formula: pay?.pay_formula || null,
    payFen: line?.pay_fen ?? null,
    note: line?.note || '',
    closed: !!closed,
    missing: inputs.filter((i) => i.fen === null).map((i) => i.name),
  }
}

// The indicators of a scheme a manager scores (source: manager).
export const managerIndicators = (scheme) => (scheme?.indicators || []).filter((i) => i.source === 'manager')

// A leave period's problem as an i18n key (null: none): two dates, the last not before the first.
export function leaveProblem(from, to) {
  if (!isIsoDate(from) || !isIsoDate(to)) return 'leave.datesRequired'
  return to < from ? 'leave.endBeforeStart' : null
}

// The inputs that make a pack's request type a leave request (modules/roster/leave_requests.hpp).
export const LEAVE_FROM = 'roster_leave.from'
export const LEAVE_TO = 'roster_leave.to'
// The leave request types of the pack (GET /request-types): those declaring both inputs.
export const leaveTypes = (types) => (types || []).filter((t) => t.inputs && LEAVE_FROM in t.inputs && LEAVE_TO in t.inputs)

// The request types that re-open a closed month of `scheme` (its `reopen`), for the 重开申请 form.
export const reopenType = (types, scheme) => (types || []).find((t) => scheme?.reopen && t.id === scheme.reopen) || null

// A formula as people read it: each name it uses (an indicator id, `w.<id>` its weight, a pay input,
// `score`) replaced by its title from `names` ({ id: title }); `weightOf(title)` words a weight.
// Longer names first, whole words only, so `late_count` is not read inside `w.late_count`.
export function readableFormula(formula, names, weightOf = (title) => `权重(${title})`) {
  if (!formula) return ''
  const all = []
  for (const [id, title] of Object.entries(names || {})) {
    all.push([`w.${id}`, weightOf(title)])
    all.push([id, title])
  }
  all.sort((a, b) => b[0].length - a[0].length)
  const escape = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const pattern = new RegExp(`(?<![\\w.])(${all.map(([id]) => escape(id)).join('|')})(?![\\w])`, 'g')
  const lookup = new Map(all)
  return all.length ? formula.replace(pattern, (m) => lookup.get(m) ?? m).replace(/\s+/g, ' ').trim() : formula.trim()
}
