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
