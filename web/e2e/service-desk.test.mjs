// End-to-end: the agent desk (客服工作台, src/modules/service) against the real `zhidu serve --demo`
// — 演示·吴客服 (客服专员) opens a complaint on the 投诉组 queue from the console, the ticket shows its
// two deadlines (the first-response time is the site's parameter: the regulations give none), a
// public reply stops the first-response deadline, and the complaint started ONE procedure
// (r06-complaint). The customer lookup shows the phone masked: 客服专员 does not hold R19's
// customer-data right.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
const PHONE = '13812345678'
let server
let admin
let site

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  server = await startZhidu({ name: 'service-desk' })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  await admin.post('posts', { site_id: site, name: '投诉组' })
  await admin.put(`sites/${site}/parameters/service_first_response_within`, { value: '1h' })
  await admin.put(`sites/${site}/parameters/service_next_response_within`, { value: '1h' })
  await admin.post('service/customers', { site_id: site, kind: 'person', name: '张女士', phones: [PHONE] })
  // 常用回复 (issue 18 §2): the queue's supervisor (客服主管) keeps the site's templates.
  const lead = await apiSession(server, 'cs_lead')
  await lead.post('service/canned-replies', { site_id: site, title: '致歉', body: '非常抱歉给您带来不便，我们马上处理。' })
})
after(async () => {
  if (server) await server.stop()
})

