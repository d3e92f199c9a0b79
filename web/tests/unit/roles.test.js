import { describe, expect, it } from 'vitest'
import { allowed, hasPermission, landingRoute, roleKinds } from '../../src/lib/roles.js'
import { canDecide, canRecord } from '../../src/lib/ledger.js'

// Accounts as /api/v1/me answers them: kinds and permissions come from the server (the pack).
const acct = (kinds, permissions = [], role = '任一角色') => ({
  roles: [{ role, scope_kind: 'site', scope_id: 1 }],
  kinds,
  permissions,
})

describe('roles', () => {
  it('takes the kinds the server gives, whatever the role is called', () => {
    expect([...roleKinds(acct(['admin'], ['*'], 'admin'))]).toEqual(['admin'])
    expect([...roleKinds(acct(['head'], [], '部门经理'))]).toEqual(['head'])
    expect([...roleKinds(acct(['operator'], [], '仓管员'))]).toEqual(['operator'])
    expect([...roleKinds(acct(['head', 'operator']))].sort()).toEqual(['head', 'operator'])
    // A role name alone no longer makes a kind: 管理员 without "*" from the pack is an employee.
    expect([...roleKinds({ roles: [{ role: '管理员' }] })]).toEqual(['employee'])
    expect([...roleKinds({ roles: [], kinds: ['superuser'] })]).toEqual(['employee'])
  })
  it('lands each kind where the design says', () => {
    expect(landingRoute(acct(['admin']))).toEqual({ name: 'org' })
    expect(landingRoute(acct(['head', 'operator']))).toEqual({ name: 'approvals' })
    expect(landingRoute(acct(['operator']))).toEqual({ name: 'duty-board' })
    expect(landingRoute(acct(['employee']))).toEqual({ name: 'duty-board' })
  })
  it('admins see everything; others only their kinds', () => {
    expect(allowed(acct(['admin']), ['head'])).toBe(true)
    expect(allowed(acct(['operator']), ['head'])).toBe(false)
    expect(allowed(acct(['operator']), undefined)).toBe(true)
    expect(allowed(acct(['head']), ['head'])).toBe(true)
  })
  it('shows buttons by permission, "*" holding every one', () => {
    expect(hasPermission(acct(['admin'], ['*']), 'roster.manage')).toBe(true)
    expect(hasPermission(acct(['operator'], ['roster.manage']), 'roster.manage')).toBe(true)
    expect(hasPermission(acct(['operator'], ['ledger.record']), 'roster.manage')).toBe(false)
    expect(hasPermission({}, 'ledger.record')).toBe(false)
    expect(canRecord(acct(['operator'], ['ledger.record']))).toBe(true)
    expect(canRecord(acct(['head'], ['ledger.decide']))).toBe(false)
    expect(canDecide(acct(['head'], ['ledger.decide']))).toBe(true)
    expect(canDecide(acct(['operator'], ['ledger.record'], '部长'))).toBe(false)
  })
})
