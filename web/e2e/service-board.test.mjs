// End-to-end: 主管看板 and 客户全景 (src/modules/service README "Supervisor board", issue 18 §10) on a
// phone (390×844) against the real `zhidu serve --demo` on the test clock (Monday 2026-12-07 09:00
// in Shanghai, first response within 1 working hour — for a 优质客户 too — warned 30 minutes before). Over the API:
// 演示·吴客服 (cs1) is on 客服组's post and gets a ticket routed; a complaint of 张女士 waits
// unassigned in 投诉组; at 09:45 both first responses are warned. 演示·郑主管 (客服主管) opens
// 主管看板: the figures per queue, the agent on post with the tickets held, the time of the read;
// a new ticket shows up without a tap (the board polls); the complaint is handed to 吴客服 from the
// board; from it the ticket, and from the ticket 张女士's 360° view with her phone masked. The agent
// is told in Chinese the board is for supervisors.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { fitsWidth, nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
let server
let admin
let cs1
let site
let me
const queue = {}
let complaint

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  server = await startZhidu({ name: 'service-board', args: ['--test-clock', '2026-12-07T09:00:00+08:00'] })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  for (const [name, value] of [['service_first_response_within', '1h'], ['service_first_response_key_customer', '1h'], ['service_sla_warn_before', '30m']]) {
    await admin.put(`sites/${site}/parameters/${name}`, { value })
  }
  for (const name of ['客服组', '投诉组']) queue[name] = (await admin.post('posts', { site_id: site, name })).id
  cs1 = await apiSession(server, 'cs1')
  me = (await cs1.get('me')).account.person_id
  await cs1.post(`posts/${queue['客服组']}/attendance`)
  const customer = await admin.post('service/customers', { site_id: site, kind: 'person', name: '张女士', phones: ['13812345678'], grade: '优质客户' })
  await cs1.post('service/tickets', { site_id: site, queue_post_id: queue['客服组'], subject: '查询物流' })
  complaint = await cs1.post('service/tickets', { site_id: site, queue_post_id: queue['投诉组'], subject: '包裹破损', complaint: true, customer_id: customer.id })
  await admin.post('test/clock', { to: '2026-12-07T09:45:00+08:00' })
})
after(async () => {
  if (server) await server.stop()
})

const figure = (card, id) => card.getByTestId(id).getAttribute('data-count')

describe('phone: the supervisor reads the board, reassigns, opens the customer', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('figures per queue, agents on post, live refresh, reassigning', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs_lead', server.credentials.get('cs_lead').password)
    await nav(page, '主管看板')
    await page.getByTestId('board-updated').getByText('更新于 09:45:00').waitFor()
    const cs = page.getByTestId('board-queue').and(page.locator('[data-queue="客服组"]'))
    const ts = page.getByTestId('board-queue').and(page.locator('[data-queue="投诉组"]'))
    await ts.waitFor()
    assert.equal(await cs.getByTestId('queue-state').and(page.locator('[data-state="open"]')).getAttribute('data-count'), '1')
    assert.equal(await figure(cs, 'queue-at-risk'), '1')
    assert.equal(await figure(ts, 'queue-unassigned'), '1')
    assert.equal(await figure(ts, 'queue-at-risk'), '1')
    assert.equal(await figure(ts, 'queue-breached'), '0')
    const agent = cs.getByTestId('queue-agent')
    assert.equal(await agent.getAttribute('data-name'), '演示·吴客服')
    assert.equal(await agent.getAttribute('data-load'), '1')
    assert.match(await agent.innerText(), /09:00 起在岗 · 手上 1 单/)
    assert.match(await ts.getByTestId('queue-oldest').innerText(), /包裹破损.*新建.*已等 45 分/)
    assert.match(await ts.innerText(), /此刻无人在岗/)

    // A new ticket arrives: the board reads again on its own (every 20 s, or the live stream).
    await cs1.post('service/tickets', { site_id: site, queue_post_id: queue['客服组'], subject: '开票' })
    await cs.locator('[data-testid="queue-state"][data-state="open"][data-count="2"]').waitFor({ timeout: 45000 })
    await cs.locator('[data-testid="queue-agent"][data-load="2"]').waitFor()
    assert.ok(await fitsWidth(page), 'the board fits the phone')
    await shot(page, 'service-board-phone')

    // Hand the complaint to 吴客服 (on another queue's post) from the board.
    const flagged = ts.getByTestId('flagged-ticket').and(page.locator('[data-subject="包裹破损"]'))
    assert.equal(await flagged.getAttribute('data-flag'), 'at_risk')
    await flagged.getByTestId('hand-open').click()
    await flagged.getByTestId('hand-person').click()
    await option(page, '演示·吴客服（其他队列在岗，手上 2 单）').click()
    await flagged.getByTestId('hand-save').click()
    await ts.locator('[data-testid="queue-unassigned"][data-count="0"]').waitFor()
    assert.equal((await admin.get(`service/tickets/${complaint.id}`)).assignee, me)
    assert.match(await ts.getByTestId('flagged-ticket').innerText(), /演示·吴客服/)
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('from the board to the ticket, from the ticket to the customer 360° view', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('flagged-ticket').getByText('包裹破损').click()
    const detail = page.getByTestId('ticket-detail')
    await detail.waitFor()
    assert.equal(Number(await detail.getAttribute('data-id')), complaint.id)
    await detail.getByTestId('ticket-customer-360').click()
    await page.getByTestId('c360-name').getByText('张女士').waitFor()
    assert.equal(await page.getByTestId('c360-phones').innerText(), '138****5678')
    assert.equal(await page.getByTestId('c360-grade').innerText(), '优质客户')
    const counts = page.getByTestId('c360-counts')
    assert.equal(await counts.locator('[data-key="tickets"]').getAttribute('data-count'), '1')
    assert.equal(await counts.locator('[data-key="complaints"]').getAttribute('data-count'), '1')
    assert.match(await page.getByTestId('c360-ticket').innerText(), /包裹破损[\s\S]*投诉组 · 处理中/)
    assert.equal(await page.getByTestId('c360-form').count(), 1) // the pack's 客户反馈表 on the complaint
    assert.match(await page.getByTestId('c360-satisfaction').innerText(), /暂无满意度记录/)
    assert.ok(!(await page.content()).includes('13812345678'), 'never the full number')
    assert.ok(await fitsWidth(page), 'the 360° view fits the phone')
    await shot(page, 'service-customer-360-phone')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone: an agent is told the board is for supervisors', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('the refusal in Chinese, no figures', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await nav(page, '主管看板')
    await page.getByTestId('error-text').getByText('主管看板仅供本场所客服队列的主管查看').waitFor()
    assert.equal(await page.getByTestId('board-queue').count(), 0)
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
