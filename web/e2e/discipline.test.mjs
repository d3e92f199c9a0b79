// End-to-end: 纪律处分 (src/modules/people, R03 §二) against the real `zhidu serve --demo` — on a
// desktop the 客服经理 (演示·孙经理) assigns a violation recorded against nobody, opens a case for
// 演示·吴客服 at 教育并要求整改 with the site's correction period, records 拒不整改 (the case moves
// to the report to the manager by itself), takes 区内通报批评并责令整改, records 拒不整改 again
// (company discipline) and, once the 总经理 approved the request the console filed, takes 辞退; a
// second case from a violation already in one is refused in Chinese. On a phone the agent reads their own case as a
// card and its history, with no action to take, without horizontal scrolling.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, fitsWidth, nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
const AGENT = '演示·吴客服'
let server
let admin
let site
let caseId

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
const iso = (msAgo) => new Date(Date.now() - msAgo).toISOString()

before(async () => {
  server = await startZhidu({ name: 'discipline' })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  await admin.put(`sites/${site}/parameters/r03_correction_within`, { value: '3d' })
  const people = (await admin.get(`people?site_id=${site}&limit=200`)).items
  const agent = people.find((p) => p.name === AGENT).id
  const manager = await apiSession(server, 'cs_manager')
  await manager.post('violations', { site_id: site, person_id: agent, code: 'R03-CONDUCT', occurred_at: iso(2 * 86400e3), note: '未着工装' })
  await manager.post('violations', { site_id: site, code: 'R03-CONDUCT', occurred_at: iso(3600e3), note: '工位喧哗，当时未能确认是谁' })
})
after(async () => {
  if (server) await server.stop()
})

describe('desktop: the manager assigns, opens a case and moves it', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('a violation against nobody is assigned to the agent', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs_manager', server.credentials.get('cs_manager').password)
    await nav(page, '纪律处分')
    const row = page.getByTestId('unassigned').locator('li').first()
    await row.waitFor()
    await row.getByTestId('assign').click()
    await page.getByTestId('assign-person').click()
    await option(page, AGENT).click()
    await page.getByTestId('assign-submit').click()
    await page.getByTestId('unassigned').waitFor({ state: 'detached' })
    const assigned = (await admin.get(`violations?site_id=${site}&limit=200`)).items.filter((v) => v.note.startsWith('工位喧哗'))
    assert.equal(assigned.length, 1)
    assert.equal(assigned[0].occurrence, 2) // counted from the agent's history once known
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('a case opens at 教育并要求整改 with the site’s deadline, 拒不整改 moves it on', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('case-open').click()
    const form = page.getByTestId('open-form')
    await form.waitFor()
    await page.getByTestId('open-person').click()
    await option(page, AGENT).click()
    await page.getByTestId('open-violations').click()
    await option(page, '第1次').click()
    await page.keyboard.press('Escape')
    await page.getByTestId('open-note').fill('工作时间未着工装')
    await page.getByTestId('open-submit').click()

    const detail = page.getByTestId('case-detail')
    await detail.waitFor()
    caseId = Number(await detail.getAttribute('data-id'))
    assert.equal(await detail.getAttribute('data-step'), 'educate')
    assert.equal(await detail.getAttribute('data-state'), 'correcting')
    await page.getByTestId('detail-due').getByText('再犯或拒不整改：名单上报客服部经理', { exact: false }).waitFor()

    await page.getByTestId('case-note').fill('拒绝整改')
    await page.getByTestId('case-refused').click()
    await page.locator('[data-testid=case-detail][data-step="report-manager"]').waitFor()
    await page.getByTestId('case-history').locator('li[data-kind="refused"]').waitFor()

    await page.locator('[data-testid=case-step-take][data-step="public-criticism"]').click()
    await page.locator('[data-testid=case-detail][data-step="public-criticism"][data-state="correcting"]').waitFor()
    await shot(page, 'discipline-case')
    const c = await admin.get(`discipline-cases/${caseId}`)
    assert.deepEqual(c.events.map((e) => e.kind), ['opened', 'refused', 'step', 'step'])
    assert.deepEqual(c.events.map((e) => e.clauses[0]), ['R03 §二', 'R03 §二', 'R03 §二', 'R03 §二'])
    await page.keyboard.press('Escape')
    await page.locator(`[data-testid=case-step][data-id="${caseId}"][data-step="public-criticism"]`).waitFor()
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('拒不整改 again reaches company discipline; 辞退 waits for the 总经理’s approval', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.locator(`[data-testid=case-show][data-id="${caseId}"]`).click()
    await page.getByTestId('case-refused').click()
    await page.locator('[data-testid=case-detail][data-step="company-discipline"][data-state="open"]').waitFor()
    // 辞退 needs the pack's approval: the console files the request naming the case.
    await page.locator('[data-testid=case-file-approval][data-step="dismissal"]').click()
    await page.getByTestId('case-approval-pending').waitFor()
    const requests = (await admin.get(`requests?site_id=${site}&type=r03-dismissal`)).items
    assert.equal(requests.length, 1)
    assert.equal(requests[0].inputs['case.id'], caseId)
    const gm = await apiSession(server, 'general_mgr')
    await gm.post(`requests/${requests[0].id}/decisions`, { approve: true, password: server.credentials.get('general_mgr').password, note: '同意' })
    await page.keyboard.press('Escape')
    await page.locator(`[data-testid=case-show][data-id="${caseId}"]`).click()
    await page.locator('[data-testid=case-step-approved][data-step="dismissal"]').click()
    await page.locator('[data-testid=case-detail][data-step="dismissal"][data-state="closed"]').waitFor()
    const c = await admin.get(`discipline-cases/${caseId}`)
    assert.equal(c.outcome, 'ended')
    assert.equal(c.events.at(-1).request_id, requests[0].id)
    await page.keyboard.press('Escape')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('a violation already in a case cannot open another: said in Chinese', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('case-open').click()
    await page.getByTestId('open-person').click()
    await option(page, AGENT).click()
    await page.getByTestId('open-violations').click()
    await option(page, '第1次').click()
    await page.keyboard.press('Escape')
    await page.getByTestId('open-submit').click()
    const text = await assertChineseError(page.getByTestId('open-form').getByTestId('error-text'))
    assert.match(text, /已在另一纪律处分案件中/)
    const cases = (await admin.get(`discipline-cases?site_id=${site}`)).items
    assert.equal(cases.length, 1)
  })
})

describe('phone 390×844: the agent reads their own case', { timeout: 180000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('the case is a card, its history readable, nothing to act on', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await page.goto(server.url + '/#/discipline')
    const card = page.locator('li.card').filter({ has: page.locator(`[data-testid=case-step][data-id="${caseId}"]`) })
    await card.waitFor()
    assert.match(await card.getByTestId('case-state').innerText(), /已结案/)
    assert.ok(await fitsWidth(page), 'the list fits a 390 px screen')
    await card.getByTestId('case-show').click()
    await page.getByTestId('case-history').locator('li[data-kind="step"][data-step="dismissal"]').waitFor()
    assert.equal(await page.getByTestId('case-history').locator('li[data-kind="refused"]').count(), 2)
    assert.equal(await page.getByTestId('case-refused').count(), 0)
    assert.equal(await page.getByTestId('case-step-take').count(), 0)
    assert.ok(await fitsWidth(page), 'the case fits a 390 px screen')
    await shot(page, 'phone-discipline')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
