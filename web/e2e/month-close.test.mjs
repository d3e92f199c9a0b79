// End-to-end: 考核结算 — the supervisor's month close (issue 20 §6) against the real
// `zhidu serve --demo`. The site sets R15's weight (weight_lateness: R15 gives none). On a desktop
// the 厅经理 (assessment.manage) picks the scheme 礼宾员绩效, starts the month's run and reads the
// 礼宾员's score with its indicator, source and clause, closes the month (月度结算) and files the
// re-open request; the 总经理 approves it through the request chain (signed, over the API) and the
// 厅经理 re-opens the month. On a phone (390×844) the 厅经理 closes it again, and the 礼宾员 reads the
// month's 工资条 (state 已结算; R15 has no pay formula, which the slip says) and is refused 请假 for
// days with no shift of theirs — in Chinese. On a desktop a fire-room operator asks for 请假 on a day
// of their shifts; their 值班长 approves it through the request chain and the 排班表 shows them on
// leave that day. No raw ids, nothing scrolling sideways.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession, journalOf } from './lib/api.mjs'
import { assertChineseError, fitsWidth, nav, option } from './lib/steps.mjs'

const STEP_MS = 180000
const SCHEME = '礼宾员绩效（迟到影响绩效考核及工资）'
let server
let admin
let site
const period = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 7) // the month in Shanghai

before(async () => {
  server = await startZhidu({ name: 'month-close' })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  await admin.put(`sites/${site}/parameters/weight_lateness`, { value: '0.5' })
})
after(async () => {
  if (server) await server.stop()
})

async function openScheme(page) {
  await nav(page, '考核结算')
  await page.getByTestId('assessment-scheme').click()
  await option(page, SCHEME).click()
  await page.getByTestId('assessment-summary').getByText(SCHEME).waitFor()
}

async function closeMonth(page) {
  await page.getByTestId('assessment-close').click()
  await page.locator('.el-message-box').getByRole('button', { name: '月度结算' }).click()
  await page.getByTestId('month-state').filter({ hasText: '已结算' }).waitFor()
}

describe('desktop: the 厅经理 runs, closes and re-opens the month', { timeout: 600000 }, () => {
  const b = useBrowser(before, after)

  it('runs the month and shows each score with its indicator, source and clause', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'lounge_mgr', server.credentials.get('lounge_mgr').password)
    await openScheme(page)
    assert.equal(await page.getByTestId('month-state').innerText(), '未结算')
    await page.getByTestId('assessment-run').click()
    const card = page.locator('[data-testid="assessment-person"][data-person="演示·钱礼宾"]')
    await card.waitFor()
    const runs = (await admin.get(`assessment-runs?site_id=${site}`)).items.filter((r) => r.assessment === 'r15-attendance' && r.period === period)
    assert.equal(runs.length, 1, 'one run made from the screen')
    const concierge = await apiSession(server, 'concierge')
    const score = (await admin.get(`assessment-runs/${runs[0].id}`)).scores.find((s) => s.person_id === concierge.account.person_id)
    assert.equal(await card.getByTestId('person-score').innerText(), String(score.score))
    const text = await card.getByTestId('person-indicator').innerText()
    for (const words of ['迟到次数', '权重 0.50', '来源：迟到记录', 'R15 第三条']) assert.ok(text.includes(words), `${words} in ${text}`)
    assert.ok(!/#\d|roster\.late|late_count|r15-attendance/.test(await page.locator('main').innerText()), 'no raw ids or names')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('closes the month, files the re-open request and re-opens it once approved', { timeout: STEP_MS }, async () => {
    const { page } = b
    await closeMonth(page)
    assert.equal(await page.getByTestId('assessment-run').count(), 0, 'a closed month takes no run')
    const state = await admin.get(`assessment-periods?site_id=${site}&assessment=r15-attendance&period=${period}`)
    assert.equal(state.closed, true)
    assert.equal((await journalOf(admin, 'assessment.period.closed')).length, 1)

    await page.getByTestId('reopen-reason').fill('补录迟到申诉结果')
    await page.getByTestId('reopen-request').click()
    await page.getByTestId('reopen-pending').waitFor()
    // The 总经理 approves it (signed) through the pack's request chain.
    const gm = await apiSession(server, 'general_mgr')
    const pending = (await gm.get(`requests?site_id=${site}&type=r11-month-reopen&state=pending`)).items
    assert.equal(pending.length, 1)
    assert.equal(pending[0].inputs['month_close.id'], state.close.id)
    await gm.post(`requests/${pending[0].id}/decisions`, { approve: true, password: server.credentials.get('general_mgr').password })

    await page.reload()
    await openScheme(page)
    await page.getByTestId('reopen-do').click()
    await page.getByTestId('month-state').filter({ hasText: '未结算' }).waitFor()
    assert.equal((await admin.get(`assessment-periods?site_id=${site}&assessment=r15-attendance&period=${period}`)).closed, false)
    assert.equal((await journalOf(admin, 'assessment.period.reopened')).length, 1)
    await page.screenshot({ path: join(ARTIFACTS, 'month-close-desktop.png'), fullPage: true })
  })
})

