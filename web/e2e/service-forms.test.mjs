// End-to-end: 常用回复与在线表单 (issue 18 §2) against the real `zhidu serve --demo` on the test clock.
// The 客服主管 writes, changes and deletes canned replies (an agent is refused in Chinese), publishes
// a web form for the 投诉组 queue and copies its link, withdraws another; a customer opens the link on
// a phone with no sign-in, submits a question and gets the ticket's number, which is in the queue with
// its first-response deadline, and the agent's desk names the submitter; the withdrawn form's link
// is refused in Chinese.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { launch, signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, fitsWidth, nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
const START = '2026-12-07T09:00:00+08:00'
let server
let admin
let site
let queue
let link
let withdrawn
let reference

// Opens the canned-reply dialog and fills it (`scope`: a queue's name, or none for the site).
async function newCanned(page, dialog, scope, title, body) {
  await page.getByTestId('canned-new').click()
  if (scope) {
    await dialog.getByTestId('canned-scope').click()
    await option(page, scope).click()
  }
  await dialog.getByTestId('canned-title').fill(title)
  await dialog.getByTestId('canned-body').fill(body)
  await dialog.getByTestId('canned-save').click()
}

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  server = await startZhidu({ name: 'service-forms', args: ['--test-clock', START] })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  queue = await admin.post('posts', { site_id: site, name: '投诉组' })
  await admin.put(`sites/${site}/parameters/service_first_response_within`, { value: '2h' })
  const lead = await apiSession(server, 'cs_lead')
  withdrawn = await lead.post('service/web-forms', { site_id: site, queue_post_id: queue.id, title: '旧表单' })
})
after(async () => {
  if (server) await server.stop()
})

describe('the supervisor keeps canned replies and web forms', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('writes, changes and deletes canned replies', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs_lead', server.credentials.get('cs_lead').password)
    await nav(page, '常用回复与在线表单')
    const dialog = page.locator('.el-dialog')
    // A site-wide one.
    await newCanned(page, dialog, null, '问候', '您好，很高兴为您服务。')
    await page.locator('[data-testid="canned-group"][data-scope="site"] [data-testid="canned-item"][data-title="问候"]').waitFor()
    // One of the 投诉组 queue.
    await newCanned(page, dialog, '投诉组', '退款流程', '退款将在 3 个工作日内原路退回。')
    const refund = page.locator('[data-testid="canned-group"][data-scope="投诉组"] [data-testid="canned-item"][data-title="退款流程"]')
    await refund.waitFor()
    // The same title in the same queue: refused in Chinese, the dialog stays open.
    await newCanned(page, dialog, '投诉组', '退款流程', '重复')
    assert.match(await assertChineseError(dialog.getByTestId('error-text')), /同名/)
    await dialog.getByRole('button', { name: '取消' }).click()
    // Changed.
    await refund.getByTestId('canned-edit').click()
    await dialog.getByTestId('canned-title').fill('退款说明')
    await dialog.getByTestId('canned-save').click()
    await page.locator('[data-testid="canned-item"][data-title="退款说明"]').waitFor()
    // Deleted.
    await page.locator('[data-testid="canned-item"][data-title="问候"]').getByTestId('canned-delete').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-testid="canned-item"][data-title="问候"]').waitFor({ state: 'detached' })
    await shot(page, 'service-canned-editor')
    const items = (await admin.get(`service/canned-replies?site_id=${site}&queue_post_id=${queue.id}`)).items
    assert.deepEqual(items.map((c) => [c.title, c.queue]), [['退款说明', '投诉组']])
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('publishes a form, shows its link once and withdraws another', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByRole('tab', { name: '在线表单' }).click()
    await page.getByTestId('form-queue').click()
    await option(page, '投诉组').click()
    await page.getByTestId('form-title').fill('售后服务在线报修')
    await page.getByTestId('form-create').click()
    const field = page.getByTestId('form-link')
    await field.waitFor()
    link = await field.inputValue()
    assert.match(link, /\/#\/form\/[0-9a-f]{48}$/)
    await page.locator('[data-testid="form-item"][data-title="售后服务在线报修"][data-revoked="false"]').waitFor()
    await page.locator('[data-testid="form-item"][data-title="旧表单"]').getByTestId('form-revoke').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-testid="form-item"][data-title="旧表单"][data-revoked="true"]').waitFor()
    await shot(page, 'service-web-forms')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('an agent is refused in Chinese', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.context().clearCookies()
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await nav(page, '常用回复与在线表单')
    const dialog = page.locator('.el-dialog')
    await newCanned(page, dialog, null, '自拟', 'x')
    assert.match(await assertChineseError(dialog.getByTestId('error-text')), /主管/)
  })
})

describe('phone: a customer submits through the form with no sign-in', { timeout: 300000 }, () => {
  let phone
  before(async () => {
    phone = await launch({ viewport: { width: 390, height: 844 }, mobile: true })
  })
  after(async () => {
    if (phone) await phone.close()
  })

  it('gets the ticket number; the ticket is in the queue with its deadline', { timeout: STEP_MS }, async () => {
    const { page, problems } = phone
    await page.goto(link)
    await page.getByTestId('web-form').getByText('售后服务在线报修').waitFor()
    assert.ok(!/#\/login/.test(page.url()), 'no sign-in is asked for')
    assert.ok(await fitsWidth(page), 'the page fits a phone')
    await page.getByTestId('wf-name').fill('王女士')
    await page.getByTestId('wf-subject').fill('空调不制冷')
    await page.getByTestId('wf-body').fill('三楼会议室空调不制冷。')
    await page.getByTestId('wf-submit').click()
    await page.getByText('请填写此项').waitFor() // the phone is missing: nothing sent
    await page.getByTestId('wf-phone').fill('12ab')
    await page.getByTestId('wf-submit').click()
    await assertChineseError(page.getByTestId('error-text'))
    await page.getByTestId('wf-phone').fill('139 1234 5678')
    await shot(page, 'service-web-form-phone')
    await page.getByTestId('wf-submit').click()
    const ref = await page.getByTestId('web-form-reference').innerText()
    assert.match(ref, /^\d+$/)
    reference = ref
    const t = await admin.get(`service/tickets/${ref}`)
    assert.equal(t.queue_post_id, queue.id)
    assert.equal(t.web_form.phone, '139****5678')
    assert.ok(t.deadlines.some((d) => d.clock === 'first_response' && d.state === 'open' && d.due_at))
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it("a withdrawn form's link is refused in Chinese", { timeout: STEP_MS }, async () => {
    const { page } = phone
    await page.goto(link.replace(/[0-9a-f]{48}$/, withdrawn.token))
    await page.reload() // only the hash changed: load the page afresh, as a customer's new tab does
    assert.match(await assertChineseError(page.getByTestId('error-text')), /已停用/)
  })

  it("the agent's desk shows who submitted it, the phone masked", { timeout: STEP_MS }, async () => {
    const { page } = phone
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await page.goto(`${server.url}/#/service-desk?ticket=${reference}`)
    const line = page.getByTestId('ticket-web-form')
    await line.waitFor()
    assert.match(await line.innerText(), /客户在线提交：王女士.*139\*\*\*\*5678/)
  })
})
