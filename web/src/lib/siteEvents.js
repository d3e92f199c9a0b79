// 上报事件 (docs/policy_format.md §11a, docs/console.md): the events people report by hand, as the
// pack declares them (GET /api/v1/policy/events), raised on a site (POST /sites/{id}/events).

// The titles of what an event starts, by kind, in the pack's order: { procedure: [...], duty: [...],
// service_level: [...] } with empty kinds left out.
export function startsByKind(event) {
  const out = {}
  for (const s of event?.starts || []) (out[s.kind] ||= []).push(s.title || '')
  return out
}

const DURATION = /^(\d+d)?(\d+h)?(\d+m)?$/
const CLOCK = /^([01]?\d|2[0-3])[:：]([0-5]\d)$/

// The `data.deadline` to send for what was typed in 完成时限: a duration ("2h", "1d", "1h30m") as
// it is, a wall time "HH:MM" as the next such moment at the site (+08:00, Asia/Shanghai keeps no
// summer time) in ISO 8601, '' when it is neither (the form says how to write it).
export function deadlineValue(text, now = new Date(), offsetMinutes = 480) {
  const v = String(text ?? '').trim()
  if (!v) return ''
  if (DURATION.test(v) && /\d/.test(v)) return v
  const m = CLOCK.exec(v)
  if (!m) return ''
  const local = new Date(now.getTime() + offsetMinutes * 60000) // the site's wall clock, read in UTC
  let at = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), Number(m[1]), Number(m[2])) - offsetMinutes * 60000
  if (at <= now.getTime()) at += 86400000
  const wall = new Date(at + offsetMinutes * 60000).toISOString().slice(0, 16)
  const sign = offsetMinutes >= 0 ? '+' : '-'
  const off = Math.abs(offsetMinutes)
  return `${wall}:00${sign}${String(Math.floor(off / 60)).padStart(2, '0')}:${String(off % 60).padStart(2, '0')}`
}

// What a raise started, counted: { procedures, duties, deadlines } (the response lists their ids).
export function startedCounts(res) {
  return {
    procedures: (res?.procedures_started || []).length,
    duties: (res?.duties_started || []).length,
    deadlines: (res?.deadlines_started || []).length,
  }
}

// Is this refusal the server asking for a 完成时限 (a duty with no shift under way to end it)?
export const needsDeadline = (err) => !!err && err.field === 'data.deadline'
