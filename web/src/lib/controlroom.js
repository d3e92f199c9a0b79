// Pure helpers of the control-room screens (unit-tested): step timers, the roster's month grid,
// the shelve expiry, who a handover waits for.
import { countdown, countdownText, fromWallClock, toIsoWithOffset } from './reminders.js'

const pad = (n) => String(n).padStart(2, '0')

// Time since `from` (ISO) until `to` (ISO or ms; default now), "03:04:05" / "2天 03:04:05";
// '' when `from` is unreadable. A step done keeps its time; an open one counts on.
export function elapsedText(from, to = Date.now(), dayWord = 'd') {
  const start = new Date(from).getTime()
  const end = typeof to === 'number' ? to : new Date(to).getTime()
  if (!Number.isFinite(start) || !Number.isFinite(end)) return ''
  const parts = countdown(start, Math.max(end, start))
  return countdownText(parts, dayWord)
}

// The weeks of a month "YYYY-MM" (Monday first) as rows of 7 cells: a day "YYYY-MM-DD" or null.
export function monthGrid(month) {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month || '')
  if (!m) return []
  const y = Number(m[1])
  const mo = Number(m[2])
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate()
  const lead = (new Date(Date.UTC(y, mo - 1, 1)).getUTCDay() + 6) % 7 // Monday = 0
  const cells = Array(lead).fill(null)
  for (let d = 1; d <= days; d++) cells.push(`${m[1]}-${m[2]}-${pad(d)}`)
  while (cells.length % 7) cells.push(null)
  const weeks = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  return weeks
}

// Local day "YYYY-MM-DD" of an ISO moment at a fixed offset (default +08:00, the sites' zone).
export const localDay = (iso, offsetMinutes = 480) => (toIsoWithOffset(new Date(iso), offsetMinutes) || '').slice(0, 10)

// Active assignments grouped by the local day their shift starts on, each day sorted by start.
export function assignmentsByDay(assignments, offsetMinutes = 480) {
  const out = {}
  for (const a of assignments || []) {
    if (a.state && a.state !== 'active') continue
    const day = localDay(a.starts_at, offsetMinutes)
    ;(out[day] ||= []).push(a)
  }
  for (const list of Object.values(out)) list.sort((a, b) => String(a.starts_at).localeCompare(String(b.starts_at)) || a.person_id - b.person_id)
  return out
}

// The assignments retired as 请假 (state "leave", issue 20 §5), by local day like assignmentsByDay:
// the roster shows who is on leave on each day.
export function leavesByDay(assignments, offsetMinutes = 480) {
  return assignmentsByDay((assignments || []).filter((a) => a.state === 'leave').map((a) => ({ ...a, state: 'active' })), offsetMinutes)
}

// The shelve form's expiry: a wall-clock "YYYY-MM-DD HH:mm" → ISO with +08:00, or an i18n key
// when it is unreadable or not in the future (the server enforces its maximum; it says so).
export function shelveUntil(text, now = Date.now()) {
  const d = fromWallClock(text)
  if (!d) return { error: 'alarms.untilInvalid' }
  if (d.getTime() <= now) return { error: 'alarms.untilPast' }
  return { iso: toIsoWithOffset(d) }
}

// An alarm's state as a badge class (ISA-18.2: unacknowledged ones stand out).
export const alarmBadge = (state) => ({ active_unack: 'badge-expired', rtn_unack: 'badge-expiring', active_ack: 'badge-pending', normal: 'badge-none' })[state] || 'badge-none'
export const needsAck = (alarm) => alarm?.state === 'active_unack' || alarm?.state === 'rtn_unack'

// Where a handover stands for the person looking at it: their part ('outgoing' | 'incoming' |
// null) and the next thing to do ('answer' | 'acknowledge' | 'sign:outgoing' | 'sign:incoming' |
// 'done' | 'refused').
export function handoverNext(h, personId) {
  if (!h) return { part: null, next: null }
  const part = h.outgoing_person_id === personId ? 'outgoing' : h.incoming_person_id === personId ? 'incoming' : null
  if (h.state === 'completed') return { part, next: 'done' }
  if (h.state === 'refused') return { part, next: 'refused' }
  const signed = new Set(h.signed_by || (h.signatures || []).map((s) => s.role))
  const answered = h.answers && Object.keys(h.answers).length > 0
  if (!answered) return { part, next: 'answer' }
  if (!signed.has('outgoing')) return { part, next: 'sign:outgoing' }
  if ((h.unacknowledged || []).length) return { part, next: 'acknowledge' }
  return { part, next: 'sign:incoming' }
}

// A local day "YYYY-MM-DD" (Beijing time) as the half-open range [from, to) the APIs take.
export function dayRange(day) {
  const start = Date.parse(`${day}T00:00:00+08:00`)
  if (!Number.isFinite(start)) return null
  return { from: `${day}T00:00:00+08:00`, to: `${localDay(new Date(start + 86400000).toISOString())}T00:00:00+08:00` }
}

