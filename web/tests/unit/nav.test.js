import { describe, expect, it } from 'vitest'
import { NAV } from '../../src/router/nav.js'

const item = (route) => NAV.flatMap((g) => g.items).find((i) => i.route === route)

describe('nav: 考勤异常', () => {
  it('shows for an account with a person or ledger.read, not for one with neither', () => {
    const { when } = item('attendance')
    expect(when({ person_id: 17, permissions: ['org.read'] })).toBe(true)
    expect(when({ person_id: null, permissions: ['ledger.read'] })).toBe(true)
    expect(when({ person_id: null, permissions: ['*'] })).toBe(true)
    expect(when({ person_id: null, permissions: ['org.read'] })).toBe(false)
  })
})
