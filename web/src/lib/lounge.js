// VIP lounge (贵宾厅, docs/lounge.md) helpers for the attendant's phone screen.

// The ISO moment a train leaving at "HH:MM" on the site's wall clock (IANA zone) departs, seen from
// `now`, whatever zone the browser is in: of that time yesterday, today and tomorrow, the nearest
// (the server's rule for a timetable train, docs/lounge.md) — 00:35 typed at 23:50 is tomorrow's,
// 08:00 typed at 09:05 left an hour ago and the server refuses it. Null for a malformed time or zone.
export function siteDeparture(hhmm, timeZone, now = new Date()) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '')
  if (!m || +m[1] > 23 || +m[2] > 59) return null
  const wall = (at) =>
    Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
        .formatToParts(at)
        .map((p) => [p.type, p.value]),
    )
  let best = null
  try {
    for (const shift of [-1, 0, 1]) {
      const at = new Date(now.getTime() + shift * 86400000)
      const p = wall(at)
      const wallAsUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second)
      const offsetMs = Math.round((wallAsUtc - at.getTime()) / 60000) * 60000
      const t = Date.UTC(+p.year, +p.month - 1, +p.day, +m[1], +m[2]) - offsetMs
      if (best === null || Math.abs(t - now.getTime()) < Math.abs(best - now.getTime())) best = t
    }
  } catch {
    return null
  }
  return new Date(best).toISOString()
}

// The guests an attendant works on, in the order of what is due first: waiting to check in (by
// their check-in deadline), then seated and reminded (by reminder time); closed ones last.
export function loungeOrder(guests) {
  const rank = { arrived: 0, seated: 1, reminded: 2, escorted: 3, missed: 4, done: 5 }
  const due = (g) => (g.state === 'arrived' ? g.checkin_due_at : g.reminder_at) || ''
  return [...guests].sort((a, b) => rank[a.state] - rank[b.state] || due(a).localeCompare(due(b)) || a.id - b.id)
}

// What became of a boarding reminder on the manager's list (GET lounge/missed-reminders), as the
// i18n key under lounge.missedStatus: the guest missed the train, the reminder is still not
// recorded (escalated), or it was recorded late.
export function missedReminderStatus(m) {
  if (m?.guest?.state === 'missed') return 'missedTrain'
  if (m?.state === 'met_late') return 'late'
  return 'notReminded'
}

// Whether the guest's train has left at `nowMs`: 登记误车 is offered only then (the server refuses it
// before the departure, lounge.not_departed).
export function hasDeparted(g, nowMs = Date.now()) {
  const t = Date.parse(g?.departure_at || '')
  return Number.isFinite(t) && t <= nowMs
}
