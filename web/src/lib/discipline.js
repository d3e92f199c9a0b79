// Pure helpers of the discipline cases (纪律处分, src/modules/people), unit-tested: money in whole
// fen (分) parsed from the yuan a person types — never through a float — and the case's badges.

// "12.5" / "12.50" / "12" / "０.５" → 1250 / 1250 / 1200 / 50 fen; anything else (negative, more than
// two decimals, letters, empty) → null. The server refuses ≤ 0 and fractions of a fen too.
export function yuanToFen(text) {
  const s = String(text ?? '')
    .trim()
    .replace(/[０-９．]/g, (c) => (c === '．' ? '.' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)))
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

// 1250 → "12.50"
export function fenToYuan(fen) {
  const n = Number(fen) || 0
  const sign = n < 0 ? '-' : ''
  const a = Math.abs(n)
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

export const CASE_STATES = ['open', 'correcting', 'closed']
export const caseBadge = (s) => ({ open: 'badge-pending', correcting: 'badge-expiring', closed: 'badge-none' })[s] || 'badge-none'

// The approved requests of `type` whose input case.id names `caseId` (the approval a step needs).
export function approvalsFor(requests, type, caseId) {
  return (requests || []).filter((r) => r.type === type && Number(r.inputs?.['case.id']) === Number(caseId))
}
