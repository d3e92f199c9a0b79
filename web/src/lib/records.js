// Pure helpers for the visitor register (访客登记), footage (录像), equipment tests (设备测试),
// repairs (报修单) and procedure transitions (unit-tested in tests/unit/records.test.js). The
// server decides every rule; these only choose what to show and check a form before it is sent.

const ms = (iso) => {
  const t = new Date(iso).getTime()
  return Number.isFinite(t) ? t : NaN
}
const blank = (v) => v === undefined || v === null || String(v).trim() === ''

// ---- visits (docs/visitors.md) ----
export const VISIT_STATES = ['registered', 'entered', 'exited']
export const visitBadge = (s) => ({ registered: 'badge-pending', entered: 'badge-expiring', exited: 'badge-none' })[s] || 'badge-none'
// The button a visit offers next: entry once registered, exit once entered, none after.
export const visitNext = (v) => (v?.state === 'registered' ? 'entry' : v?.state === 'entered' ? 'exit' : null)

// Request types that are entry requests of a place (GET /request-types → entry_places), by id.
export function entryTypes(types) {
  const out = new Map()
  for (const t of types || []) if (Array.isArray(t.entry_places) && t.entry_places.length) out.set(t.id, t)
  return out
}

// The entry requests a visit may be registered under: entry types, pending or approved (a pending
// one is offered so the server's refusal citing the clause is seen), none already registered.
// Approved first, then newest first.
export function registrableRequests(requests, types, visits) {
  const entry = entryTypes(types)
  const used = new Set((visits || []).map((v) => v.request_id))
  const rank = (r) => (r.state === 'approved' ? 0 : 1)
  return (requests || [])
    .filter((r) => entry.has(r.type) && (r.state === 'approved' || r.state === 'pending') && !used.has(r.id))
    .sort((a, b) => rank(a) - rank(b) || b.id - a.id)
}

// The place a visit under this request is registered at (the first place whose access rule
// names the request type), or ''.
export const placeOf = (request, types) => entryTypes(types).get(request?.type)?.entry_places?.[0]?.place || ''

// The escort the approver named (the last decision naming one), or null.
export function namedEscort(request) {
  const named = (request?.decisions || []).filter((d) => d.escort_person_id)
  return named.length ? named[named.length - 1].escort_person_id : null
}

// Checks the registration form: { errors: { field: i18nKey }, body }.
export function visitPayload(form, request, types) {
  const errors = {}
  if (!request) errors.request_id = 'validation.required'
  if (blank(form.name)) errors.name = 'validation.required'
  else if (String(form.name).trim().length > 100) errors.name = 'visitors.nameTooLong'
  if (!form.visitor_signed) errors.visitor_signed = 'visitors.signRequired'
  const body = {
    site_id: request?.site_id,
    place: placeOf(request, types),
    request_id: request?.id,
    name: String(form.name || '').trim(),
    visitor_signed: !!form.visitor_signed,
  }
  for (const k of ['company', 'reason']) if (!blank(form[k])) body[k] = String(form[k]).trim()
  if (form.escort_person_id && !namedEscort(request)) body.escort_person_id = form.escort_person_id
  return { errors, body }
}

// ---- footage (录像) ----
// May the segment be deleted at `now` (its retention has run out)? The server still decides.
export const retentionOver = (segment, now = Date.now()) => !segment?.keep_until || ms(segment.keep_until) <= now
// The caller's approved requests that might allow viewing (the server checks which type allows
// it: R16 §一7 / R12 §三(五)); the footage-looking ones (a request.copy input, or a subject naming
// 录像/视频) first.
export function viewRequests(requests, types) {
  const byId = new Map((types || []).map((t) => [t.id, t]))
  const looks = (r) => {
    const t = byId.get(r.type)
    return t && ('request.copy' in (t.inputs || {}) || /录像|视频/.test(`${t.subject || ''}${t.title || ''}`)) ? 0 : 1
  }
  return (requests || []).filter((r) => r.state === 'approved').sort((a, b) => looks(a) - looks(b) || b.id - a.id)
}
// Register form for a segment → { errors, body }; times are Date objects or ISO text.
export function footagePayload(form, toIso) {
  const errors = {}
  for (const k of ['camera', 'storage_ref', 'starts_at', 'ends_at']) if (blank(form[k])) errors[k] = 'validation.required'
  const start = ms(form.starts_at)
  const end = ms(form.ends_at)
  if (!errors.starts_at && !errors.ends_at && !(end > start)) errors.ends_at = 'footage.endAfterStart'
  const body = { site_id: form.site_id, camera: String(form.camera || '').trim(), storage_ref: String(form.storage_ref || '').trim() }
  if (!errors.starts_at) body.starts_at = toIso(new Date(start))
  if (!errors.ends_at) body.ends_at = toIso(new Date(end))
  if (!blank(form.tape)) body.tape = String(form.tape).trim()
  return { errors, body }
}

// ---- equipment tests (设备测试, R20 §五) ----
// How far back to look for a test duty's instances: two periods, so the last one's outcome
// (done, late, missed) shows beside the current one.
const DAY = 86400000
export const LOOKBACK_MS = { shift: 2 * DAY, workday: 5 * DAY, day: 3 * DAY, week: 15 * DAY, month: 63 * DAY, quarter: 185 * DAY, half_year: 370 * DAY, year: 735 * DAY }
export const lookback = (period) => LOOKBACK_MS[period] || 3 * DAY

