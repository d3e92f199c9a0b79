// The one way the console talks to `zhidu serve`: JSON over fetch, the session cookie sent by the
// browser, the CSRF token added to every state-changing request, and every failure turned into an
// ApiError that errorMessage() renders in the current language.

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export class ApiError extends Error {
  constructor({ status = 0, code = 'unknown', message = '', field = null, diagnostics = [], clause = null, clauses = [], problems = [], cause } = {}) {
    super(message || code)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.serverMessage = message
    this.field = field
    this.diagnostics = diagnostics // e.g. a refused policy reload's "file:line:col: message" lines
    this.clause = clause // a refusal citing the regulation: the first clause id (R16 §一6)…
    this.clauses = clauses // …and all of them
    this.problems = problems // a refused roster publication: the staffing problems, each with its clauses
    if (cause) this.cause = cause
  }
}

// Error codes the server uses (google.rpc style) and the HTTP status each usually comes with.
// When a body is missing or unreadable, the status decides the code.
const CODE_BY_STATUS = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  412: 'failed_precondition',
  413: 'payload_too_large',
  422: 'invalid_argument',
  429: 'resource_exhausted',
  500: 'internal',
  501: 'unimplemented',
  502: 'unavailable',
  503: 'unavailable',
  504: 'deadline_exceeded',
}

export function codeForStatus(status) {
  if (CODE_BY_STATUS[status]) return CODE_BY_STATUS[status]
  if (status >= 500) return 'internal'
  if (status >= 400) return 'invalid_argument'
  return 'unknown'
}

// Builds an ApiError from a non-2xx response body (already parsed, or raw text).
export function errorFromResponse(status, body) {
  let parsed = body
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body)
    } catch {
      parsed = null
    }
  }
  const e = parsed && typeof parsed === 'object' ? parsed.error : null
  if (e && typeof e === 'object') {
    return new ApiError({
      status,
      code: typeof e.code === 'string' && e.code ? e.code : codeForStatus(status),
      message: typeof e.message === 'string' ? e.message : '',
      field: typeof e.field === 'string' && e.field ? e.field : null,
      diagnostics: Array.isArray(e.diagnostics) ? e.diagnostics.map(String) : [],
      clause: typeof e.clause === 'string' && e.clause ? e.clause : null,
      clauses: Array.isArray(e.clauses) ? e.clauses.map(String) : [],
      problems: Array.isArray(e.problems) ? e.problems.filter((p) => p && typeof p === 'object') : [],
    })
  }
  return new ApiError({ status, code: codeForStatus(status), message: '' })
}

// errorMessage(err, t, te) → one readable line in the current language:
// the localised meaning of the code, then the field (localised when known), then the server's own words.
export function errorMessage(err, t, te = () => false) {
  if (!(err instanceof ApiError)) {
    const text = err && err.message ? String(err.message) : ''
    return text ? `${t('errors.unknown')}: ${text}` : t('errors.unknown')
  }
  const key = `errors.codes.${err.code}`
  let text = te(key) ? t(key) : t('errors.unknownCode', { code: err.code, status: err.status })
  if (err.field) {
    const fkey = `fields.${err.field}`
    const fieldName = te(fkey) ? t(fkey) : err.field
    text += ` (${t('errors.field')}: ${fieldName})`
  }
  if (err.serverMessage && err.serverMessage !== err.code) {
    text += ` — ${t('errors.serverSaid')}: ${err.serverMessage}`
  }
  return text
}

function buildUrl(base, path, query) {
  let url = base.replace(/\/$/, '') + '/' + path.replace(/^\//, '')
  if (query) {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
    }
    const qs = params.toString()
    if (qs) url += (url.includes('?') ? '&' : '?') + qs
  }
  return url
}

// createClient({ base, fetchImpl, getCsrfToken, onUnauthenticated })
//  base: URL prefix of the API ('api/v1' resolves against the page, so a sub-path mount works).
export function createClient({
  base = 'api/v1',
  fetchImpl = (...args) => globalThis.fetch(...args),
  getCsrfToken = () => null,
  onUnauthenticated = () => {},
  timeoutMs = 20000,
} = {}) {
  async function request(method, path, { query, body, signal, quiet401 = false } = {}) {
    method = method.toUpperCase()
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (UNSAFE.has(method)) {
      const token = getCsrfToken()
      if (token) headers['X-CSRF-Token'] = token
    }
    const ctrl = typeof AbortController !== 'undefined' ? new AbortController() : null
    const timer = ctrl ? setTimeout(() => ctrl.abort(), timeoutMs) : null
    if (signal && ctrl) signal.addEventListener('abort', () => ctrl.abort(), { once: true })
    let res
    try {
      res = await fetchImpl(buildUrl(base, path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        signal: ctrl ? ctrl.signal : signal,
      })
    } catch (cause) {
      const aborted = cause && cause.name === 'AbortError'
      throw new ApiError({ status: 0, code: aborted ? 'timeout' : 'network', message: '', cause })
    } finally {
      if (timer) clearTimeout(timer)
    }
    if (res.status === 204) return null
    const text = await res.text()
    if (!res.ok) {
      const err = errorFromResponse(res.status, text)
      if (res.status === 401 && !quiet401) onUnauthenticated(err)
      throw err
    }
    if (!text) return null
    try {
      return JSON.parse(text)
    } catch (cause) {
      throw new ApiError({ status: res.status, code: 'bad_response', message: '', cause })
    }
  }
  return {
    request,
    get: (path, query, opts) => request('GET', path, { ...opts, query }),
    post: (path, body, opts) => request('POST', path, { ...opts, body: body ?? {} }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
    del: (path, opts) => request('DELETE', path, opts),
  }
}
