// Pure helpers for the violation ledger (unit-tested): who may record and decide (a convenience for
// showing buttons — the server decides), month arithmetic, and the totals of a monthly statement.

import { hasPermission } from './roles.js'

// Who may record and decide: the permissions the pack gives the account's roles (server-side too).
export const canRecord = (account) => hasPermission(account, 'ledger.record')
export const canDecide = (account) => hasPermission(account, 'ledger.decide')

// The site an account works at: its first site-scoped grant (null for global grants only).
export function homeSite(account) {
  const g = (account?.roles || []).find((x) => x.scope_kind === 'site' && x.scope_id)
  return g ? g.scope_id : null
}

export const VIOLATION_STATES = ['recorded', 'appealed', 'upheld', 'overturned']
export const violationBadge = (s) => ({ recorded: 'badge-expiring', appealed: 'badge-pending', upheld: 'badge-expired', overturned: 'badge-none' })[s] || 'badge-none'

// "YYYY-MM" of a Date in Beijing time (+08:00) and the month before/after one.
export function monthOf(date = new Date(), offsetMinutes = 480) {
  const d = new Date(date.getTime() + offsetMinutes * 60000)
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}
export function shiftMonth(month, delta) {
  const m = /^(\d{4})-(\d{2})$/.exec(month || '')
  if (!m) return null
  const total = Number(m[1]) * 12 + Number(m[2]) - 1 + delta
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`
}
export const isMonth = (v) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v || '')

// Totals of a statement's violations, grouped by code, overturned ones not counted:
// { rows: [{ code, count, warnings, fineYuan, unpriced }], count, warnings, fineYuan, unpriced }.
// fineYuan sums in fen to avoid 0.1 + 0.2.
export function statementTotals(violations) {
  const rows = new Map()
  const total = { count: 0, warnings: 0, fen: 0, unpriced: 0 }
  for (const v of violations || []) {
    if (v.state === 'overturned') continue
    const row = rows.get(v.code) || { code: v.code, count: 0, warnings: 0, fen: 0, unpriced: 0 }
    const c = v.consequence || {}
    const fen = Math.round(Number(v.fine_yuan || 0) * 100)
    const warning = c.warning ? 1 : 0
    const unpriced = c.fine_param && !fen ? 1 : 0
    for (const t of [row, total]) {
      t.count += 1
      t.warnings += warning
      t.fen += fen
      t.unpriced += unpriced
    }
    rows.set(v.code, row)
  }
  const yuan = ({ fen, ...rest }) => ({ ...rest, fineYuan: fen / 100 })
  return { rows: [...rows.values()].sort((a, b) => a.code.localeCompare(b.code)).map(yuan), ...yuan(total) }
}

// Yuan with two decimals only when needed: 50 → "50", 12.5 → "12.50".
export const yuanText = (y) => (Number.isInteger(y) ? String(y) : Number(y).toFixed(2))
