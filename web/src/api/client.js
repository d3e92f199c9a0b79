// The one way the console talks to `zhidu serve`: JSON over fetch, the session cookie sent by the
// browser, the CSRF token added to every state-changing request, and every failure turned into an
// ApiError that errorMessage() renders in the current language.

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export class ApiError extends Error {
  constructor({ status = 0, code = 'unknown', reason = null, message = '', field = null, diagnostics = [], clause = null, clauses = [], problems = [], cause } = {}) {
    super(message || code)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.reason = reason // the finer, stable name of a refusal (docs/api.md): 'auth.wrong_password', 'required'…
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
      reason: typeof e.reason === 'string' && e.reason ? e.reason : null,
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

// Chinese text (CJK ideographs) and an English phrase: two plain English words in a row, apart only
// by spaces, ASCII punctuation or an arrow ("signs first", "outgoing → incoming"). A word inside an
// identifier (alarm.confirmed_on_site, vip-room) is not plain; full-width punctuation (，) is Chinese.
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/
const ENGLISH_PHRASE = /(?<![\w.-])[A-Za-z]{2,}[\s:;,!?'"()[\]/→=—–]{1,4}[A-Za-z]{2,}(?![\w.-])/
export function isChineseText(text) {
  return CJK.test(String(text || '')) && !ENGLISH_PHRASE.test(String(text || ''))
}

// The Chinese parts of a server message: the server words its refusals in English, quoting the
// pack's Chinese (a prohibition, a rule's title) before " — " or an English aside " (…)". Each
// part that isChineseText is kept: "R16 §一6：任何人员无权拷贝中控室录像 — footage 3 …" →
// ["R16 §一6：任何人员无权拷贝中控室录像"]; "签名失败：密码不正确 (the signature was not made)" →
// ["签名失败：密码不正确"].
const CLAUSE_ID = /R\d+\s*§[^\s：:，,;；]*/g
export function chineseParts(message) {
  return String(message || '')
    .split(/\s+—\s+|\s+\(|;\s+/)
    .map((part) => part.replace(/\)$/, '').trim())
    .filter((part) => isChineseText(part.replace(CLAUSE_ID, ''))) // a bare "R12 §四" says nothing
}

// The subject of a form or inputs error: the pack's own label, which the server quotes 「…」.
function packLabel(message) {
  const m = /「([^」]{1,60})」/.exec(message || '')
  return m ? m[1] : null
}

// The field's name for a reader: fields.* when known, the pack's label for a form item
// (answers.<item>, inputs.<name>), else a generic word — never the raw field id in zh-CN.
export function fieldLabel(err, t, te) {
  if (!err.field) return ''
  const fkey = `fields.${err.field.replace(/\./g, '__')}` // "data.deadline" → fields.data__deadline
  if (te(fkey)) return t(fkey)
  const head = err.field.split('.')[0]
  const label = packLabel(err.serverMessage)
  if (label && ['answers', 'inputs', 'fields'].includes(head)) return label
  if (te(`fields.${head}`)) return t(`fields.${head}`)
  return t('errors.someField')
}

// errorMessage(err, t, te) → one readable line in the current language:
// 1. the reason's own text (errors.reasons.<reason>, with {field}), else the code's meaning;
// 2. the field, when the text does not already name it;
// 3. the clauses a refusal cites;
// 4. the server's own words — all of them in English (errors.serverWords: 'always'); in zh-CN only
//    their Chinese parts (chineseParts), so a zh-CN reader never meets an English sentence.
export function errorMessage(err, t, te = () => false) {
  if (!(err instanceof ApiError)) {
    const text = err && err.message ? String(err.message) : ''
    const shown = t('errors.serverWords') === 'always' ? (text ? [text] : []) : chineseParts(text)
    return shown.length ? `${t('errors.unknown')}: ${shown.join('；')}` : t('errors.unknown')
  }
  const field = fieldLabel(err, t, te)
  const rkey = err.reason ? `errors.reasons.${err.reason}` : ''
  const ckey = `errors.codes.${err.code}`
  let text
  if (rkey && te(rkey)) text = t(rkey, { field: field || t('errors.someField') })
  else text = te(ckey) ? t(ckey) : t('errors.unknownCode', { code: err.code, status: err.status })
  if (field && !text.includes(field)) text += ` (${t('errors.field')}: ${field})`
  const cited = err.clauses.length ? err.clauses : err.clause ? [err.clause] : []
  const uncited = cited.filter((c) => !text.includes(c))
  if (uncited.length) text += t('errors.cites', { clauses: uncited.join('、') })
  const said = err.serverMessage
  if (said && said !== err.code) {
    const shown = t('errors.serverWords') === 'always' ? [said] : chineseParts(said)
    const news = shown.filter((part) => !text.includes(part))
    if (news.length) text += ` — ${t('errors.serverSaid')}: ${news.join('；')}`
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
  // `raw` (a Blob or File) is sent as it is with its own type (photo uploads).
  async function request(method, path, { query, body, raw, signal, quiet401 = false } = {}) {
    method = method.toUpperCase()
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (raw !== undefined) headers['Content-Type'] = raw.type || 'application/octet-stream'
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
        body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
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
