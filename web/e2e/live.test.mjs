// End-to-end: live updates over the WebSocket (GET /api/v1/stream) against the real `zhidu serve
// --demo`. op1 on a 390×844 phone watches 值班台 while another session of op1 takes 中控岗 and the
// inspector guard_chief (a second browser) records a violation against op1: the board, the 通知
// badge and 违规台账 change without a reload. Then the server is stopped: the header says
// 连接中断，正在重连…; it is started again on the same data directory and port, a violation is
// recorded while the page is still cut off, and once it reconnects (by itself, resuming with
// ?after=<last id>) that event appears exactly once. Screenshots: test-artifacts/e2e/live-*.png.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { apiSession as apiSessionOf } from './lib/api.mjs'
import { launch, signIn } from './lib/browser.mjs'
import { fillViolationForm } from './lib/steps.mjs'
import { startProxy } from './lib/proxy.mjs'

const STEP_MS = 120000
const CODE = 'R16-MEETING'
const CLAUSE = 'R16 §二12'
let server
let phone
let desk
let pc // op1's other session (the control-room PC), over the API
let relay // the phone reaches the server through this relay, to be cut off on purpose

const shot = (page, name, fullPage = false) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage })
const login = (page, username) => signIn(page, server.url, username, server.credentials.get(username).password)
const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)
const liveState = (page) => page.getByTestId('live-status').getAttribute('data-state')
const waitLive = (page, state, timeout = 30000) => page.locator(`[data-testid=live-status][data-state=${state}]`).waitFor({ timeout })

const apiSession = (username) => apiSessionOf(server, username)

before(async () => {
  server = await startZhidu({ name: 'live' })
  relay = await startProxy(server.port)
})
after(async () => {
  if (phone) await phone.close()
  if (desk) await desk.close()
  if (relay) await relay.close()
  if (server) await server.stop()
})

