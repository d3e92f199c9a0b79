// End-to-end: 上报事件 on 流程处置 (web/src/views/control/ReportEventDialog.vue) against the real
// `zhidu serve --demo`. On a desktop op1 reports 中控室发生火灾 chosen by its title (no raw id shown),
// sees what it starts and its clause (R02 §二3), adds a 说明, and the procedure it started opens;
// then 办公室定期检查时间到, whose duty's post has no shift under way: the server's refusal is shown in
// Chinese and a 完成时限 is asked, a bad one is caught before sending, 2h is sent and the duty is
// started. On a 390×844 phone op2 reports 设备故障 and lands on the started procedure, without
// horizontal scrolling.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, REPO_DIR, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, fitsWidth, nav } from './lib/steps.mjs'

const STEP_MS = 120000
let server
let admin
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
const pick = (page, text) => page.locator('.event-popper .el-select-dropdown__item', { hasText: text }).first().click()
// Opens 上报事件 and chooses `title`; the dialog's form.
async function report(page, title) {
  await page.getByTestId('report-event').click()
  await page.getByTestId('event-pick').click()
  await pick(page, title)
  return page.getByTestId('event-form')
}
const raised = (page) => page.waitForResponse((r) => /\/api\/v1\/sites\/\d+\/events$/.test(r.url()) && r.request().method() === 'POST')

before(async () => {
  server = await startZhidu({ name: 'report-event', args: ['--policies', join(REPO_DIR, 'policies/cn-default')] })
  admin = await apiSession(server, 'admin')
})
after(async () => {
  if (server) await server.stop()
})

describe('desktop: an operator reports site events', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('a reported fire starts its procedure, which opens', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'op1', server.credentials.get('op1').password)
    await nav(page, '流程处置')
    await page.getByTestId('report-event').click()
    const dialog = page.getByTestId('event-form')
    await page.getByTestId('event-pick').click()
    const options = await page.locator('.event-popper .el-select-dropdown__item').allInnerTexts()
    assert.ok(options.includes('中控室发生火灾'), 'events are listed by title')
    assert.ok(!options.some((o) => /^[a-z_]+$/.test(o.trim())), 'no raw event id is listed')
    await pick(page, '中控室发生火灾')
    await dialog.getByTestId('event-start').filter({ hasText: '处置流程' }).filter({ hasText: '中控室火灾' }).waitFor()
    await dialog.locator('[data-clause="R02 §二3"]').waitFor()
    assert.doesNotMatch(await dialog.innerText(), /control_room_fire|r02-fire/)
    await dialog.getByTestId('event-subject').fill('中控室东侧配电柜冒烟')
    const res = raised(page)
    await dialog.getByTestId('event-submit').click()
    const body = await (await res).json()
    assert.equal(body.procedures_started.length, 1)
    await page.waitForURL(new RegExp(`id=${body.procedures_started[0]}`))
    await page.getByTestId('procedure').getByText('中控室东侧配电柜冒烟').waitFor()
    await page.getByTestId('event-reported').getByText('已上报：中控室发生火灾').waitFor()
    await page.getByTestId('event-reported').getByText('已启动处置流程 1 个。').waitFor()
    const p = await admin.get(`procedures/${body.procedures_started[0]}`)
    assert.equal(p.procedure, 'r02-fire')
    assert.equal(p.subject, '中控室东侧配电柜冒烟')
    await shot(page, 'desktop-report-event-fire')
    assert.deepEqual(problems.filter((x) => x.startsWith('pageerror')), [])
  })

  it('a duty with no shift under way asks for a 完成时限 and is started with it', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const dialog = await report(page, '办公室定期检查时间到')
    await dialog.getByTestId('event-start').filter({ hasText: '办公室定期检查' }).waitFor()
    let res = raised(page)
    await dialog.getByTestId('event-submit').click()
    assert.equal((await res).status(), 400)
    await assertChineseError(dialog.getByTestId('error-text'))
    await dialog.getByTestId('event-deadline-why').waitFor()
    await dialog.getByTestId('event-deadline').fill('两小时')
    await dialog.getByTestId('event-submit').click()
    assert.match(await assertChineseError(dialog.locator('.el-form-item__error')), /时长/)
    await dialog.getByTestId('event-deadline').fill('2h')
    res = raised(page)
    await dialog.getByTestId('event-submit').click()
    const r = await res
    assert.equal(r.status(), 201)
    assert.deepEqual(JSON.parse(r.request().postData()).data, { deadline: '2h' })
    const body = await r.json()
    assert.equal(body.duties_started.length, 1)
    await page.getByTestId('event-reported').getByText('已启动任务 1 项。').waitFor()
    await shot(page, 'desktop-report-event-duty')
    assert.deepEqual(problems.filter((x) => x.startsWith('pageerror')), [])
  })
})

describe('phone 390×844: an operator reports an equipment fault', { timeout: 200000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('the fault procedure starts and opens', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'op2', server.credentials.get('op2').password)
    await nav(page, '流程处置')
    const dialog = await report(page, '设备故障')
    await dialog.getByTestId('event-start').first().waitFor()
    await dialog.getByTestId('event-subject').fill('2号摄像机无图像')
    assert.ok(await fitsWidth(page), 'the dialog fits a 390 px screen')
    const res = raised(page)
    await dialog.getByTestId('event-submit').click()
    const body = await (await res).json()
    assert.equal(body.procedures_started.length, 1)
    await page.waitForURL(new RegExp(`id=${body.procedures_started[0]}`))
    await page.getByTestId('procedure').getByText('2号摄像机无图像').waitFor()
    assert.ok(await fitsWidth(page), 'the page fits a 390 px screen')
    await shot(page, 'phone-report-event')
    assert.deepEqual(problems.filter((x) => x.startsWith('pageerror')), [])
  })
})
