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
  await admin.post('service/customers', { site_id: site, kind: 'person', name: '张女士', phones: [PHONE] })
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
})
