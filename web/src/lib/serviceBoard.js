// The supervisor board and the customer 360° view (issue 18 §10): what the screens compute from
// GET /service/board and /service/customers/{id}/overview, kept out of the .vue files to be tested.

// Minutes waited → { h, m } (the screen says "1 小时 5 分" or "35 分").
export function splitMinutes(minutes) {
  const n = Math.max(0, Math.floor(Number(minutes) || 0))
  return { h: Math.floor(n / 60), m: n % 60 }
}

// The site's totals over the queues on the board; an agent on two queues' posts counts once.
export function boardTotals(queues = []) {
  const people = new Set()
  const out = { open: 0, unassigned: 0, atRisk: 0, breached: 0, agents: 0 }
  for (const q of queues) {
    out.open += q.open_total
    out.unassigned += q.unassigned
    out.atRisk += q.at_risk
    out.breached += q.breached
    for (const a of q.agents) people.add(a.person_id)
  }
  out.agents = people.size
  return out
}

// Whom a ticket of `queuePostId` may be handed to from the board: the agents on that queue's post
// first (least loaded first), then those on the other queues' posts; never its current holder.
export function assignCandidates(queues = [], queuePostId, currentAssignee = null) {
  const seen = new Set([currentAssignee])
  const out = []
  const add = (agents, here) => {
    for (const a of [...agents].sort((x, y) => x.load - y.load || x.person_id - y.person_id)) {
      if (seen.has(a.person_id)) continue
      seen.add(a.person_id)
      out.push({ person_id: a.person_id, name: a.name, load: a.load, here })
    }
  }
  const own = queues.find((q) => q.queue_post_id === queuePostId)
  if (own) add(own.agents, true)
  for (const q of queues) if (q !== own) add(q.agents, false)
  return out
}

// A flagged ticket's flag: 'breached' over 'at_risk'; null for neither.
export const ticketFlag = (t) => (t?.breached ? 'breached' : t?.at_risk ? 'at_risk' : null)

// The queue's tone on the board: danger with a breach, warning with a risk or nobody on the post
// while tickets wait, else plain.
export function queueTone(q) {
  if (q.breached > 0) return 'danger'
  if (q.at_risk > 0 || (q.agents.length === 0 && q.open_total > 0)) return 'warning'
  return 'plain'
}

// The customer's satisfaction as the 360° view shows it: "满意 n/m" needs both figures; null with no
// answer (the view says 暂无).
export function satisfactionOf(counts) {
  if (!counts || !counts.surveys_answered) return null
  return { satisfied: counts.surveys_satisfied, answered: counts.surveys_answered, percent: Math.round((100 * counts.surveys_satisfied) / counts.surveys_answered) }
}
