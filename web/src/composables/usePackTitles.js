import { reactive } from 'vue'
import { api } from '../api/index.js'

// The pack's titles by id (GET /policy/titles), fetched once per page load and shared by every view:
// a console for operators shows 「四班三运转」, never r09-four-team-three-shift (issue 17 §7).
const titles = reactive({ rules: {}, states: {}, events: {}, loaded: false })
let pending = null

export function loadPackTitles() {
  if (titles.loaded || pending) return pending || Promise.resolve(titles)
  pending = api
    .policyTitles()
    .then((t) => Object.assign(titles, { rules: t?.rules || {}, states: t?.states || {}, events: t?.events || {}, loaded: true }))
    .catch(() => titles)
    .finally(() => (pending = null))
  return pending
}

// rule(id): the rule's title, else the id itself (the pack may have changed since).
// state(procedure, id) and event(procedure, name): a procedure's state, and what an event leads to.
// titleOnly(id): the title or '' (a code shown beside its title, never alone as if it were one).
export function usePackTitles() {
  loadPackTitles()
  const rule = (id) => (id && titles.rules[id]) || id || ''
  const state = (procedure, id) => titles.states[procedure]?.[id] || id || ''
  const event = (procedure, name) => titles.events[procedure]?.[name] || name || ''
  // A penalty code's title (R15-LATE → 迟到…), '' when the pack has none: shown beside the code.
  const titleOnly = (id) => (id && titles.rules[id]) || ''
  return { titles, rule, state, event, titleOnly }
}
