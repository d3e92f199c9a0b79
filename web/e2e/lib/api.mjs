// A session of the API from Node (a second device, a machine): cookie + CSRF token, like the console.
import assert from 'node:assert/strict'

export async function apiSession(server, username) {
  const res = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: server.credentials.get(username).password }) })
  assert.equal(res.status, 200, `login ${username}`)
  const body = await res.json()
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const call = async (method, path, payload) => {
    const r = await fetch(`${server.url}/api/v1/${path}`, { method, headers: { Cookie: cookie, 'X-CSRF-Token': body.csrf_token, 'Content-Type': 'application/json' }, body: payload === undefined ? undefined : JSON.stringify(payload), signal: AbortSignal.timeout(10000) })
    const text = await r.text()
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text}`)
    return text ? JSON.parse(text) : null
  }
  return { account: body.account, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b ?? {}), put: (p, b) => call('PUT', p, b ?? {}) }
}

// The journal records of `kind`, every page read (bounded: 100 pages of 200).
export async function journalOf(session, kind) {
  const out = []
  let cursor = ''
  for (let i = 0; i < 100; i++) {
    const page = await session.get(`journal?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    out.push(...page.items.filter((j) => j.kind === kind))
    cursor = page.next_cursor
    if (!cursor) break
  }
  return out
}