// The plan report's test duties (form kind `test`), in a stable order: shortest period first.
const ORDER = ['shift', 'workday', 'day', 'week', 'month', 'quarter', 'half_year', 'year']
export function testDuties(report) {
  const rank = (p) => (ORDER.includes(p) ? ORDER.indexOf(p) : ORDER.length)
  return (report || []).filter((d) => d.form_kind === 'test').sort((a, b) => rank(a.period) - rank(b.period) || String(a.duty).localeCompare(String(b.duty)))
}

// What a test instance shows at `now`: open (may be completed), overdue (completing it now is
// late), upcoming, or its closed state.
export function testStatus(inst, now = Date.now()) {
  if (!inst) return 'none'
  if (inst.state === 'due' || inst.state === 'in_progress') return ms(inst.window_end) <= now ? 'overdue' : 'open'
  return inst.state // scheduled | done | late | missed | cancelled
}
export const testBadge = (s) => ({ open: 'badge-pending', overdue: 'badge-expiring', scheduled: 'badge-none', done: 'badge-valid', late: 'badge-expiring', missed: 'badge-expired', cancelled: 'badge-none' })[s] || 'badge-none'
export const mayComplete = (inst, now = Date.now()) => ['open', 'overdue'].includes(testStatus(inst, now)) && ms(inst.miss_at) > now

// 设备测试 lists today first (issue 17 §8): each test's instances with the one to do now (open or
// overdue) first, then the newest; the tests with something to do now before the others (each
// group keeps its order, shortest period first).
export function todayFirst(tests, now = Date.now()) {
  const pending = (inst) => ['open', 'overdue'].includes(testStatus(inst, now))
  const out = (tests || []).map((x) => ({ ...x, instances: [...(x.instances || [])].sort((a, b) => pending(b) - pending(a) || ms(b.due_at) - ms(a.due_at)) }))
  const due = (x) => x.instances.some(pending)
  return [...out.filter(due), ...out.filter((x) => !due(x))]
}

// ---- repairs (报修单, docs/repairs.md) ----
export const REPAIR_STATES = ['open', 'assigned', 'in_progress', 'fixed', 'closed', 'cancelled']
export const repairBadge = (s) => ({ open: 'badge-expired', assigned: 'badge-pending', in_progress: 'badge-pending', fixed: 'badge-expiring', closed: 'badge-valid', cancelled: 'badge-none' })[s] || 'badge-none'
// An action's body, checked first: cancel and reopen need a reason, assign a role or a person.
export function repairActionPayload(action, form) {
  const errors = {}
  const body = { action }
  const note = String(form?.note || '').trim()
  if ((action === 'cancel' || action === 'reopen') && !note) errors.note = 'validation.required'
  if (action === 'assign') {
    const role = String(form?.role || '').trim()
    if (!role && !form?.person_id) errors.role = 'repairs.assignWho'
    if (role) body.role = role
    if (form?.person_id) body.person_id = form.person_id
  }
  if (note) body.note = note
  return { errors, body }
}

// ---- procedures ----
// A transition button's label: the pack's title of the state it leads to (zh-CN), else its id.
export const transitionLabel = (a) => a?.to_title || a?.to || a?.event || ''
// A state's title from the view's state_titles, else the id.
export const stateTitle = (view, id) => view?.state_titles?.[id] || id || ''

// A reference as a reader says it: "log/2" → 值班记录 2 号, "api/v1/repairs/1" → 报修单 1 号,
// "alarm-point/3" → 报警点 3 号 (refs.* in the locales); never the raw path (issue 17 §7).
const REF_KINDS = { logs: 'log', 'duty-log': 'log', duties: 'duty', violations: 'violation', repairs: 'repair', alarms: 'alarm', 'alarm-points': 'alarm_point', 'alarm-point': 'alarm_point', handovers: 'handover', procedures: 'procedure', visits: 'visit', footage: 'footage', people: 'person', posts: 'post', sites: 'site' }
export function refLabel(ref, t, te) {
  const m = /([a-z][a-z_-]*)\/(\d+)\/?$/.exec(String(ref || ''))
  if (!m) return ref ? t('refs.other', { n: '' }).trim() : ''
  const kind = REF_KINDS[m[1]] || m[1].replace(/-/g, '_')
  return te(`refs.${kind}`) ? t(`refs.${kind}`, { n: m[2] }) : t('refs.other', { n: m[2] })
}

// A journal record's kind as a person reads it (issue 17 §7: never "procedure.task_done"): the
// journal.kinds message of the kind ('.' as '_'), else of its longest known prefix (a kind made at
// run time, e.g. attendance.finding.late), else 其他记录.
export function kindText(kind, t, te) {
  const parts = String(kind || '').split('.')
  for (let n = parts.length; n > 0; n--) {
    const key = `journal.kinds.${parts.slice(0, n).join('_')}`
    if (te(key)) return t(key)
  }
  return t('journal.kinds.other')
}
