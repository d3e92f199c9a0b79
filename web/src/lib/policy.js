// Pure helpers for the policy browser (unit-tested): coverage shares, clause depth, search.

// Shares (0–100, summing to 100 when there are clauses) of executable / recorded, not enforced /
// citable-only / missing.
export function coverageShares(c) {
  const total = Number(c?.clauses) || 0
  if (total <= 0) return { executable: 0, recorded: 0, citable: 0, missing: 0 }
  const pct = (n) => Math.round(((Number(n) || 0) * 1000) / total) / 10
  const executable = pct(c.executable)
  const recorded = pct(c.recorded)
  const missing = pct(c.missing)
  const citable = Math.max(0, Math.round((100 - executable - recorded - missing) * 10) / 10)
  return { executable, recorded, citable, missing }
}

// First n hex digits of a content hash.
export const shortHash = (h, n = 12) => String(h || '').slice(0, n)

// Depth of each clause (0 = top level) from its parent links; clauses keep document order.
export function withDepth(clauses) {
  const byId = new Map((clauses || []).map((c) => [c.id, c]))
  const depth = (c, guard = 0) => (c.parent && byId.has(c.parent) && guard < 32 ? 1 + depth(byId.get(c.parent), guard + 1) : 0)
  return (clauses || []).map((c) => ({ ...c, depth: depth(c) }))
}

const norm = (s) => String(s ?? '').toLowerCase().replace(/[\s\u3000]+/g, '')
// Clauses whose id or text contain the query (spaces ignored, case-insensitive).
// A matching clause keeps its ancestors visible so the hierarchy still reads.
export function filterClauses(clauses, query) {
  const q = norm(query)
  if (!q) return clauses || []
  const list = clauses || []
  const byId = new Map(list.map((c) => [c.id, c]))
  const keep = new Set()
  for (const c of list) {
    const hay = norm(c.id) + '\n' + norm(c.text)
    if (hay.includes(q)) {
      keep.add(c.id)
      for (let p = c.parent, i = 0; p && byId.has(p) && i < 32; p = byId.get(p).parent, i++) keep.add(p)
    }
  }
  return list.filter((c) => keep.has(c.id))
}

// The regulation code of a clause id: "R12 §四(二)2" → "R12".
export const regulationOf = (clauseId) => String(clauseId || '').split(/\s+/)[0]

// A DOM-safe anchor for a clause id.
export const clauseAnchor = (id) => 'clause-' + Array.from(String(id)).map((ch) => ch.codePointAt(0).toString(36)).join('-')

// Whether a citing rule is executed, recorded (stored or shown, not enforced) or a citable conduct
// rule: the server's `status` (kernel/policy/coverage.cpp CitationStatus).
export function ruleStatus(rule) {
  if (rule?.status) return rule.status
  if (rule?.executable) return 'executed'
  return rule?.kind === 'conduct' ? 'citable' : 'recorded'
}

// How a leaf clause is covered, as the server counts it (kernel/policy/coverage.cpp): by an
// executed rule → 'executable', else by a rule recorded but not enforced → 'recorded', only by
// conduct rules → 'citable', by nothing → 'missing'.
export function clauseCoverage(clause) {
  const rules = clause?.rules || []
  if (rules.some((r) => ruleStatus(r) === 'executed')) return 'executable'
  if (rules.some((r) => ruleStatus(r) === 'recorded')) return 'recorded'
  return rules.length ? 'citable' : 'missing'
}

// For every clause: the coverage counts of the leaves in its subtree ({executable, recorded,
// citable, missing}); a leaf counts itself. Parents come before children in document order.
export function subtreeCoverage(clauses) {
  const list = clauses || []
  const byId = new Map(list.map((c) => [c.id, c]))
  const out = new Map(list.map((c) => [c.id, { executable: 0, recorded: 0, citable: 0, missing: 0 }]))
  for (const c of list) {
    if (c.leaf === false) continue
    const k = clauseCoverage(c)
    out.get(c.id)[k] += 1
    for (let p = c.parent, i = 0; p && byId.has(p) && i < 32; p = byId.get(p).parent, i++) out.get(p)[k] += 1
  }
  return out
}

// Clauses of one coverage kind ('' = all): matching leaves and their ancestors.
export function filterByCoverage(clauses, kind) {
  const list = clauses || []
  if (!kind) return list
  const byId = new Map(list.map((c) => [c.id, c]))
  const keep = new Set()
  for (const c of list) {
    if (c.leaf === false || clauseCoverage(c) !== kind) continue
    keep.add(c.id)
    for (let p = c.parent, i = 0; p && byId.has(p) && i < 32; p = byId.get(p).parent, i++) keep.add(p)
  }
  return list.filter((c) => keep.has(c.id))
}
