// 宿舍管理 helpers (docs/rooms.md, docs/console.md). The server decides every rule; these only read.

// The pass/flag/fail items of the pack's room inspection checklist (R04 §检查), in the pack's
// order, from GET /api/v1/room-inspection-form.
export async function inspectionItems(getForm) {
  const form = await getForm()
  return (form.items || []).map((it) => ({ id: it.id, label: it.label || it.id }))
}

// When a rectification deadline given as a duration (3d, 12h) or an ISO time falls, from the
// inspection's time; null when it cannot be read.
export function deadlineAt(inspectedAt, deadline) {
  if (!deadline) return null
  const m = /^(\d+)\s*([dhw])$/.exec(String(deadline).trim())
  if (m) {
    const start = Date.parse(inspectedAt)
    if (Number.isNaN(start)) return null
    const unit = { h: 3600e3, d: 86400e3, w: 7 * 86400e3 }[m[2]]
    return new Date(start + Number(m[1]) * unit)
  }
  const t = Date.parse(deadline)
  return Number.isNaN(t) ? null : new Date(t)
}

// Free beds of a room, and the people of the site not housed in it, for the pickers.
export const freeBeds = (room) => (room?.beds || []).filter((b) => !b.person_id)
export const occupants = (room) => (room?.beds || []).filter((b) => b.person_id)
// The room's lockers nobody holds (一人一柜, R04 §二2), for the allocation's picker.
export const freeLockers = (room) => (room?.lockers || []).filter((l) => !l.person_id)

// The 值日表 the 舍长 saves (PUT /api/v1/rooms/{id}/rota): the rows as edited, each day given to
// the occupant picked; a row with nobody picked is left out.
export const rotaDays = (rows) =>
  (rows || []).filter((d) => d.person_id).map((d) => ({ date: d.date, person_id: d.person_id }))

// ---- Office screen and phone screens (issue 19 §1, §5) ----

// The site-local calendar date (YYYY-MM-DD) of `now` in time zone `zone`: the 值日表 is by day.
export function siteDate(now, zone = 'Asia/Shanghai') {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now)
  const get = (type) => parts.find((p) => p.type === type)?.value
  return `${get('year')}-${get('month')}-${get('day')}`
}

// The 值日表 entry of `date` (null: none).
export const dutyOn = (rota, date) => (rota || []).find((d) => d.date === date) || null

// The room and bed of a person among the site's rooms, or null.
export function bedOf(rooms, personId) {
  if (!personId) return null
  for (const room of rooms || []) {
    const bed = (room.beds || []).find((b) => b.person_id === personId)
    if (bed) return { room, bed }
  }
  return null
}

// An amount typed in yuan ("120", "120.5", "0.05") as whole fen, or null when it is not a positive
// amount with at most two decimals (the server counts money in fen).
export function yuanToFen(text) {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(String(text ?? '').trim())
  if (!m) return null
  const fen = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
  return fen > 0 ? fen : null
}
export const fenToYuan = (fen) => (Number(fen || 0) / 100).toFixed(2)

// The room applications among requests: those whose type is one of the pack's application types.
export const roomApplications = (requests, types) => {
  const ids = new Set((types || []).map((t) => t.id))
  return (requests || []).filter((r) => ids.has(r.type))
}

// The facts an application was decided on, as {name, value} rows (applicant.* inputs; the prefix
// is the module's, the names the pack's).
export const applicationFacts = (request) =>
  Object.entries(request?.inputs || {})
    .filter(([name]) => name.startsWith('applicant.'))
    .map(([name, value]) => ({ name, value }))

// A violation whose consequence revokes an eligibility (取消资格), not overturned.
export const revokes = (v) => Array.isArray(v?.consequence?.revoke) && v.consequence.revoke.length > 0 && v.state !== 'overturned'

// The open rectifications of a room's inspections (flagged, not yet closed), newest first.
export const openRectifications = (inspections) => (inspections || []).filter((i) => i.open).reverse()
