// Pure parts of 客服报表 (ServiceReportsView.vue, issue 18 §10): the date range's check and the
// chart items from GET /service/reports. Figures come from the server; this only sums the per-day
// rows per agent for the charts and labels what the server names by id.
export const MAX_DAYS = 92 // the server's bound (service.report_range)

const DAY = /^\d{4}-\d{2}-\d{2}$/

// Days from `from` to `to`, both included; null when either is not a date.
export function spanDays(from, to) {
  if (!DAY.test(from || '') || !DAY.test(to || '')) return null
  const a = Date.parse(`${from}T00:00:00Z`)
  const b = Date.parse(`${to}T00:00:00Z`)
  if (Number.isNaN(a) || Number.isNaN(b)) return null
  return Math.round((b - a) / 86400000) + 1
}

export const rangeOk = (from, to) => {
  const n = spanDays(from, to)
  return n !== null && n >= 1 && n <= MAX_DAYS
}

// `day` (YYYY-MM-DD) moved by `n` days.
export function addDays(day, n) {
  const d = new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000)
  return d.toISOString().slice(0, 10)
}

export const percent = (part, whole) => (whole ? (100 * part) / whole : null)

// The per-day rows summed per agent, in the order agents first appear.
export function agentTotals(rows = []) {
  const out = new Map()
  for (const r of rows) {
    const t = out.get(r.person_id) || { person_id: r.person_id, name: r.name || String(r.person_id), received: 0, resolved: 0, surveys_answered: 0, surveys_satisfied: 0 }
    t.received += r.received
    t.resolved += r.resolved
    t.surveys_answered += r.surveys_answered
    t.surveys_satisfied += r.surveys_satisfied
    out.set(r.person_id, t)
  }
  return [...out.values()]
}

export const receivedBars = (rows) => agentTotals(rows).map((a) => ({ label: a.name, value: a.received }))
export const satisfactionBars = (rows) =>
  agentTotals(rows)
    .filter((a) => a.surveys_answered > 0)
    .map((a) => ({ label: a.name, value: percent(a.surveys_satisfied, a.surveys_answered) }))
export const slaBars = (sla = []) => sla.map((s) => ({ label: `${s.queue} · ${s.title || s.service_level}`, value: s.met_percent }))
export const countBars = (rows = [], label) => rows.map((r) => ({ label: label(r), value: r.count }))
export const shippingBars = (byAgent = []) => byAgent.map((a) => ({ label: a.name || String(a.person_id), value: a.on_time_percent }))

// "55" / "12.5" / the `none` text for a figure not computed.
export function figure(v, none = '—') {
  if (v === null || v === undefined) return none
  return Number.isInteger(v) ? String(v) : v.toFixed(1)
}
export const pct = (v, none = '—') => (v === null || v === undefined ? none : `${figure(v)}%`)
