import { describe, expect, it } from 'vitest'
import { daysBetween, expiryStatus, isIsoDate, isoDate, maxLength, minLength, phone, required, timeZone, todayIso, toRule, username, validate } from '../../src/lib/validators.js'

describe('validators', () => {
  it('required', () => {
    expect(required('')).toEqual({ key: 'validation.required' })
    expect(required('   ')).toEqual({ key: 'validation.required' })
    expect(required(null)).toEqual({ key: 'validation.required' })
    expect(required([])).toEqual({ key: 'validation.required' })
    expect(required('张三')).toBeNull()
    expect(required(0)).toBeNull()
  })
  it('dates are YYYY-MM-DD and real', () => {
    expect(isIsoDate('2027-06-30')).toBe(true)
    expect(isIsoDate('2028-02-29')).toBe(true)
    expect(isIsoDate('2027-02-29')).toBe(false)
    expect(isIsoDate('2026-13-01')).toBe(false)
    expect(isIsoDate('2026-04-31')).toBe(false)
    expect(isIsoDate('2026/04/01')).toBe(false)
    expect(isIsoDate('2026-4-1')).toBe(false)
    expect(isoDate('')).toBeNull() // optional unless combined with required
    expect(isoDate('30.06.2027')).toEqual({ key: 'validation.date' })
  })
  it('lengths, usernames, phones, time zones', () => {
    expect(maxLength(3)('abcd')).toEqual({ key: 'validation.maxLength', params: { n: 3 } })
    expect(maxLength(3)('abc')).toBeNull()
    expect(minLength(8)('short')).toEqual({ key: 'validation.minLength', params: { n: 8 } })
    expect(username('zhang.san')).toBeNull()
    expect(username('ab')).toEqual({ key: 'validation.username' })
    expect(username('张三')).toEqual({ key: 'validation.username' })
    expect(phone('13800138000')).toBeNull()
    expect(phone('+86 10-1234 5678')).toBeNull()
    expect(phone('call me')).toEqual({ key: 'validation.phone' })
    expect(timeZone('Asia/Shanghai')).toBeNull()
    expect(timeZone('America/Argentina/Buenos_Aires')).toBeNull()
    expect(timeZone('UTC')).toBeNull()
    expect(timeZone('shanghai')).toEqual({ key: 'validation.timeZone' })
  })
  it('validate runs checks in order and toRule reports the translated first failure', async () => {
    expect(validate('', required, maxLength(2))).toEqual({ key: 'validation.required' })
    const t = (k, p) => `${k}${p && p.n ? ':' + p.n : ''}`
    const rule = toRule(t, required, maxLength(2))
    const run = (v) => new Promise((res) => rule.validator({}, v, (e) => res(e ? e.message : null)))
    expect(await run('')).toBe('validation.required')
    expect(await run('abc')).toBe('validation.maxLength:2')
    expect(await run('ab')).toBeNull()
    expect(rule.required).toBe(true)
    expect(toRule(t, isoDate).required).toBe(false)
  })
})

describe('certificate expiry', () => {
  const today = '2026-11-27'
  it('counts days across months and years', () => {
    expect(daysBetween('2026-11-27', '2026-12-27')).toBe(30)
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1)
  })
  it('expired is before today; expiring is within 30 days; no date is none', () => {
    expect(expiryStatus('2026-11-26', today)).toBe('expired')
    expect(expiryStatus('2026-11-27', today)).toBe('expiring')
    expect(expiryStatus('2026-12-27', today)).toBe('expiring')
    expect(expiryStatus('2026-12-28', today)).toBe('valid')
    expect(expiryStatus(null, today)).toBe('none')
    expect(expiryStatus('', today)).toBe('none')
    expect(expiryStatus('garbage', today)).toBe('none')
  })
  it('todayIso is the local calendar date', () => {
    expect(todayIso(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05')
  })
})
