import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

// The session store against a fake server: the CSRF token from login is what the client sends.
const calls = []
const answers = {}
vi.stubGlobal('fetch', async (url, init) => {
  calls.push({ url, ...init })
  const key = `${init.method} ${url}`
  const a = answers[key] || { status: 404, body: { error: { code: 'not_found', message: 'no such route' } } }
  return { status: a.status, ok: a.status < 300, text: async () => (a.body === undefined ? '' : JSON.stringify(a.body)) }
})

const { useSession } = await import('../../src/stores/session.js')
const { api, bindSession } = await import('../../src/api/index.js')

const account = { id: 1, username: 'admin', person_id: null, roles: [{ role: 'admin', scope_kind: 'global', scope_id: 0 }] }

describe('session store', () => {
  let session
  beforeEach(() => {
    calls.length = 0
    for (const k of Object.keys(answers)) delete answers[k]
    setActivePinia(createPinia())
    session = useSession()
    bindSession({ getCsrfToken: () => session.csrfToken, onUnauthenticated: () => session.markExpired() })
  })

  it('logs in, keeps the CSRF token and sends it on writes', async () => {
    answers['POST api/v1/login'] = { status: 200, body: { account, csrf_token: 'csrf-abc' } }
    answers['POST api/v1/sites'] = { status: 201, body: { id: 5, name: '一号站' } }
    answers['GET api/v1/sites'] = { status: 200, body: { items: [], next_cursor: null } }
    await session.login('admin', 'pw')
    expect(session.signedIn).toBe(true)
    expect(session.csrfToken).toBe('csrf-abc')
    await api.listSites()
    await api.createSite({ name: '一号站' })
    expect(calls[0].headers['X-CSRF-Token']).toBeUndefined() // login itself has no token yet
    expect(calls[1].headers['X-CSRF-Token']).toBeUndefined() // GET
    expect(calls[2].headers['X-CSRF-Token']).toBe('csrf-abc')
  })

  it('restores from GET /me once, and treats 401 as signed out', async () => {
    answers['GET api/v1/me'] = { status: 401, body: { error: { code: 'unauthenticated', message: 'sign in first' } } }
    expect(await session.restore()).toBe(false)
    expect(await session.restore()).toBe(false)
    expect(calls.length).toBe(1)
    expect(session.expired).toBe(false) // never signed in, so nothing "expired"
  })

  it('a 401 while signed in marks the session expired', async () => {
    answers['GET api/v1/me'] = { status: 200, body: { account, csrf_token: 't' } }
    await session.restore()
    answers['GET api/v1/people'] = { status: 401, body: { error: { code: 'unauthenticated', message: 'session ended' } } }
    await expect(api.listPeople()).rejects.toMatchObject({ code: 'unauthenticated' })
    expect(session.signedIn).toBe(false)
    expect(session.expired).toBe(true)
    expect(session.csrfToken).toBeNull()
  })

  it('a wrong password does not sign in and does not count as expiry', async () => {
    answers['POST api/v1/login'] = { status: 401, body: { error: { code: 'unauthenticated', message: 'wrong username or password' } } }
    await expect(session.login('admin', 'nope')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(session.signedIn).toBe(false)
    expect(session.expired).toBe(false)
  })

  it('logout forgets the account and the token even if the server fails', async () => {
    answers['POST api/v1/login'] = { status: 200, body: { account, csrf_token: 'csrf-abc' } }
    await session.login('admin', 'pw')
    answers['POST api/v1/logout'] = { status: 500, body: { error: { code: 'internal', message: 'oops' } } }
    await session.logout().catch(() => {})
    expect(session.signedIn).toBe(false)
    expect(session.csrfToken).toBeNull()
  })
})
