// Form validators. Each returns null when the value is fine, or an i18n key (under validation.*)
// with optional params: { key, params }. Element Plus rules are built from these in toRule().

export function isBlank(v) {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)
}

export const required = (v) => (isBlank(v) ? { key: 'validation.required' } : null)

export const maxLength = (n) => (v) =>
  !isBlank(v) && String(v).trim().length > n ? { key: 'validation.maxLength', params: { n } } : null

export const minLength = (n) => (v) =>
  !isBlank(v) && String(v).length < n ? { key: 'validation.minLength', params: { n } } : null

// A calendar date written YYYY-MM-DD that really exists (no 2026-02-30).
export function isIsoDate(v) {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false
  const [y, m, d] = v.split('-').map(Number)
  if (m < 1 || m > 12 || d < 1) return false
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return d <= dim
}

export const isoDate = (v) => (isBlank(v) || isIsoDate(v) ? null : { key: 'validation.date' })

export const username = (v) =>
  isBlank(v) || /^[A-Za-z0-9._-]{3,64}$/.test(v) ? null : { key: 'validation.username' }

// Mainland mobile or landline with digits, spaces, dashes and an optional leading +.
export const phone = (v) =>
  isBlank(v) || /^\+?[0-9][0-9 -]{4,19}$/.test(String(v).trim()) ? null : { key: 'validation.phone' }

// IANA zone names look like Area/Location (Asia/Shanghai) or UTC.
export const timeZone = (v) =>
  isBlank(v) || /^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(v) ? null : { key: 'validation.timeZone' }

export function validate(value, ...checks) {
  for (const c of checks) {
    const r = c(value)
    if (r) return r
  }
  return null
}

// Element Plus form rule from validators; t translates the message at validation time.
export function toRule(t, ...checks) {
  return {
    trigger: ['blur', 'change'],
    required: checks.includes(required), // only marks the field (asterisk); the validator decides
    validator: (_rule, value, callback) => {
      const r = validate(value, ...checks)
      callback(r ? new Error(t(r.key, r.params || {})) : undefined)
    },
  }
}

// Certificate expiry relative to today (both YYYY-MM-DD): expired, expiring (≤ 30 days), valid, none.
export const EXPIRY_WARNING_DAYS = 30

export function daysBetween(fromIso, toIso) {
  const a = Date.UTC(...fromIso.split('-').map((x, i) => (i === 1 ? Number(x) - 1 : Number(x))))
  const b = Date.UTC(...toIso.split('-').map((x, i) => (i === 1 ? Number(x) - 1 : Number(x))))
  return Math.round((b - a) / 86400000)
}

export function expiryStatus(expiresOn, todayIso) {
  if (!expiresOn || !isIsoDate(String(expiresOn).slice(0, 10))) return 'none'
  const days = daysBetween(todayIso, String(expiresOn).slice(0, 10))
  if (days < 0) return 'expired'
  if (days <= EXPIRY_WARNING_DAYS) return 'expiring'
  return 'valid'
}

export function todayIso(now = new Date()) {
  const p = (n) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}
