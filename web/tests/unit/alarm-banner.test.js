import { describe, expect, it } from 'vitest'
import { ackRefusal, applyAlarmEvent, bannerSites, seedAlarms } from '../../src/lib/alarmBanner.js'

const activated = (id, priority = 1, extra = {}) => ({
  id: 100 + id,
  kind: 'alarm.activated',
  payload: { id, site_id: 1, title: `点${id}`, priority, state: 'active_unack', at: '2026-12-04T10:00:00Z', annunciated: true, ...extra },
})
const change = (kind, id, state) => ({ id: 200 + id, kind, payload: { id, site_id: 1, priority: 1, state } })

describe('the alarm banner', () => {
  it('shows a new priority-1 alarm, newest first, and ignores other priorities and unannounced ones', () => {
    let rows = applyAlarmEvent([], activated(1))
    rows = applyAlarmEvent(rows, activated(2))
    expect(rows.map((r) => r.id)).toEqual([2, 1])
    expect(rows[0]).toMatchObject({ title: '点2', state: 'active_unack', at: '2026-12-04T10:00:00Z' })
    expect(applyAlarmEvent(rows, activated(3, 2))).toBe(rows)
    expect(applyAlarmEvent(rows, activated(4, 1, { annunciated: false }))).toBe(rows)
    expect(applyAlarmEvent(rows, { id: 9, kind: 'duty.due', payload: { id: 1 } })).toBe(rows)
  })

  it('keeps an alarm that returned unacknowledged and drops it once acknowledged', () => {
    let rows = applyAlarmEvent([], activated(1))
    rows = applyAlarmEvent(rows, change('alarm.returned', 1, 'rtn_unack'))
    expect(rows).toHaveLength(1)
    expect(rows[0].state).toBe('rtn_unack')
    rows = applyAlarmEvent(rows, change('alarm.acknowledged', 1, 'normal'))
    expect(rows).toEqual([])
    rows = applyAlarmEvent(applyAlarmEvent([], activated(2)), change('alarm.acknowledged', 2, 'active_ack'))
    expect(rows).toEqual([])
  })

  it('a repeated activation replaces the row instead of adding a second', () => {
    let rows = applyAlarmEvent([], activated(1))
    rows = applyAlarmEvent(rows, activated(1, 1, { at: '2026-12-04T11:00:00Z' }))
    expect(rows).toHaveLength(1)
    expect(rows[0].at).toBe('2026-12-04T11:00:00Z')
  })

  it('is seeded from the sites’ alarm rows: unacknowledged priority-1, not shelved or suppressed', () => {
    const points = [
      { id: 1, priority: 1, state: 'active_unack', title: 'A', active_since: '2026-12-04T09:00:00Z', shelved: false, suppressed: false },
      { id: 2, priority: 1, state: 'active_ack', title: 'B', shelved: false, suppressed: false },
      { id: 3, priority: 2, state: 'active_unack', title: 'C', shelved: false, suppressed: false },
      { id: 4, priority: 1, state: 'active_unack', title: 'D', shelved: true, suppressed: false },
      { id: 5, priority: 1, state: 'rtn_unack', title: 'E', changed_at: '2026-12-04T10:00:00Z', shelved: false, suppressed: false },
    ]
    expect(seedAlarms([], points).map((r) => r.id)).toEqual([5, 1])
    // A live row of another site stays; a stale row of a seeded point is replaced.
    const live = [{ id: 9, title: 'X', at: '2026-12-04T08:00:00Z' }, { id: 2, title: 'B', at: '' }]
    expect(seedAlarms(live, points).map((r) => r.id)).toEqual([5, 1, 9])
  })

  it('the sites come from site-scoped grants only', () => {
    const account = { roles: [{ role: '中控员', scope_kind: 'site', scope_id: 3 }, { role: '值班长', scope_kind: 'site', scope_id: 3 }, { role: 'x', scope_kind: 'department', scope_id: 7 }, { role: 'admin', scope_kind: 'global', scope_id: 0 }] }
    expect(bannerSites(account)).toEqual([3])
    expect(bannerSites(null)).toEqual([])
  })
})

describe('who may acknowledge (issue 17 §6, as src/modules/alarms CanOperate)', () => {
  const ctx = (over = {}) => ({ onPosts: new Set(), onSites: new Set(), manage: false, postName: () => '中控岗', ...over })
  it('a point of a post: only whoever is on duty at that post, whatever else they hold', () => {
    const row = { id: 1, site_id: 1, post_id: 7 }
    expect(ackRefusal(row, ctx({ onPosts: new Set([7]), onSites: new Set([1]) }))).toBe(null)
    expect(ackRefusal(row, ctx({ manage: true, onPosts: new Set([8]), onSites: new Set([1]) }))).toEqual({ key: 'alarmBanner.onlyOnPost', params: { post: '中控岗' } })
  })
  it('a point of a post the pack does not keep to it (operated_at_post false): as a point of no post', () => {
    const row = { id: 5, site_id: 1, post_id: 7, operated_at_post: false }
    expect(ackRefusal(row, ctx({ onSites: new Set([1]) }))).toBe(null)
    expect(ackRefusal(row, ctx({ onSites: new Set([2]) }))).toEqual({ key: 'alarmBanner.onlyOnDuty', params: {} })
    expect(ackRefusal({ ...row, operated_at_post: true }, ctx({ onSites: new Set([1]) }))).toEqual({ key: 'alarmBanner.onlyOnPost', params: { post: '中控岗' } })
    expect(seedAlarms([], [{ ...row, priority: 1, state: 'active_unack', title: 'x' }])[0].operated_at_post).toBe(false)
  })
  it('a point of no post: on duty at its site, or duty.manage', () => {
    const row = { id: 2, site_id: 1, post_id: null }
    expect(ackRefusal(row, ctx({ onSites: new Set([1]) }))).toBe(null)
    expect(ackRefusal(row, ctx({ manage: true }))).toBe(null)
    expect(ackRefusal(row, ctx({ onSites: new Set([2]) }))).toEqual({ key: 'alarmBanner.onlyOnDuty', params: {} })
  })
  it('a row seeded from GET /alarms keeps its post; a live one has none yet (undefined)', () => {
    expect(seedAlarms([], [{ id: 3, site_id: 1, post_id: 7, priority: 1, state: 'active_unack', title: 'x' }])[0].post_id).toBe(7)
    expect(applyAlarmEvent([], activated(4))[0].post_id).toBe(undefined)
  })
})
