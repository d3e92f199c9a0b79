// Pure helpers for a person's qualifications (R20 §二1: 文化程度 and 年龄), unit-tested.

import { isIsoDate } from './validators.js'

// Full years of age (周岁) on `todayIso` of someone born on `birthIso` (both YYYY-MM-DD): the
// birthday not yet reached this year does not count. null when either date is missing or bad,
// or the birth is after today.
export function ageOn(birthIso, todayIso) {
  if (!isIsoDate(birthIso) || !isIsoDate(todayIso) || birthIso > todayIso) return null
  const [by, bm, bd] = birthIso.split('-').map(Number)
  const [ty, tm, td] = todayIso.split('-').map(Number)
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0)
}

// A birth date is a real date not after today.
export const pastDate = (todayIso) => (v) => (!v || (isIsoDate(v) && v <= todayIso) ? null : { key: isIsoDate(v) ? 'people.futureDate' : 'validation.date' })

// The site parameter education_levels ("初中,高中/中专/技校,大专,本科", lowest first; "/" joins
// equivalents) as [{ level: 1-based rank, names: [...] }]. Empty when unset or blank.
export function educationLevels(value) {
  if (typeof value !== 'string') return []
  return value
    .split(',')
    .map((item) => item.split('/').map((n) => n.trim()).filter(Boolean))
    .filter((names) => names.length)
    .map((names, i) => ({ level: i + 1, names }))
}

// The education_levels parameter's value among a site's parameters (GET /sites/{id}/parameters).
export const educationLevelsOf = (parameters) => educationLevels((parameters || []).find((p) => p.name === 'education_levels')?.value)

// The PATCH body for a profile edit: only the fields that changed; "" clears (sent as null).
export function profilePatch(before, form) {
  const out = {}
  for (const k of ['birth_date', 'education']) {
    const now = String(form[k] ?? '').trim()
    if (now !== (before?.[k] ?? '')) out[k] = now || null
  }
  return out
}