describe('live updates and a lost connection', { timeout: 600000 }, () => {
  const sockets = [] // every WebSocket URL the phone page opened
  let firstViolationEvent = 0

  it('op1 on the phone sees 值班台 change when another session of op1 takes 中控岗', { timeout: STEP_MS }, async () => {
    phone = await launch({ viewport: { width: 390, height: 844 }, mobile: true })
    const { page } = phone
    page.on('websocket', (ws) => sockets.push(ws.url()))
    await signIn(page, relay.url, 'op1', server.credentials.get('op1').password)
    await page.waitForURL(/#\/duty-board$/)
    await page.getByText('您当前不在任何岗位上', { exact: false }).waitFor()
    await waitLive(page, 'online')
    assert.equal(sockets.length, 1, 'one stream per signed-in page')
    assert.doesNotMatch(sockets[0], /after=/, 'a fresh page starts at the head')
    await page.evaluate(() => (window.__notReloaded = true))
    await shot(page, 'live-phone-board-online')

    pc = await apiSession('op1') // the control-room PC
    const posts = await pc.get('posts?limit=200')
    const post = posts.items.find((p) => p.name === '中控岗')
    assert.ok(post, '中控岗 exists')
    await pc.post(`posts/${post.id}/attendance`)
    await page.locator('[data-testid=my-post][data-post="中控岗"]').waitFor({ timeout: 15000 })
    assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded')
    assert.ok(await fitsWidth(page), 'the board with the live header fits 390 px')
    await shot(page, 'live-phone-board-post-taken')
  })

  it('guard_chief records a violation in another browser; op1 gets it live on the phone', { timeout: STEP_MS }, async () => {
    desk = await launch()
    const d = desk.page
    await login(d, 'guard_chief')
    await waitLive(d, 'online')
    await d.getByTestId('nav').getByText('违规台账', { exact: true }).click()
    await d.waitForURL(/#\/ledger$/)
    await d.getByTestId('record-violation').click()
    await fillViolationForm(d, { person: '演示·张中控', code: CODE, clause: CLAUSE, note: '值班时在中控室会客' })
    await d.getByTestId('rec-submit').click()
    await d.getByTestId('record-form').waitFor({ state: 'hidden' })

    const { page } = phone
    // The badge counts it and a toast says it, on the duty board, without a reload.
    await page.locator('[data-testid=notify-badge] .el-badge__content:visible').getByText('1', { exact: true }).waitFor({ timeout: 15000 })
    await page.locator('.live-toast').getByText('违规登记').waitFor()
    await shot(page, 'live-phone-toast')
    await page.getByTestId('notify-open').click()
    const n = page.locator('[data-testid=notification][data-kind="violation.recorded"]')
    await n.first().waitFor()
    assert.equal(await n.count(), 1)
    firstViolationEvent = Number(await n.first().getAttribute('data-id'))
    assert.ok(firstViolationEvent > 0)
    assert.match(await n.first().innerText(), /违规：/)
    // Readable: dark text on the light drawer (it once inherited the header's white).
    assert.equal(await n.first().locator('.title').evaluate((e) => getComputedStyle(e).color), 'rgb(31, 41, 55)')
    assert.ok(await fitsWidth(page), 'the 通知 drawer fits 390 px')
    await shot(page, 'live-phone-notifications')
    // The entry opens 违规台账, where the row is (with the cited clause's text).
    await n.first().locator('button').click()
    await page.waitForURL(/#\/ledger$/)
    const card = page.locator('li.card').filter({ has: page.getByTestId('violation-code').getByText(CODE, { exact: true }) })
    await card.first().getByTestId('cited-clause-text').waitFor()
    assert.equal(await card.count(), 1)
    assert.equal(await page.evaluate(() => window.__notReloaded), true, 'still the same page')
    await shot(page, 'live-phone-ledger')
  })

  it('the server stops: 连接中断 is shown; an event raised while cut off appears once after it recovers by itself', { timeout: 240000 }, async (t) => {
    const { page } = phone
    const before = sockets.length
    const killedAt = Date.now()
    await server.kill()
    await waitLive(page, 'lost', 15000)
    t.diagnostic(`连接中断 shown ${Date.now() - killedAt} ms after the server was told to stop`)
    const status = page.getByTestId('live-status')
    assert.match(await status.innerText(), /连接中断，正在重连/)
    assert.equal(await status.getAttribute('aria-live'), 'polite')
    assert.ok(await fitsWidth(page), 'the header with 连接中断 fits 390 px')
    await shot(page, 'live-phone-lost')

    // Keep the page cut off while the server comes back and a violation is recorded, so the event
    // can only reach it by the resume (the relay refuses the page's new connections; the browser's
    // offline mode would not stop WebSockets).
    relay.block()
    await server.restart()
    const chief = await apiSession('guard_chief')
    pc = await apiSession('op1') // its session survived the restart too, but a fresh one is simplest
    const first = (await pc.get(`violations?person_id=${pc.account.person_id}`)).items.find((x) => x.code === CODE)
    assert.ok(first, 'the first violation is in the ledger')
    const v = await chief.post('violations', { site_id: first.site_id, person_id: first.person_id, code: CODE, clauses: [CLAUSE], occurred_at: new Date(Date.now() - 60000).toISOString(), note: '断线期间登记' })
    assert.ok(v.id > 0)
    await page.waitForTimeout(2500)
    assert.equal(await liveState(page), 'lost', 'still cut off')
    assert.equal(await page.locator('li.card').filter({ has: page.getByTestId('violation-code').getByText(CODE, { exact: true }) }).count(), 1, 'not there yet')

    // Let it through: the page reconnects on its own (no click, no reload).
    relay.allow()
    const allowedAt = Date.now()
    await waitLive(page, 'online', 45000)
    t.diagnostic(`back online ${Date.now() - allowedAt} ms after the relay let it through (backoff at most 15 s)`)
    const cards = page.locator('li.card').filter({ has: page.getByTestId('violation-code').getByText(CODE, { exact: true }) })
    await cards.nth(1).waitFor({ timeout: 15000 })
    const resumed = sockets.slice(before).filter((u) => /after=\d+/.test(u))
    assert.ok(resumed.length >= 1, `a reconnection resumed with after= (${sockets.slice(before).join(', ')})`)
    assert.ok(resumed.every((u) => Number(new URL(u).searchParams.get('after')) >= firstViolationEvent), 'it resumed after the last event seen')
    // Exactly once: two violation events in 通知, distinct, the new one newest.
    await page.getByTestId('notify-open').click()
    const n = page.locator('[data-testid=notification][data-kind="violation.recorded"]')
    await n.nth(1).waitFor()
    await page.waitForTimeout(1500) // a repeat would arrive right behind it
    assert.equal(await n.count(), 2, 'the event raised while disconnected is listed once')
    const ids = await n.evaluateAll((els) => els.map((e) => Number(e.dataset.id)))
    assert.ok(ids[0] > ids[1] && ids[1] === firstViolationEvent, `newest first, no duplicate: ${ids}`)
    assert.match(await n.first().innerText(), /违规：/)
    await shot(page, 'live-phone-recovered-notifications')
    await page.keyboard.press('Escape')
    await page.getByTestId('notify-list').waitFor({ state: 'hidden' })
    assert.equal(await cards.count(), 2, 'both violations listed once')
    assert.equal(await page.evaluate(() => window.__notReloaded), true, 'recovered without a reload')
    await shot(page, 'live-phone-recovered')
    assert.deepEqual(phone.problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
