// Which kind of user an account is, from its role grants. The role names come from the policy pack
// (`admin`/`管理员` today; operator and head roles arrive with the runtime), so matching is by
// well-known names in Chinese and English, and an unknown role is treated as an ordinary employee.

const ADMIN = [/^admin(istrator)?$/i, /^管理员$/, /^系统管理员$/]
// Roles defined by `zhidu serve` today (src/app/roles.cpp): admin, 部长, 中控员, 消防控制室值班员, 值班长,
// 秩序维护主管, 客服专员, 客服主管, 客服经理, 礼宾员, 厅经理, 舍长, 办公室, 员工.
const HEAD = [/head/i, /director/i, /^部长$/, /部门经理/]
const OPERATOR = [/operator/i, /shift[_ -]?lead/i, /中控员/, /值班员/, /值班长/, /秩序维护主管/]

const matches = (list, name) => list.some((re) => re.test(name))

export function roleKinds(account) {
  const kinds = new Set()
  for (const g of account?.roles || []) {
    const name = String(g.role || '')
    if (matches(ADMIN, name)) kinds.add('admin')
    else if (matches(HEAD, name)) kinds.add('head')
    else if (matches(OPERATOR, name)) kinds.add('operator')
    else kinds.add('employee')
  }
  if (kinds.size === 0) kinds.add('employee')
  return kinds
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
