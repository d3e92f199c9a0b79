import { api } from '../api/index.js'

// The pack's record forms (GET /policy/records/{id}) by record id, fetched once per page load: a
// procedure's record:ID step is drawn and printed from them (issue 17 §2).
const forms = new Map()

// The form of a record id, or of a step named "record:ID".
export function recordForm(idOrTask) {
  const id = String(idOrTask || '').replace(/^record:/, '')
  if (!forms.has(id)) forms.set(id, api.policyRecord(id).catch((e) => (forms.delete(id), Promise.reject(e))))
  return forms.get(id)
}
