// 宿舍管理 helpers (docs/rooms.md, docs/console.md). The server decides every rule; these only read.

// The pass/flag/fail items of the pack's room inspection checklist (R04 §检查), in the pack's order.
// The API has no route listing them yet, so they are read from the server's own validation of
// POST /rooms/{id}/inspections: answers naming every item found so far plus one name no checklist
// holds are refused with 400 — the next missing item (field `answers.ID`, its label in 「」) or, once
// all are named, rooms.unknown_item. Every probe is refused before anything is written. Bounded.
export const PROBE_KEY = '__probe__'
export async function inspectionItems(inspect, roomId, maxItems = 60) {
  const items = []
  for (let i = 0; i < maxItems; i++) {
    const answers = Object.fromEntries(items.map((it) => [it.id, 'pass']))
    answers[PROBE_KEY] = 'pass'
    try {
      await inspect(roomId, { answers })
      return items // not reached: the unknown name is always refused
    } catch (e) {
      const next = nextItem(e)
      if (!next) {
        if (e?.reason === 'rooms.unknown_item') return items
        throw e
      }
      items.push(next)
    }
  }
  return items
}

// The item a 400 `required` refusal names, or null.
export function nextItem(e) {
  const field = e?.field || ''
  if (e?.status !== 400 || !field.startsWith('answers.')) return null
  const m = /「(.+?)」/.exec(e.message || '')
  return { id: field.slice('answers.'.length), label: m ? m[1] : field.slice('answers.'.length) }
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
