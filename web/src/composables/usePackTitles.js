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
export function usePackTitles() {
  loadPackTitles()
  const rule = (id) => (id && titles.rules[id]) || id || ''
  const state = (procedure, id) => titles.states[procedure]?.[id] || id || ''
  const event = (procedure, name) => titles.events[procedure]?.[name] || name || ''
  return { titles, rule, state, event }
}
