// Pure helpers for the duty board (unit-tested): which duties are due now, late or upcoming, the
// empty answers of a duty form, and checking answers against the form before they are sent.
// The server checks them again (docs/runtime.md, "Completion"); these checks only save a round trip.

export const OPEN_STATES = ['due', 'in_progress']
export const CLOSED_STATES = ['done', 'late', 'missed', 'cancelled']
export const PFF = ['pass', 'flag', 'fail'] // 正常 / 关注 / 异常

const ms = (iso) => {
  const t = new Date(iso).getTime()
  return Number.isFinite(t) ? t : NaN
}

// Splits duty instances into the groups the board shows, each sorted by due time:
//  now: open and inside the window; overdue: open but past window_end (finishing now makes it late);
//  upcoming: scheduled; recent: done/late/missed (newest first).
export function groupDuties(duties, now = Date.now()) {
  const out = { now: [], overdue: [], upcoming: [], recent: [] }
  for (const d of duties || []) {
    if (OPEN_STATES.includes(d.state)) {
      if (ms(d.window_end) <= now) out.overdue.push(d)
      else out.now.push(d)
    } else if (d.state === 'scheduled') out.upcoming.push(d)
    else out.recent.push(d)
  }
  const byDue = (a, b) => ms(a.due_at) - ms(b.due_at)
  out.now.sort(byDue)
  out.overdue.sort(byDue)
  out.upcoming.sort(byDue)
  out.recent.sort((a, b) => byDue(b, a))
  return out
}

// The badge class of a duty state (colours in styles.css).
export const dutyBadge = (s) =>
  ({ scheduled: 'badge-none', due: 'badge-pending', in_progress: 'badge-pending', done: 'badge-valid', late: 'badge-expiring', missed: 'badge-expired', cancelled: 'badge-none' })[s] || 'badge-none'

// The empty answers for a form: booleans false for check/signature, null elsewhere.
export function emptyAnswers(items) {
  const out = {}
  for (const it of items || []) out[it.id] = it.kind === 'check' || it.kind === 'signature' ? false : it.kind === 'number' ? null : ''
  return out
}

const blank = (v) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '')

// Checks answers against the form items. Returns { itemId: { key, params } } (empty when fine),
// keys under duty.validation.* in the i18n messages.
export function validateAnswers(items, answers) {
  const errors = {}
  for (const it of items || []) {
    const v = answers?.[it.id]
    const required = it.required !== false
    switch (it.kind) {
      case 'check':
      case 'signature':
        if (required && v !== true) errors[it.id] = { key: it.kind === 'signature' ? 'duty.validation.sign' : 'duty.validation.check' }
        break
      case 'pass_flag_fail':
        if (blank(v)) {
          if (required) errors[it.id] = { key: 'duty.validation.choose' }
        } else if (!PFF.includes(v)) errors[it.id] = { key: 'duty.validation.choose' }
        break
      case 'number': {
        if (blank(v)) {
          if (required) errors[it.id] = { key: 'validation.required' }
          break
        }
        const n = Number(v)
        if (!Number.isFinite(n)) errors[it.id] = { key: 'duty.validation.number' }
        // Only the hard limit refuses; outside the normal range (min/max) is abnormal (isAbnormal).
        else if (it.limit?.min != null && n < it.limit.min) errors[it.id] = { key: 'duty.validation.min', params: { min: it.limit.min, unit: it.unit || '' } }
        else if (it.limit?.max != null && n > it.limit.max) errors[it.id] = { key: 'duty.validation.max', params: { max: it.limit.max, unit: it.unit || '' } }
        break
      }
      default: // text, photo (a reference)
        if (blank(v)) {
          if (required) errors[it.id] = { key: 'validation.required' }
        } else if (new TextEncoder().encode(String(v)).length > 4000) errors[it.id] = { key: 'duty.validation.tooLong' }
    }
  }
  return errors
}

// The answers to send: optional items left empty are left out, text trimmed, numbers as numbers.
// Whether a number answer lies outside its item's normal range: accepted, and recorded as abnormal
// (flagged, and the duty's follow-up runs — docs/runtime.md "Completion").
export function isAbnormal(it, v) {
  if (it.kind !== 'number' || v === '' || v === null || v === undefined) return false
  const n = Number(v)
  return Number.isFinite(n) && ((it.min != null && n < it.min) || (it.max != null && n > it.max))
}

export function answersPayload(items, answers) {
  const out = {}
  for (const it of items || []) {
    const v = answers?.[it.id]
    if (it.kind === 'check' || it.kind === 'signature') {
      if (v === true || it.required !== false) out[it.id] = v === true
    } else if (!blank(v)) out[it.id] = it.kind === 'number' ? Number(v) : String(v).trim()
  }
  return out
}

// The form item a server error names: "answers.status" → "status" (null when it names none).
export function itemOfField(field) {
  const m = /^answers\.(.+)$/.exec(field || '')
  return m ? m[1] : null
}

// 离岗 to a colleague who takes over (R12 §四(二)2(5) 接班人员未到，交班人员不得下岗): the post's
// relief checklist, as GET /posts/{id}/relief answers it. Empty lists: no relief checklist applies.
export function reliefForm(res) {
  const list = (v) => (Array.isArray(v) ? v : [])
  return { items: list(res?.items), clauses: list(res?.clauses), notifyRoles: list(res?.notify_roles) }
}

// The `answers` to send with the leave: the checklist's answers when a colleague takes over and
// the post has a relief checklist with items; otherwise none (undefined) — the server refuses
// answers without a relief colleague (field relief_person_id) or where none applies (field answers).
export function leaveAnswers(form, reliefPersonId, answers) {
  if (!reliefPersonId || !form?.items?.length) return undefined
  return answersPayload(form.items, answers)
}
