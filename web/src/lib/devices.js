// 门禁与录像接入: the points of a source typed one per line as "id = name" (door → place behind
// it, camera → the name the footage register keeps). Blank lines are skipped; a line without "="
// maps the id to itself.
export function parsePoints(text) {
  const points = {}
  for (const line of String(text || '').split(/\r?\n/)) {
    const trimmed = line.trim()
    if (!trimmed) continue
    const at = trimmed.search(/[=＝]/)
    const id = (at < 0 ? trimmed : trimmed.slice(0, at)).trim()
    const name = (at < 0 ? trimmed : trimmed.slice(at + 1)).trim()
    if (id) points[id] = name || id
  }
  return points
}

// The rooms of a doors source (door → room id): the rooms chosen for doors still among `points`,
// each a room whose place is the one `points` gives the door (R04 §二12 presence check-ins).
export function roomsOf(points, chosen, rooms) {
  const place = Object.fromEntries((rooms || []).map((r) => [String(r.id), r.place]))
  const out = {}
  for (const [door, id] of Object.entries(chosen || {})) {
    if (id && door in (points || {}) && place[String(id)] === points[door]) out[door] = id
  }
  return out
}
