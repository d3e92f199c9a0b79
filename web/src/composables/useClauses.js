import { reactive } from 'vue'
import { api } from '../api/index.js'

// Clause texts by id (GET /policy/clauses/{id}), fetched once per page load and shared by every view.
const cache = reactive({})
const pending = new Map()

export function useClauses() {
  function load(id) {
    if (!id || cache[id] || pending.has(id)) return pending.get(id) || Promise.resolve(cache[id])
    const p = api
      .policyClause(id)
      .then((c) => (cache[id] = { id, text: c?.text || '', regulation: c?.regulation_title || '' }))
      .catch(() => (cache[id] = { id, text: '', failed: true }))
      .finally(() => pending.delete(id))
    pending.set(id, p)
    return p
  }
  const text = (id) => {
    load(id)
    return cache[id]?.text || ''
  }
  return { load, text, cache }
}
