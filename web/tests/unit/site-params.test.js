import { describe, expect, it } from 'vitest'
import { checkValue, groupOf, grouped, normalise } from '../../src/lib/siteParams.js'

describe('site parameters', () => {
  it('groups a parameter by what uses it', () => {
    expect(groupOf({ kind: 'yuan', rule: 'penalty R04-VIOLATION' })).toBe('fines')
    expect(groupOf({ kind: 'list', rule: 'post 消防控制室值班岗' })).toBe('posts')
    expect(groupOf({ kind: 'duration', rule: 'checklist r02-handover' })).toBe('timeLimits')
    expect(groupOf({ kind: 'duration', rule: 'duties whose miss is a violation (on_miss.violation)' })).toBe('timeLimits')
    expect(groupOf({ kind: 'duration', rule: 'service level r20-fire-119' })).toBe('serviceLevels')
    expect(groupOf({ kind: 'weight', rule: 'assessment r11-performance' })).toBe('weights')
    expect(groupOf({ kind: 'duration', rule: 'service: satisfaction survey — delay' })).toBe('modules')
    expect(groupOf({ kind: 'list', rule: 'people: employment stages' })).toBe('modules')
  })
  it('lists groups in order and leaves empty ones out', () => {
    const g = grouped([
      { name: 'a', kind: 'duration', rule: 'lounge: x' },
      { name: 'b', kind: 'yuan', rule: 'penalty X' },
      { name: 'c', kind: 'duration', rule: 'procedure p' },
      { name: 'd', kind: 'duration', rule: 'procedure q' },
    ])
    expect(g.map((x) => x.group)).toEqual(['fines', 'timeLimits', 'modules'])
    expect(g[1].items.map((x) => x.name)).toEqual(['c', 'd'])
    expect(grouped(undefined)).toEqual([])
  })
  it('checks a value in the server format of its kind', () => {
    expect(checkValue('duration', '15m')).toBe('')
    expect(checkValue('duration', '1h30m')).toBe('')
    expect(checkValue('duration', '2d')).toBe('')
    expect(checkValue('duration', '15')).toBe('siteParams.formats.duration')
    expect(checkValue('duration', 'abc')).toBe('siteParams.formats.duration')
    expect(checkValue('duration', '')).toBe('siteParams.required')
    expect(checkValue('yuan', '50')).toBe('')
    expect(checkValue('yuan', '12.5')).toBe('')
    expect(checkValue('yuan', '-5')).toBe('siteParams.formats.yuan')
    expect(checkValue('weight', '0.3')).toBe('')
    expect(checkValue('weight', '1')).toBe('')
    expect(checkValue('weight', '1.5')).toBe('siteParams.formats.weight')
    expect(checkValue('list', '高中,大专')).toBe('')
    expect(checkValue('list', '高中,,大专')).toBe('siteParams.formats.list')
  })
  it('sends a list typed with Chinese commas as the server list', () => {
    expect(normalise('list', ' 高中， 大专、本科 ')).toBe('高中,大专,本科')
    expect(normalise('duration', ' 15m ')).toBe('15m')
    expect(checkValue('list', normalise('list', '高中，大专'))).toBe('')
  })
})

describe('what uses a parameter', () => {
  it('reads the kind and id of the rule', async () => {
    const { usedBy } = await import('../../src/lib/siteParams.js')
    expect(usedBy({ rule: 'checklist r02-handover' })).toEqual({ kind: 'checklist', id: 'r02-handover' })
    expect(usedBy({ rule: 'service level r20-fire-119' })).toEqual({ kind: 'service_level', id: 'r20-fire-119' })
    expect(usedBy({ rule: 'discipline r03-progressive / educate' })).toEqual({ kind: 'discipline', id: 'r03-progressive' })
    expect(usedBy({ rule: 'post 消防控制室值班岗' })).toEqual({ kind: 'post', id: '消防控制室值班岗' })
    expect(usedBy({ rule: 'duties whose miss is a violation (on_miss.violation)' })).toBeNull()
    expect(usedBy({ rule: 'service: satisfaction survey' })).toBeNull()
  })
})

describe('a shift\'s hours (time_range, issue 18 §9)', () => {
  it('takes HH:MM-HH:MM with different ends, as the server', () => {
    for (const v of ['08:00-16:00', '16:00-24:00', '22:00-08:00']) expect(checkValue('time_range', v)).toBe('')
    for (const v of ['08:00-08:00', '8:00-16:00', '24:00-08:00', '08:00', '早班'])
      expect(checkValue('time_range', v)).toBe('siteParams.formats.time_range')
  })
})
