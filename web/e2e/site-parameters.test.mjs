// End-to-end: 站点参数 (issue 17 §8, web/src/views/org/SiteParametersView.vue) against the real
// `zhidu serve --demo`. On a desktop the admin opens 站点参数, sees the site's parameters grouped
// with their zh-CN descriptions and cited clauses, unset ones as 未设置 with nothing prefilled; a
// duration typed without a unit is caught before sending, one the server refuses (0m) is shown in
// Chinese on the field, a good one is saved and shown (the server agrees); a list typed with Chinese
// commas is sent as the server's list. An operator has no such entry and is turned away from the
// route. On a 390×844 phone the admin sets the R04 fine without horizontal scrolling.
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
let site
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
const param = (page, name) => page.locator(`[data-testid="param"][data-name="${name}"]`)
const valueOf = async (name) => (await admin.get(`sites/${site}/parameters`)).items.find((x) => x.name === name).value

before(async () => {
  server = await startZhidu({ name: 'site-parameters', args: ['--policies', join(REPO_DIR, 'policies/cn-default')] })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
})
after(async () => {
  if (server) await server.stop()
})

describe('desktop: the admin sets site parameters', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('lists the parameters grouped, unset ones as 未设置, and saves a checked value', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'admin', server.credentials.get('admin').password)
    await nav(page, '站点参数')
    await page.getByTestId('site-params-view').waitFor()
    await page.getByTestId('params-group-fines').getByRole('heading', { name: '罚款金额' }).waitFor()
    for (const g of ['posts', 'timeLimits', 'serviceLevels', 'weights', 'modules']) await page.getByTestId(`params-group-${g}`).waitFor()
    const grace = param(page, 'handover_grace')
    await grace.getByText('交接班的宽限时长').waitFor()
    await grace.getByTestId('param-unset').getByText('未设置').waitFor()
    await grace.locator('[data-clause="R02 §三3"]').waitFor()
    // What uses it, by the pack's title (no raw rule id).
    const usedBy = await grace.getByTestId('param-used-by').innerText()
    assert.match(usedBy, /^用于检查清单：\S/)
    assert.doesNotMatch(usedBy, /r02-handover/)
    await grace.getByTestId('cited-clause-text').first().waitFor()
    assert.doesNotMatch(await page.getByTestId('site-params-view').innerText(), /checklist|penalty|service level/, 'no English rule text')

    await grace.getByTestId('param-edit').click()
    const dialog = page.getByTestId('param-dialog')
    await dialog.getByTestId('param-no-default').waitFor()
    assert.equal(await dialog.getByTestId('param-input').inputValue(), '', 'no figure is prefilled')
    // No unit: caught before sending.
    await dialog.getByTestId('param-input').fill('15')
    await dialog.getByTestId('param-save').click()
    assert.match(await assertChineseError(dialog.locator('.el-form-item__error')), /时长/)
    assert.equal(await valueOf('handover_grace'), null)
    // 0m has the form but the server refuses it: its refusal in Chinese on the field.
    await dialog.getByTestId('param-input').fill('0m')
    await dialog.getByTestId('param-save').click()
    assert.match(await assertChineseError(dialog.locator('.el-form-item__error')), /数值/)
    assert.equal(await valueOf('handover_grace'), null)
    await dialog.getByTestId('param-input').fill('15m')
    await dialog.getByTestId('param-save').click()
    await grace.getByTestId('param-value').getByText('15m').waitFor()
    assert.equal(await valueOf('handover_grace'), '15m')

    const levels = param(page, 'education_levels')
    await levels.getByTestId('param-edit').click()
    await dialog.getByTestId('param-input').fill('高中，大专、本科')
    await dialog.getByTestId('param-save').click()
    await levels.getByTestId('param-value').getByText('高中、大专、本科').waitFor()
    assert.equal(await valueOf('education_levels'), '高中,大专,本科')

    // 清除: the set value is removed after a confirmation, and the parameter is 未设置 again.
    await grace.getByTestId('param-edit').click()
    await dialog.getByTestId('param-clear').click()
    const box = page.locator('.el-message-box')
    await box.getByText('未设置').waitFor()
    await box.getByRole('button', { name: '清除' }).click()
    await grace.getByTestId('param-unset').getByText('未设置').waitFor()
    assert.equal(await valueOf('handover_grace'), null)
    await grace.getByTestId('param-edit').click()
    assert.equal(await dialog.getByTestId('param-clear').count(), 0, 'nothing to clear when unset')
    await dialog.getByRole('button', { name: '取消' }).click()
    await shot(page, 'desktop-site-parameters')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('an operator has no 站点参数 and is turned away from it', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('logout').click()
    await page.waitForURL(/#\/login/)
    await signIn(page, server.url, 'op1', server.credentials.get('op1').password)
    await page.getByTestId('nav').waitFor()
    assert.equal(await page.getByTestId('nav').getByText('站点参数', { exact: true }).count(), 0)
    await page.goto(`${server.url}/#/org/parameters`)
    await page.waitForURL(/#\/forbidden/)
  })
})

describe('phone 390×844: the admin sets the fine', { timeout: 200000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('the fine is set from a phone', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'admin', server.credentials.get('admin').password)
    await nav(page, '站点参数')
    const fine = param(page, 'r04_fine_yuan')
    await fine.getByTestId('param-unset').waitFor()
    assert.ok(await fitsWidth(page), 'the list fits a 390 px screen')
    await fine.getByTestId('param-edit').click()
    const dialog = page.getByTestId('param-dialog')
    await dialog.getByTestId('param-input').fill('50')
    assert.ok(await fitsWidth(page), 'the dialog fits a 390 px screen')
    await dialog.getByTestId('param-save').click()
    await fine.getByTestId('param-value').getByText('50 元').waitFor()
    assert.equal(await valueOf('r04_fine_yuan'), '50')
    assert.equal(await fine.getByTestId('param-unset').count(), 0, 'no longer 未设置')
    await dialog.locator('.el-dialog').waitFor({ state: 'hidden' })
    await shot(page, 'phone-site-parameters')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
