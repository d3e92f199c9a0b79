// Which kind of user an account is, and what it may do. The server says both (`kinds` and
// `permissions` on /api/v1/me and on login): they come from the permissions the policy pack gives
// its roles and from the pack's posts (docs/console.md), so the console never matches role names —
// a company's own pack names its own roles. Kinds: admin (holds "*"), head (decides violations),
// operator (holds a role a post of the pack needs, or manages duties), employee (none of these).

const KINDS = ['admin', 'head', 'operator', 'employee']

export function roleKinds(account) {
  const kinds = new Set((account?.kinds || []).filter((k) => KINDS.includes(k)))
  if (kinds.size === 0) kinds.add('employee')
  return kinds
}

// Does the account hold `permission` in some grant? A convenience for showing buttons and menus:
// the server checks every request against the resource's site.
export function hasPermission(account, permission) {
  const held = account?.permissions || []
  return held.includes('*') || held.includes(permission)
}

// Where a user lands after signing in: admin → organisation, head → approvals, else → duty board.
export function landingRoute(account) {
  const k = roleKinds(account)
  if (k.has('admin')) return { name: 'org' }
  if (k.has('head')) return { name: 'approvals' }
  return { name: 'duty-board' }
}

// May this account see a route whose meta.kinds lists the kinds allowed (absent = everyone)?
export function allowed(account, kinds) {
  if (!kinds || kinds.length === 0) return true
  const mine = roleKinds(account)
  if (mine.has('admin')) return true
  return kinds.some((k) => mine.has(k))
}