describe('phone: the 厅经理 closes the month', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('月度结算 on a phone', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'lounge_mgr', server.credentials.get('lounge_mgr').password)
    await openScheme(page)
    await page.locator('[data-testid="assessment-person"]').first().waitFor()
    assert.ok(await fitsWidth(page), 'the month fits the phone’s width')
    await closeMonth(page)
    assert.equal((await journalOf(admin, 'assessment.period.closed')).length, 2)
    assert.ok(await fitsWidth(page))
    await page.screenshot({ path: join(ARTIFACTS, 'month-close-phone.png'), fullPage: true })
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone: the 礼宾员 reads the pay slip and asks for leave', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('工资条 shows the closed month; 请假 without a shift is refused in Chinese', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'concierge', server.credentials.get('concierge').password)
    await nav(page, '我的考核')
    const slip = page.getByTestId('pay-slip').first()
    await slip.waitFor()
    assert.equal(await slip.getByTestId('slip-state').innerText(), '已结算')
    assert.ok((await slip.getByTestId('slip-no-pay').innerText()).includes('未规定绩效工资公式'))
    await slip.getByTestId('slip-print').waitFor()
    assert.ok(await fitsWidth(page), 'the slip fits the phone’s width')

    await nav(page, '请假')
    await page.getByTestId('leave-form').waitFor()
    await page.getByPlaceholder('开始日期').fill('2030-06-01')
    await page.keyboard.press('Enter')
    await page.getByPlaceholder('结束日期').fill('2030-06-02')
    await page.keyboard.press('Enter')
    await page.getByTestId('leave-reason').fill('家中有事')
    await page.getByTestId('leave-submit').click()
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.ok(text.includes('没有您在已发布排班表中的班次'), text)
    assert.equal((await admin.get(`requests?site_id=${site}&type=r13-leave`)).items.length, 0, 'nothing filed')
    assert.ok(await fitsWidth(page))
    await page.screenshot({ path: join(ARTIFACTS, 'leave-phone.png'), fullPage: true })
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('desktop: an operator asks for leave, the roster shows it once approved', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('请假 filed on the form, approved by the 值班长, shown on the 排班表', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const fire1 = await apiSession(server, 'fire1')
    // A day of fire1's shifts from tomorrow on (leave is asked before its shifts begin).
    const tomorrow = new Date(Date.now() + 8 * 3600000 + 86400000).toISOString().slice(0, 10)
    const from = `${tomorrow}T00:00:00+08:00`
    const to = new Date(Date.parse(from) + 7 * 86400000).toISOString()
    const shifts = (await fire1.get(`shifts?site_id=${site}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).items
    const mine = shifts.filter((x) => x.person_id === fire1.account.person_id && x.starts_at >= from)
    assert.ok(mine.length, 'fire1 works in the coming week')
    const day = new Date(Date.parse(mine[0].starts_at) + 8 * 3600000).toISOString().slice(0, 10)

    await signIn(page, server.url, 'fire1', server.credentials.get('fire1').password)
    await nav(page, '请假')
    await page.getByTestId('leave-form').waitFor()
    await page.getByPlaceholder('开始日期').fill(day)
    await page.keyboard.press('Enter')
    await page.getByPlaceholder('结束日期').fill(day)
    await page.keyboard.press('Enter')
    await page.getByTestId('leave-reason').fill('家中有事')
    await page.getByTestId('leave-submit').click()
    const card = page.getByTestId('leave-request').first()
    await card.getByTestId('leave-state').filter({ hasText: '待审批' }).waitFor()
    assert.equal(await card.getByTestId('leave-period').innerText(), day)

    const lead = await apiSession(server, 'lead1')
    const waiting = (await lead.get('requests?waiting_for_me=true')).items.filter((r) => r.type === 'r13-leave')
    assert.equal(waiting.length, 1, 'the 值班长 has the leave to decide')
    await lead.post(`requests/${waiting[0].id}/decisions`, { approve: true, note: '同意' })
    await page.reload()
    await page.getByTestId('leave-request').first().getByTestId('leave-state').filter({ hasText: '已批准' }).waitFor()

    await nav(page, '排班表')
    const cell = page.locator(`[data-testid=roster-calendar] [data-day="${day}"]`)
    await cell.waitFor()
    const leave = cell.getByTestId('roster-leave').filter({ hasText: '演示·王消防' })
    await leave.first().waitFor()
    assert.ok((await leave.first().innerText()).includes('请假'))
    await page.screenshot({ path: join(ARTIFACTS, 'leave-roster-desktop.png'), fullPage: true })
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
