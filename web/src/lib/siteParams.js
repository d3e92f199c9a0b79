// 站点参数 (issue 17 §8, docs/console.md): the parameters the pack and the modules declare for a site
// (GET /api/v1/sites/{id}/parameters). Most have no default on purpose — the regulations give no
// figure — so an unset one is shown as 未设置, never prefilled. The server checks every value; the
// checks here only catch a typing slip before the round trip and mirror the server's formats.

// The screen's groups, in order. A parameter's group follows what its `rule` says uses it: a
// penalty's fine, a post's requirement, an assessment's weight, a service level, a module's setting
// ("service: …"), else a procedure's, checklist's or duty's time limit.
export const GROUPS = ['fines', 'posts', 'timeLimits', 'serviceLevels', 'weights', 'modules']

export function groupOf(entry) {
  const rule = String(entry?.rule || '')
  if (entry?.kind === 'yuan' || rule.startsWith('penalty')) return 'fines'
  if (rule.startsWith('post ')) return 'posts'
  if (entry?.kind === 'weight' || rule.startsWith('assessment')) return 'weights'
  if (rule.startsWith('service level')) return 'serviceLevels'
  if (/^[a-z_]+:/.test(rule)) return 'modules'
  return 'timeLimits'
}

// [{ group, items }] in GROUPS order, empty groups left out, items in the server's order.
export function grouped(entries) {
  const by = new Map(GROUPS.map((g) => [g, []]))
  for (const e of entries || []) by.get(groupOf(e)).push(e)
  return GROUPS.filter((g) => by.get(g).length).map((group) => ({ group, items: by.get(group) }))
}

const DURATION = /^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/

// '' when `value` has the form the server takes for `kind`, else the key of the hint to show
// (siteParams.formats.<kind>).
export function checkValue(kind, value) {
  const v = String(value ?? '').trim()
  const bad = `siteParams.formats.${kind}`
  if (!v) return 'siteParams.required'
  switch (kind) {
    case 'duration':
      return DURATION.test(v) && /\d/.test(v) ? '' : bad
    case 'yuan':
      return /^\d+(\.\d{1,2})?$/.test(v) ? '' : bad
    case 'weight': {
      if (!/^\d+(\.\d+)?$/.test(v)) return bad
      const n = Number(v)
      return n >= 0 && n <= 1 ? '' : bad
    }
    case 'list':
      return v.split(',').every((x) => x.trim() !== '') ? '' : bad
    case 'time_range': {
      // A shift's hours (HH:MM-HH:MM, 24:00 only as an end; start and end differ), as the server.
      const m = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(v)
      if (!m) return bad
      const [a, b] = [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])]
      return a < 1440 && b <= 1440 && a !== b ? '' : bad
    }
    default:
      return ''
  }
}

// A list typed with Chinese commas or spaces around the items is sent as the server's "a,b,c".
export function normalise(kind, value) {
  const v = String(value ?? '').trim()
  if (kind !== 'list') return v
  return v
    .split(/[,，、]/)
    .map((x) => x.trim())
    .join(',')
}

// What in the pack uses a parameter, from its `rule` ("checklist r02-handover", "service level
// r20-fire-119", "discipline r03-progressive / educate", "post 消防控制室值班岗"): { kind, id }, or
// null for a module's setting or a rule of no single id. The console shows the id's pack title.
const USERS = ['service level', 'procedure', 'checklist', 'duty', 'penalty', 'assessment', 'discipline', 'post']
export function usedBy(entry) {
  const rule = String(entry?.rule || '')
  const kind = USERS.find((k) => rule.startsWith(`${k} `))
  if (!kind) return null
  const id = rule.slice(kind.length + 1).split(' / ')[0].trim()
  return id ? { kind: kind.replace(' ', '_'), id } : null
}