describe('desktop: an agent opens a complaint, answers it, looks a customer up', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('the complaint is created on its queue, the first reply meets its deadline', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await nav(page, '客服工作台')
    await page.getByTestId('ticket-new').click()
    const form = page.getByTestId('ticket-form')
    await form.waitFor()
    await form.getByTestId('t-queue').click()
    await option(page, '投诉组').click()
    await form.getByTestId('t-subject').fill('商品破损投诉')
    await form.getByTestId('t-complaint').click()
    await form.getByTestId('t-body').fill('收到的货物外包装破损')
    await page.getByTestId('t-create').click()

    const detail = page.getByTestId('ticket-detail')
    await detail.waitFor()
    const id = Number(await detail.getAttribute('data-id'))
    assert.ok(id > 0)
    const deadlines = page.getByTestId('ticket-deadlines')
    await deadlines.locator('li[data-level="r14-first-response"][data-state="open"]').waitFor()
    // No resolution figure at this site: recorded, not timed.
    await deadlines.locator('li[data-level="r06-ticket-resolution"][data-state="not_started"]').waitFor()
    await page.getByTestId('ticket-list').getByTestId('ticket-subject').getByText('商品破损投诉').waitFor()

    await page.getByTestId('ticket-entry').fill('您好，已为您登记补发')
    await page.getByTestId('ticket-send').click()
    await deadlines.locator('li[data-level="r14-first-response"][data-state="met"]').waitFor()
    await page.getByTestId('ticket-thread').locator('li[data-kind="reply"]').getByText('您好，已为您登记补发').waitFor()
    await shot(page, 'service-desk-ticket')

    // The server has it: one procedure for the one complaint, the reply in the thread.
    const procs = (await admin.get(`procedures?site_id=${site}&ref=ticket/${id}`)).items
    assert.deepEqual(procs.map((p) => p.procedure), ['r06-complaint'])
    const ticket = await admin.get(`service/tickets/${id}`)
    assert.deepEqual(ticket.thread.map((e) => e.kind), ['customer', 'reply'])
    assert.equal(ticket.complaint, true)
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('the SLA clocks are named; a customer message starts the next response; reopening re-arms resolution', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const deadlines = page.getByTestId('ticket-deadlines')
    await deadlines.locator('li[data-clock="first_response"]').getByText('首次回复').waitFor()
    await deadlines.locator('li[data-clock="resolution"]').getByText('解决').waitFor()
    await page.getByTestId('entry-customer').click()
    await page.getByTestId('ticket-entry').fill('请问什么时候补发？')
    await page.getByTestId('ticket-send').click()
    await deadlines.locator('li[data-clock="next_response"][data-state="open"]').getByText('再次回复').waitFor()
    await page.getByTestId('ticket-move-resolved').click()
    await deadlines.locator('li[data-clock="next_response"][data-state="met"]').waitFor()
    const form = page.getByTestId('reopen-form')
    await form.waitFor()
    await form.getByTestId('reopen-by-customer').click()
    await form.getByTestId('reopen-reason').fill('客户来电：补发的货也破损')
    await form.getByTestId('ticket-reopen').click()
    await page.getByTestId('ticket-reopened').getByText('已重新打开 1 次').waitFor()
    assert.equal(await deadlines.locator('li[data-clock="resolution"]').count(), 2)
    await page.getByTestId('ticket-thread').locator('li[data-kind="state"]').getByText('已解决 → 处理中').waitFor()
    await shot(page, 'service-desk-reopened')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('a canned reply fills the reply box; the priority picker re-matches the clocks', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const id = Number(await page.getByTestId('ticket-detail').getAttribute('data-id'))
    await page.getByTestId('canned-select').click()
    await option(page, '致歉').click()
    assert.equal(await page.getByTestId('ticket-entry').inputValue(), '非常抱歉给您带来不便，我们马上处理。')
    await page.getByTestId('ticket-send').click()
    await page.getByTestId('ticket-thread').locator('li[data-kind="reply"]').getByText('非常抱歉给您带来不便').waitFor()
    await page.getByTestId('ticket-priority-select').click()
    await option(page, '紧急').click()
    await page.getByTestId('ticket-priority-select').getByText('紧急').waitFor()
    const ticket = await admin.get(`service/tickets/${id}`)
    assert.equal(ticket.priority, 'urgent')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('the ticket search finds a 2-character word of a subject or of the thread', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const search = page.getByTestId('ticket-q')
    await search.fill('破损')
    await search.press('Enter')
    const list = page.getByTestId('ticket-list')
    await list.getByTestId('ticket-subject').getByText('商品破损投诉').waitFor()
    await search.fill('发票')
    await search.press('Enter')
    await list.getByTestId('ticket-subject').getByText('商品破损投诉').waitFor({ state: 'detached' })
    await search.fill('登记') // only in the agent's reply
    await search.press('Enter')
    await list.getByTestId('ticket-subject').getByText('商品破损投诉').waitFor()
    await search.fill('发票')
    await search.press('Enter')
    await list.getByTestId('ticket-subject').getByText('商品破损投诉').waitFor({ state: 'detached' })
    assert.equal(await list.getByTestId('ticket-subject').count(), 0)
    await search.fill('')
    await search.press('Enter')
    await list.getByTestId('ticket-subject').getByText('商品破损投诉').waitFor()
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('the customer lookup shows the phone masked', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('customer-q').fill('张')
    await page.getByTestId('customer-search').click()
    const phone = page.getByTestId('customer-results').getByTestId('customer-phone')
    await phone.waitFor()
    assert.equal(await phone.innerText(), '138****5678')
    assert.ok(!(await page.content()).includes(PHONE), 'the full phone is nowhere on the page')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  // R17 (issue 18 §8): information feedback in the pack's categories goes to the role the pack
  // names; a callback promised to the customer is a deadline until it is recorded done.
  it('feedback is routed by the pack, a callback waits until called back', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const fb = page.getByTestId('feedback-form')
    await fb.getByTestId('feedback-category').click()
    await option(page, '客户反馈的相关问题').click()
    await fb.getByTestId('feedback-detail').fill('客户反映包装太简陋')
    await fb.getByTestId('feedback-save').click()
    await page.getByTestId('feedback-routed').getByText('值班经理').waitFor()

    const cb = page.getByTestId('callback-form')
    await cb.getByTestId('callback-customer').click()
    await option(page, '张女士').click()
    await cb.getByTestId('callback-phone').fill(PHONE)
    await cb.getByTestId('callback-reason').fill('查询退款进度')
    // Two hours from now, on the sites' wall clock (+08:00).
    const wall = new Date(Date.now() + 2 * 3600e3 + 8 * 3600e3).toISOString().slice(0, 16)
    await cb.getByTestId('callback-promised').fill(wall)
    await cb.getByTestId('callback-save').click()
    const row = page.getByTestId('callback-list').locator('li[data-status="waiting"]')
    await row.getByText('查询退款进度').waitFor()
    await row.getByText('待回拨').waitFor()
    assert.ok(!(await page.content()).includes(PHONE), 'the callback phone is masked too')
    await shot(page, 'service-desk-r17')
    await row.getByTestId('callback-done').click()
    await row.waitFor({ state: 'detached' })

    const saved = (await admin.get(`service/callbacks?site_id=${site}`)).items
    assert.equal(saved.length, 1)
    assert.equal(saved[0].done, true)
    const feedback = (await admin.get(`service/feedback?site_id=${site}`)).items
    assert.deepEqual(feedback.map((f) => f.category), ['customer'])
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

// Issue 20: the queue's supervisor (演示·郑主管, 客服主管) scores the agent holding the complaint on
// the site's review scale (a site parameter with no default); the score feeds R11's 服务态度.
describe('desktop: the supervisor reviews the agent’s ticket', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('the review form shows for the supervisor, and the review is recorded', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const ticket = (await admin.get(`service/tickets?site_id=${site}`)).items.find((t) => t.subject === '商品破损投诉')
    const cs1 = await apiSession(server, 'cs1')
    const agent = (await cs1.get('me')).account.person_id
    await cs1.post(`service/tickets/${ticket.id}/assign`, { person_id: agent })
    // The agent holding it sees no form (the server decides: viewer_may_review).
    assert.equal((await cs1.get(`service/tickets/${ticket.id}`)).viewer_may_review, false)
    await admin.put(`sites/${site}/parameters/service_quality_review_scale`, { value: '0,100' })

    await signIn(page, server.url, 'cs_lead', server.credentials.get('cs_lead').password)
    await nav(page, '客服工作台')
    await page.getByTestId('ticket-list').getByTestId('ticket-subject').getByText('商品破损投诉').click()
    const form = page.getByTestId('review-form')
    await form.waitFor()
    await form.getByTestId('review-score').locator('input').fill('85')
    await form.getByTestId('review-comment').fill('耐心，解释清楚')
    await form.getByTestId('review-save').click()
    await page.getByTestId('ticket-reviews').locator('li[data-score="85"]').waitFor()
    // Reviewed: the form is gone (one review per ticket and agent).
    await form.waitFor({ state: 'detached' })
    await shot(page, 'service-desk-review')

    const saved = await admin.get(`service/tickets/${ticket.id}`)
    assert.equal(saved.quality_reviews.length, 1)
    assert.equal(saved.quality_reviews[0].score, 85)
    assert.equal(saved.quality_reviews[0].person_id, agent)
    assert.equal(saved.quality_reviews[0].comment, '耐心，解释清楚')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
