// Pure helpers for 考勤异常 (lateness and absence, unit-tested).
import { siteTime } from './reminders.js'

// A shift as "YYYY-MM-DD HH:MM–HH:MM" in the site's zone; an end on a later day keeps its date
// ("2026-12-07 16:00–2026-12-08 00:00" would be noisy: a shift ending at midnight reads 16:00–24:00).
export function shiftText(start, end, timeZone) {
  const a = siteTime(start, timeZone)
  const b = siteTime(end, timeZone)
  if (!a || !b) return a || b || '—'
  const ms = Date.parse(end) - Date.parse(start)
  if (b.slice(0, 10) === a.slice(0, 10)) return `${a}–${b.slice(11)}`
  if (b.slice(11) === '00:00' && ms > 0 && ms <= 86400e3) return `${a}–24:00`
  return `${a}–${b}`
}
