// 在线提交 and 常用回复 (issue 18 §2): what the public form page and the supervisors' screen compute,
// kept out of the .vue files to be tested. The server decides every rule; these only shape input.

// The public link of a form's token on this console ("https://host/#/form/TOKEN").
export function formLink(location, token) {
  const base = `${location.origin}${location.pathname || '/'}`
  return `${base}#/form/${encodeURIComponent(token)}`
}

const REQUIRED = ['name', 'phone', 'subject', 'body']

// The first required field left blank (the server refuses it the same way), or null.
export function missingField(form) {
  return REQUIRED.find((k) => !String(form[k] ?? '').trim()) || null
}

// The submission's body: trimmed, optional fields left out when blank.
export function submissionBody(form) {
  const out = {}
  for (const k of [...REQUIRED, 'company', 'category']) {
    const v = String(form[k] ?? '').trim()
    if (v) out[k] = v
  }
  return out
}

// Canned replies grouped for the editor: the site-wide ones first (scope null), then each queue's
// in `queues` order, each by title; a queue with none keeps an empty group (so a reply can be added).
export function cannedGroups(items = [], queues = []) {
  const byTitle = (a, b) => a.title.localeCompare(b.title, 'zh-CN')
  const groups = [{ scope: null, name: '', items: items.filter((c) => !c.queue_post_id).sort(byTitle) }]
  for (const q of queues) groups.push({ scope: q.id, name: q.name, items: items.filter((c) => c.queue_post_id === q.id).sort(byTitle) })
  return groups
}
