import { describe, expect, it, vi } from 'vitest'
import { createI18n } from 'vue-i18n'
import { ApiError, codeForStatus, createClient, errorFromResponse, errorMessage } from '../../src/api/client.js'
import zhCN from '../../src/i18n/locales/zh-CN.js'
import en from '../../src/i18n/locales/en.js'

// A tiny fake of the server: records requests, answers from a table.
function fakeFetch(answers) {
  const calls = []
  const fn = vi.fn(async (url, init) => {
    calls.push({ url, ...init })
    const a = typeof answers === 'function' ? answers(url, init) : answers
    if (a instanceof Error) throw a
    const body = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body)
    return { status: a.status, ok: a.status >= 200 && a.status < 300, text: async () => body }
  })
  fn.calls = calls
  return fn
}

function i18nFor(locale) {
  const i = createI18n({ legacy: false, locale, fallbackLocale: 'zh-CN', messages: { 'zh-CN': zhCN, en } })
  return { t: i.global.t, te: i.global.te }
}

describe('createClient', () => {
  it('sends the CSRF token on state-changing requests only', async () => {
    const f = fakeFetch({ status: 200, body: { items: [], next_cursor: null } })
    const c = createClient({ base: 'api/v1', fetchImpl: f, getCsrfToken: () => 'tok123' })
    await c.get('sites', { site_id: 3, cursor: null, limit: 50 })
    await c.post('sites', { name: '一号站' })
    expect(f.calls[0].url).toBe('api/v1/sites?site_id=3&limit=50')
    expect(f.calls[0].headers['X-CSRF-Token']).toBeUndefined()
    expect(f.calls[1].method).toBe('POST')
    expect(f.calls[1].headers['X-CSRF-Token']).toBe('tok123')
    expect(f.calls[1].headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(f.calls[1].body)).toEqual({ name: '一号站' })
    expect(f.calls[1].credentials).toBe('same-origin')
  })

  it('returns parsed JSON, and null for 204', async () => {
    const c1 = createClient({ fetchImpl: fakeFetch({ status: 201, body: { id: 7, name: 'x' } }) })
    expect(await c1.post('people', {})).toEqual({ id: 7, name: 'x' })
    const c2 = createClient({ fetchImpl: fakeFetch({ status: 204 }) })
    expect(await c2.post('logout', {})).toBeNull()
  })

  it('maps an error body to an ApiError with code, message and field', async () => {
    const c = createClient({
      fetchImpl: fakeFetch({ status: 400, body: { error: { code: 'invalid_argument', message: 'name is required', field: 'name' } } }),
    })
    const err = await c.post('sites', {}).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 400, code: 'invalid_argument', serverMessage: 'name is required', field: 'name' })
  })

  it('falls back to the HTTP status when the body is not an error object', async () => {
    const c = createClient({ fetchImpl: fakeFetch({ status: 503, body: '<html>busy</html>' }) })
    const err = await c.get('sites').catch((e) => e)
    expect(err.code).toBe('unavailable')
    expect(err.serverMessage).toBe('')
  })

  it('turns a failed fetch into a network error', async () => {
    const c = createClient({ fetchImpl: fakeFetch(new TypeError('Failed to fetch')) })
    const err = await c.get('me').catch((e) => e)
    expect(err).toMatchObject({ status: 0, code: 'network' })
  })

  it('calls onUnauthenticated on 401 unless the call is quiet', async () => {
    const onUnauth = vi.fn()
    const f = fakeFetch({ status: 401, body: { error: { code: 'unauthenticated', message: 'sign in' } } })
    const c = createClient({ fetchImpl: f, onUnauthenticated: onUnauth })
    await c.get('sites').catch(() => {})
    expect(onUnauth).toHaveBeenCalledTimes(1)
    await c.request('POST', 'login', { body: {}, quiet401: true }).catch(() => {})
    expect(onUnauth).toHaveBeenCalledTimes(1)
  })

  it('reports an unreadable success body', async () => {
    const c = createClient({ fetchImpl: fakeFetch({ status: 200, body: 'not json' }) })
    expect((await c.get('me').catch((e) => e)).code).toBe('bad_response')
  })
})

describe('errorFromResponse / codeForStatus', () => {
  it('knows the usual statuses', () => {
    expect(codeForStatus(401)).toBe('unauthenticated')
    expect(codeForStatus(403)).toBe('permission_denied')
    expect(codeForStatus(429)).toBe('resource_exhausted')
    expect(codeForStatus(418)).toBe('invalid_argument')
    expect(codeForStatus(599)).toBe('internal')
  })
  it('accepts a parsed body', () => {
    const e = errorFromResponse(409, { error: { code: 'conflict', message: 'username taken', field: 'username' } })
    expect(e).toMatchObject({ code: 'conflict', field: 'username', serverMessage: 'username taken' })
  })
  it('ignores an empty code', () => {
    expect(errorFromResponse(404, { error: { code: '', message: 'no such person' } }).code).toBe('not_found')
  })
})

describe('errorMessage', () => {
  const err = new ApiError({ status: 400, code: 'invalid_argument', message: 'expires_on must be YYYY-MM-DD', field: 'expires_on' })

  it('renders Chinese with the localised field and no English server message', () => {
    const { t, te } = i18nFor('zh-CN')
    const text = errorMessage(err, t, te)
    expect(text).toContain('提交的内容不符合要求')
    expect(text).toContain('有效期至')
    expect(text).not.toContain('expires_on must be YYYY-MM-DD')
    expect(text).not.toContain('服务器说明')
  })

  it('renders English, with the server message', () => {
    const { t, te } = i18nFor('en')
    const text = errorMessage(err, t, te)
    expect(text).toContain('The submitted data is not valid')
    expect(text).toContain('Expires on')
    expect(text).toContain('server says: expires_on must be YYYY-MM-DD')
  })

  it('renders the wrong-password and rate-limit answers readably', () => {
    const { t, te } = i18nFor('zh-CN')
    expect(errorMessage(new ApiError({ status: 401, code: 'unauthenticated', message: 'wrong username or password' }), t, te)).toMatch(/^用户名或密码不正确/)
    expect(errorMessage(new ApiError({ status: 429, code: 'resource_exhausted' }), t, te)).toBe('尝试次数过多，请稍后再试')
  })

  it('says what it does not know in Chinese, without the English', () => {
    const { t, te } = i18nFor('zh-CN')
    const text = errorMessage(new ApiError({ status: 418, code: 'teapot', message: 'short and stout', field: 'spout' }), t, te)
    expect(text).toContain('teapot')
    expect(text).toContain('418')
    expect(text).toContain('所填内容') // an unknown field is not shown by its raw id
    expect(text).not.toContain('short and stout')
    const en = i18nFor('en')
    expect(errorMessage(new ApiError({ status: 418, code: 'teapot', message: 'short and stout' }), en.t, en.te)).toContain('short and stout')
  })

  it('handles a plain Error', () => {
    const { t, te } = i18nFor('en')
    expect(errorMessage(new Error('boom'), t, te)).toBe('An unknown error occurred: boom')
  })

  it('has a translation for every code the server emits', () => {
    const serverCodes = ['not_found', 'conflict', 'invalid_argument', 'permission_denied', 'unauthenticated', 'failed_precondition', 'resource_exhausted', 'unavailable', 'corruption', 'internal']
    for (const code of serverCodes) {
      expect(zhCN.errors.codes[code], code).toBeTruthy()
      expect(en.errors.codes[code], code).toBeTruthy()
    }
  })
})
