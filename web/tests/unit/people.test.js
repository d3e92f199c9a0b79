import { describe, expect, it } from 'vitest'
import { ageOn, educationLevels, educationLevelsOf, pastDate, profilePatch } from '../../src/lib/people.js'

describe('people helpers', () => {
  it('age in full years (周岁)', () => {
    expect(ageOn('1990-05-01', '2026-04-30')).toBe(35)
    expect(ageOn('1990-05-01', '2026-05-01')).toBe(36)
    expect(ageOn('2008-11-28', '2026-11-27')).toBe(17)
    expect(ageOn('2008-11-27', '2026-11-27')).toBe(18)
    expect(ageOn('2000-02-29', '2027-02-28')).toBe(26)
    expect(ageOn('2000-02-29', '2027-03-01')).toBe(27)
    expect(ageOn('2026-11-27', '2026-11-27')).toBe(0)
    expect(ageOn('2026-11-28', '2026-11-27')).toBeNull()
    expect(ageOn(null, '2026-11-27')).toBeNull()
    expect(ageOn('1990-02-30', '2026-11-27')).toBeNull()
  })
  it('a birth date is not in the future', () => {
    const check = pastDate('2026-11-27')
    expect(check('')).toBeNull()
    expect(check(null)).toBeNull()
    expect(check('2026-11-27')).toBeNull()
    expect(check('1990-05-01')).toBeNull()
    expect(check('2026-11-28')).toEqual({ key: 'people.futureDate' })
    expect(check('1990-13-01')).toEqual({ key: 'validation.date' })
  })
  it('education levels from the site parameter, lowest first', () => {
    expect(educationLevels('初中,高中/中专/技校,大专,本科')).toEqual([
      { level: 1, names: ['初中'] },
      { level: 2, names: ['高中', '中专', '技校'] },
      { level: 3, names: ['大专'] },
      { level: 4, names: ['本科'] },
    ])
    expect(educationLevels(' 初中 , ,高中/ ')).toEqual([{ level: 1, names: ['初中'] }, { level: 2, names: ['高中'] }])
    expect(educationLevels('')).toEqual([])
    expect(educationLevels(null)).toEqual([])
    expect(educationLevelsOf([{ name: 'x', value: 'a' }, { name: 'education_levels', value: '初中,本科' }]).map((l) => l.names[0])).toEqual(['初中', '本科'])
    expect(educationLevelsOf([{ name: 'education_levels', value: null }])).toEqual([])
  })
  it('a profile edit sends only what changed, clearing with null', () => {
    const before = { birth_date: '1990-05-01', education: '高中' }
    expect(profilePatch(before, { birth_date: '1990-05-01', education: '大专' })).toEqual({ education: '大专' })
    expect(profilePatch(before, { birth_date: '', education: '高中' })).toEqual({ birth_date: null })
    expect(profilePatch({ birth_date: null, education: null }, { birth_date: '1991-01-02', education: ' 本科 ' })).toEqual({ birth_date: '1991-01-02', education: '本科' })
    expect(profilePatch(before, { ...before })).toEqual({})
  })
})
