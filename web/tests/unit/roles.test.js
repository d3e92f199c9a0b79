import { describe, expect, it } from 'vitest'
import { allowed, landingRoute, roleKinds } from '../../src/lib/roles.js'

const acct = (...roles) => ({ roles: roles.map((role) => ({ role, scope_kind: 'global', scope_id: 0 })) })

describe('roles', () => {
  it('classifies role names in both languages', () => {
    expect([...roleKinds(acct('admin'))]).toEqual(['admin'])
    expect([...roleKinds(acct('管理员'))]).toEqual(['admin'])
    expect([...roleKinds(acct('部长'))]).toEqual(['head'])
    expect([...roleKinds(acct('department_head'))]).toEqual(['head'])
    expect([...roleKinds(acct('中控员'))]).toEqual(['operator'])
    expect([...roleKinds(acct('消防控制室值班员'))]).toEqual(['operator'])
    expect([...roleKinds(acct('operator'))]).toEqual(['operator'])
    expect([...roleKinds(acct('值班长'))]).toEqual(['operator'])
    expect([...roleKinds(acct('秩序维护主管'))]).toEqual(['operator'])
    expect([...roleKinds(acct('部门经理'))]).toEqual(['head'])
    expect([...roleKinds(acct('客服专员'))]).toEqual(['employee'])
    expect([...roleKinds(acct('礼宾员'))]).toEqual(['employee'])
    expect([...roleKinds(acct('中控员', '部长'))].sort()).toEqual(['head', 'operator'])
    expect([...roleKinds({ roles: [] })]).toEqual(['employee'])
  })
  it('lands each kind where the design says', () => {
    expect(landingRoute(acct('admin'))).toEqual({ name: 'org' })
    expect(landingRoute(acct('部长'))).toEqual({ name: 'approvals' })
    expect(landingRoute(acct('中控员'))).toEqual({ name: 'duty-board' })
    expect(landingRoute(acct('礼宾员'))).toEqual({ name: 'duty-board' })
  })
  it('admins see everything; others only their kinds', () => {
    expect(allowed(acct('admin'), ['head'])).toBe(true)
    expect(allowed(acct('中控员'), ['head'])).toBe(false)
    expect(allowed(acct('中控员'), undefined)).toBe(true)
    expect(allowed(acct('部长'), ['head'])).toBe(true)
  })
})