// When a procedure task's clock started: the last entry into the task's state (at or before the
// time it was done) — a step counts from the moment its state was entered.
export function taskStart(task, history) {
  let start = null
  const doneAt = task?.done_at ? new Date(task.done_at).getTime() : Infinity
  for (const h of history || []) if (h.to === task?.state && new Date(h.at).getTime() <= doneAt) start = h.at
  return start
}

// The inputs a transition's guard reads ("alarm.confirmed_on_site", "not request.work_related"):
// the dotted names, each once, in order (the pack's procedure inputs are named that way).
export function guardInputs(guard) {
  const out = []
  for (const m of String(guard || '').matchAll(/[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_.]*/g)) if (!out.includes(m[0])) out.push(m[0])
  return out
}

// A procedure step "record:r20-alarm-record" → the record id it fills in; null for other steps.
export const recordOfTask = (task) => (/^record:(.+)$/.exec(task?.task || '') || [])[1] || null

// A procedure step as a person reads it (issue 17 §7: no raw "call:119"): an assignment is its
// task and role; an action "verb:what" is the verb's text (procedures.actions.* in the messages)
// with `what` — a record's pack title, a known word (procedures.what.*), else the pack's own words.
export function stepLabel(task, t, te, ruleTitle = (id) => id) {
  if (!task) return ''
  if (task.kind === 'assignment') return task.role ? `${task.task}（${task.role}）` : task.task
  const m = /^([a-z_]+):(.*)$/.exec(task.task || '')
  if (!m || !te(`procedures.actions.${m[1]}`)) return task.task || ''
  const [, verb, rest] = m
  const what = verb === 'record' ? ruleTitle(rest) : te(`procedures.what.${rest}`) ? t(`procedures.what.${rest}`) : rest
  return t(`procedures.actions.${verb}`, { what })
}

// The record steps done between `from` and `to` (ISO or ms; to excluded) of procedure views, oldest
// first: { procedure, procedureId, subject, record, task, doneAt, doneBy, answers } — the 报警处理记录
// filled in during a shift, for the 值班记录表.
export function recordsDone(views, from, to) {
  const lo = new Date(from).getTime()
  const hi = new Date(to).getTime()
  const out = []
  for (const v of views || [])
    for (const x of v?.tasks || []) {
      const record = recordOfTask(x)
      if (!record || !x.done || !x.answers) continue
      const at = new Date(x.done_at).getTime()
      if (!(at >= lo && at < hi)) continue
      out.push({ procedure: v.procedure, procedureId: v.id, subject: v.subject, record, task: x.id, doneAt: x.done_at, doneBy: x.done_by, answers: x.answers })
    }
  return out.sort((a, b) => new Date(a.doneAt) - new Date(b.doneAt) || a.task - b.task)
}

// A record's answer as printed: ✓/✗ for a check, the pass/flag/fail word, '—' for nothing.
export const answerText = (a, t) => (a === true ? '✓' : a === false ? '✗' : a === 'pass' || a === 'flag' || a === 'fail' ? t(`duty.pff.${a}`) : a == null || a === '' ? '—' : String(a))

// The procedures that may hold a record filled in between `from` and `to`: started before `to`
// and still open or closed at or after `from`.
export function proceduresDuring(list, from, to) {
  const lo = new Date(from).getTime()
  const hi = new Date(to).getTime()
  return (list || []).filter((x) => new Date(x.started_at).getTime() < hi && (x.open || !x.closed_at || new Date(x.closed_at).getTime() >= lo))
}

// The shift a handover closes, as the 值班记录表 prints it: from the start of its frozen report
// (the outgoing shift's start) until the handover closed (or the report's end while it is open).
export function shiftOfHandover(h) {
  const from = h?.report?.from
  if (!from) return null
  const ends = [h.report.to, h.closed_at, h.shift_change].filter(Boolean).map((x) => new Date(x).getTime())
  const to = new Date(Math.max(...ends, new Date(from).getTime() + 1000))
  return { from, to: to.toISOString(), outgoing: h.report.outgoing_shift || '', incoming: h.report.incoming_shift || '' }
}

// The shift's equipment and controller reports: the duties of the handover's frozen report done
// in it with their answers, each as { id, duty, title, completedAt, person, answers: [{ label, value }] } with the form's
// labels (`described`: the duties as GET /duties gives them, with title and form items).
export function shiftChecks(report, described, t) {
  const byId = new Map((described || []).map((d) => [d.id, d]))
  const out = []
  for (const d of report?.duties || []) {
    if (!d.completed_at || !d.answers || !Object.keys(d.answers).length) continue
    const info = byId.get(d.id)
    const items = info?.form?.items || []
    const answers = items.length
      ? items.filter((it) => it.id in d.answers).map((it) => ({ label: it.label, value: answerText(d.answers[it.id], t) }))
      : Object.entries(d.answers).map(([label, v]) => ({ label, value: answerText(v, t) }))
    out.push({ id: d.id, duty: d.duty, title: info?.title || '', completedAt: d.completed_at, person: d.completed_person, answers })
  }
  return out
}
