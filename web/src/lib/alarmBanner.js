// The persistent 报警 banner (issue 17 §6): every unacknowledged priority-1 alarm of the sites the
// user works at, fed by the live stream (alarm.* records reach everyone on a post of the site and
// their leads: notify_roles, docs/notifications.md) and seeded from GET /alarms when the page
// loads. An alarm leaves the banner when someone acknowledges it, or it returns to normal after
// being acknowledged; a return before acknowledgement keeps it (ISA-18.2: RTN unacknowledged).
// Pure logic, no Vue: stores/live.js holds the list, components/AlarmBanner.vue shows it.

export const BANNER_PRIORITY = 1

const UNACKED = new Set(['active_unack', 'rtn_unack'])

// One banner row from a point (GET /alarms row) or an alarm.* event's payload.
function rowOf(p, at) {
  return {
    id: p.id,
    site_id: p.site_id,
    title: typeof p.title === 'string' && p.title ? p.title : '',
    state: p.state,
    at: at || p.active_since || p.changed_at || '',
    // The point's post (GET /alarms rows have it; an alarm.* payload does not: undefined, read later).
    post_id: 'post_id' in p ? p.post_id ?? null : undefined,
    // Whether its post's equipment is kept to whoever is on duty there (GET rows only).
    operated_at_post: typeof p.operated_at_post === 'boolean' ? p.operated_at_post : undefined,
  }
}

// rows: the banner now; returns the banner after `event` (a new array when it changed, else the
// same one).
export function applyAlarmEvent(rows, event) {
  const kind = event?.kind || ''
  const p = event?.payload
  if (!kind.startsWith('alarm.') || !p || !Number.isInteger(p.id)) return rows
  const i = rows.findIndex((r) => r.id === p.id)
  if (kind === 'alarm.activated') {
    if (p.priority !== BANNER_PRIORITY || p.annunciated === false) return rows
    const row = rowOf(p, p.at)
    return i >= 0 ? rows.map((r, k) => (k === i ? row : r)) : [row, ...rows]
  }
  if (i < 0) return rows
  if (UNACKED.has(p.state)) return rows.map((r, k) => (k === i ? { ...r, state: p.state } : r))
  return rows.filter((_, k) => k !== i)
}

// The banner from the sites' alarm rows (GET /alarms): unacknowledged priority-1 ones, newest
// first; `rows` already shown for other sites are kept.
export function seedAlarms(rows, points) {
  const out = rows.filter((r) => !points.some((p) => p.id === r.id))
  for (const p of points)
    if (p.priority === BANNER_PRIORITY && UNACKED.has(p.state) && !p.suppressed && !p.shelved) out.push(rowOf(p))
  return out.sort((a, b) => String(b.at).localeCompare(String(a.at)))
}

// The sites whose alarms an account is told of: those its site-scoped grants name. Global or
// department grants give none here (the banner then follows the live stream only).
export function bannerSites(account) {
  const out = []
  for (const g of account?.roles || [])
    if (g.scope_kind === 'site' && Number.isInteger(g.scope_id) && !out.includes(g.scope_id)) out.push(g.scope_id)
  return out
}

// Why this account may not acknowledge an alarm — as the server decides (src/modules/alarms
// CanOperate) — or null when it may. A point of a post is operated by whoever is on duty at that
// post (R12 §四(二之2)1 中控员…上机操作; the server cites the post's clauses on 操作); any other
// point by someone on duty at a post of its site, or an account with duty.manage. `ctx`:
// { onPosts: post ids the person is on now, onSites: their sites, manage: holds duty.manage,
//   postName(id) }. The server has the last word: it refuses what this lets through.
// The server says which: a point's `operated_at_post` (the pack's clauses on 操作 for its post).
// A row without it (a live event's payload) is taken as kept to its post when it has one.
export function ackRefusal(row, ctx) {
  if (!row) return null
  const onPosts = ctx?.onPosts || new Set()
  if (row.post_id && row.operated_at_post !== false) return onPosts.has(row.post_id) ? null : { key: 'alarmBanner.onlyOnPost', params: { post: ctx?.postName?.(row.post_id) || '' } }
  if (ctx?.manage || (ctx?.onSites || new Set()).has(row.site_id)) return null
  return { key: 'alarmBanner.onlyOnDuty', params: {} }
}
