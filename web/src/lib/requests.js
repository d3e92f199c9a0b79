// Pure helpers for requests and approvals (unit-tested): the inputs of a request type as form
// fields, the typed inputs to send, and the step a decider is about to decide.

// Input names like "request.copy" / "applicant.company_staff" → a field per input, typed by the
// schema (bool, number, string, list), in the order the pack declares them.
export function inputFields(type) {
  return Object.entries(type?.inputs || {}).map(([name, kind]) => ({ name, kind }))
}

export function emptyInputs(type) {
  const out = {}
  for (const f of inputFields(type)) out[f.name] = f.kind === 'bool' ? false : f.kind === 'list' ? [] : f.kind === 'number' ? null : ''
  return out
}

// Every declared input is sent (the server wants a request to say what it asks for); a list is
// sent as strings, a number as a number. Returns { inputs, errors } with errors { name: key }.
export function typedInputs(type, values) {
  const inputs = {}
  const errors = {}
  for (const { name, kind } of inputFields(type)) {
    const v = values?.[name]
    if (kind === 'bool') inputs[name] = v === true
    else if (kind === 'number') {
      const n = v === '' || v === null || v === undefined ? NaN : Number(v)
      if (Number.isFinite(n)) inputs[name] = n
      else errors[name] = 'validation.required'
    } else if (kind === 'list') inputs[name] = (Array.isArray(v) ? v : String(v || '').split(/[,，\n]/)).map((s) => String(s).trim()).filter(Boolean)
    else {
      const s = String(v ?? '').trim()
      if (s) inputs[name] = s
      else errors[name] = 'validation.required'
    }
  }
  return { inputs, errors }
}

// The first open step the viewer may decide (the server's default step), or null.
export const myStep = (request) => (request?.steps || []).find((s) => s.state === 'open' && s.you_may_decide) || null

export const requestBadge = (s) => ({ pending: 'badge-pending', approved: 'badge-valid', rejected: 'badge-expired', withdrawn: 'badge-none' })[s] || 'badge-none'

// The clause ids an error cites (a prohibition's 403, an unmet precondition's 409).
export const citedClauses = (err) => (Array.isArray(err?.clauses) && err.clauses.length ? err.clauses : err?.clause ? [err.clause] : [])
