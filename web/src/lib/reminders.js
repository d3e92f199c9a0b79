// Pure helpers for reminders (unit-tested): wall-clock time in a fixed offset, countdown text parts.

const pad = (n, w = 2) => String(n).padStart(w, '0')

// A moment as ISO 8601 in a fixed UTC offset (minutes east, default +08:00), to the second.
export function toIsoWithOffset(date, offsetMinutes = 480) {
  const ms = date instanceof Date ? date.getTime() : Number(date)
  if (!Number.isFinite(ms)) return null
  const d = new Date(ms + offsetMinutes * 60000)
  const sign = offsetMinutes >= 0 ? '+' : '-'
  const off = Math.abs(offsetMinutes)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
}

// "YYYY-MM-DD HH:mm:ss" read as wall-clock time at the given offset → Date (null if malformed).
export function fromWallClock(text, offsetMinutes = 480) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(text || '').trim())
  if (!m) return null
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x || 0))
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60000
  const back = new Date(ms + offsetMinutes * 60000)
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null
  return new Date(ms)
}

// Time left until `due` from `now` (ms) as parts; overdue when it has passed.
export function countdown(due, now = Date.now()) {
  const t = new Date(due).getTime()
  if (!Number.isFinite(t)) return null
  let left = Math.round((t - now) / 1000)
  const overdue = left < 0
  left = Math.abs(left)
  return { overdue, days: Math.floor(left / 86400), hours: Math.floor((left % 86400) / 3600), minutes: Math.floor((left % 3600) / 60), seconds: left % 60 }
}

// Compact countdown text "2天 03:04:05" / "03:04:05" (the day word is passed in, localised).
export function countdownText(parts, dayWord = 'd') {
  if (!parts) return ''
  const hms = `${pad(parts.hours)}:${pad(parts.minutes)}:${pad(parts.seconds)}`
  return parts.days > 0 ? `${parts.days}${dayWord} ${hms}` : hms
}

export const REMINDER_STATES = ['pending', 'claimed', 'fired', 'cancelled', 'failed']
// The badge class of a state (colours in styles.css, chosen for contrast on white).
export const stateBadge = (s) => ({ pending: 'badge-pending', claimed: 'badge-pending', fired: 'badge-valid', cancelled: 'badge-none', failed: 'badge-expired' })[s] || 'badge-none'

// Wall-clock text "YYYY-MM-DD HH:mm:ss" at a fixed offset (default +08:00) of an ISO moment from the server.
export function wallTime(iso, offsetMinutes = 480) {
  const d = new Date(iso)
  return iso && !Number.isNaN(d.getTime()) ? toIsoWithOffset(d, offsetMinutes).slice(0, 19).replace('T', ' ') : iso || ''
}

// Print views: "YYYY-MM-DD HH:mm" of an ISO moment in the site's time zone (IANA name, e.g.
// "Asia/Shanghai"), whatever offset the server wrote and whatever zone the browser is in; without a
// known zone, the fixed +08:00 of wallTime. '' for no time, the text itself when it is not a time.
export function siteTime(iso, timeZone) {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  let parts
  try {
    if (!timeZone) throw new RangeError('no zone')
    parts = Object.fromEntries(
      new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(d)
        .map((p) => [p.type, p.value]),
    )
  } catch {
    return wallTime(iso).slice(0, 16)
  }
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}
