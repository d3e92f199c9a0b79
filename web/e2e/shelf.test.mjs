// End-to-end: the customer lounge's shelf (休息室货架, src/modules/shelf, R07 §二3) on a phone
// (390×844) against the real `zhidu serve --demo` — 演示·许休息室 (休息室工作人员) records a sale, the
// stocktake before work and after work with counted quantities and sees the variance the server
// computed, is refused a second stocktake of the same slot in Chinese, and records the weekly
// reconciliation with a cash shortfall; 演示·冯厅经理 (厅经理, her superior) approves the variance
// through the request chain and records the loss (R07-LOSS through the ledger, compensation in fen).
// A person without shelf.sell has no entry and is refused the route.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, fitsWidth, option } from './lib/steps.mjs'

const STEP_MS = 120000
let server
let admin
let post
let water
let coffee

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  server = await startZhidu({ name: 'shelf' })
  admin = await apiSession(server, 'admin')
  const site = (await admin.get('sites')).items[0].id
  post = (await admin.get(`shelf/posts?site_id=${site}`)).items[0].id
  water = await admin.post('shelf/goods', { post_id: post, name: '矿泉水', unit_price_fen: 300 })
  coffee = await admin.post('shelf/goods', { post_id: post, name: '咖啡', unit_price_fen: 1500 })
  await admin.post(`shelf/goods/${water.id}/receipts`, { quantity: 20 })
  await admin.post(`shelf/goods/${coffee.id}/receipts`, { quantity: 5 })
})
after(async () => {
  if (server) await server.stop()
})

async function count(card, prefix, values) {
  for (const [id, n] of values) {
    const input = card.getByTestId(`${prefix}-${id}`).locator('input')
    await input.fill(String(n))
  }
}

describe('phone: the attendant sells, counts and reconciles', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('a sale, the stocktake before and after work with the variance, the weekly reconciliation', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'lounge_att', server.credentials.get('lounge_att').password)
    await page.goto(server.url + '/#/shelf')
    await page.getByTestId('shelf').waitFor()
    const row = page.locator(`[data-testid="goods-row"][data-id="${water.id}"]`)
    await row.getByText('帐面库存 20').waitFor()
    assert.equal(await page.getByTestId('goods-add').count(), 0, 'no goods form without shelf.manage')

    // A sale of 2: 6.00 元 by the server, the book shows 18.
    await row.getByTestId('sell-qty').locator('input').fill('2')
    await row.getByTestId('sell').click()
    await row.getByText('帐面库存 18').waitFor()
    const sales = (await admin.get(`shelf/moves?post_id=${post}&kind=sale`)).items
    assert.deepEqual(sales.map((m) => m.amount_fen), [600])

    // 上班前盘点: everything as on the book.
    const st = page.getByTestId('stocktake')
    await count(st, 'count', [[water.id, 18], [coffee.id, 5]])
    await st.getByTestId('stocktake-submit').click()
    await st.getByText('最近一次盘点').getByText('上班前').waitFor()
    await page.locator('[data-testid="stocktake-result"][data-variance="0"]').waitFor()

    // 下班后盘点: one bottle gone — the server's variance is shown.
    await st.getByText('下班后').click()
    await count(st, 'count', [[water.id, 17], [coffee.id, 5]])
    await st.getByTestId('stocktake-submit').click()
    await page.locator('[data-testid="stocktake-result"][data-variance="1"]').waitFor()
    await st.getByText('矿泉水：帐面 18，实盘 17，差异 1').waitFor()
    assert.ok(await fitsWidth(page), 'the page fits a phone')
    await shot(page, 'shelf-phone-stocktake')

    // The same slot again: refused in Chinese, nothing written.
    await count(st, 'count', [[water.id, 1], [coffee.id, 1]])
    await st.getByTestId('stocktake-submit').click()
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.match(text, /盘点已登记/)
    assert.equal((await admin.get(`shelf/stocktakes?post_id=${post}`)).items.length, 2)

    // The weekly reconciliation: 5.00 元 in cash for 6.00 元 of sales, one bottle short.
    const rec = page.getByTestId('reconciliation')
    await rec.getByTestId('rec-cash').fill('5')
    await count(rec, 'rec-count', [[water.id, 17], [coffee.id, 5]])
    await rec.getByTestId('rec-submit').click()
    const done = rec.locator('[data-testid="rec-row"][data-state="pending"]')
    await done.waitFor()
    await done.getByText('销售额 6.00 元，实收 5.00 元，帐款差异 1.00 元').waitFor()
    await done.getByText('库存差异 3.00 元').waitFor()
    await done.getByText('差异待审批').waitFor()
    assert.equal(await done.getByTestId('rec-approve').count(), 0, 'the attendant does not approve')
    // The request's notification names it in words, never its path (request/1).
    await page.locator('.live-toast').first().waitFor()
    assert.equal(await page.getByText(/request\/\d/).count(), 0)
    assert.ok(await fitsWidth(page), 'the page fits a phone')
    await shot(page, 'shelf-phone-weekly')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone: the supervisor approves the variance and records the loss', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('approve through the request chain; the loss is R07-LOSS with compensation', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'lounge_mgr', server.credentials.get('lounge_mgr').password)
    await page.goto(server.url + '/#/shelf')
    const rec = page.locator('[data-testid="rec-row"][data-state="pending"]')
    await rec.getByTestId('rec-approve').click()
    await page.locator('[data-testid="rec-row"][data-state="approved"]').getByText('差异已批准').waitFor()
    const recId = Number(await page.locator('[data-testid="rec-row"]').first().getAttribute('data-id'))
    const stored = await admin.get(`shelf/reconciliations/${recId}`)
    assert.equal(stored.state, 'approved')
    assert.equal((await admin.get(`requests/${stored.request_id}`)).state, 'approved')

    const loss = page.getByTestId('loss')
    await loss.getByTestId('loss-person').click()
    await page.locator('.loss-person-popper .el-select-dropdown__item', { hasText: '演示·许休息室' }).click()
    await loss.getByTestId('loss-amount').fill('3')
    await loss.getByTestId('loss-note').fill('少一瓶矿泉水')
    await loss.getByTestId('loss-submit').click()
    let losses = []
    for (let i = 0; i < 50 && !losses.length; i++) {
      losses = (await admin.get(`shelf/losses?post_id=${post}`)).items
      if (!losses.length) await page.waitForTimeout(200)
    }
    assert.equal(losses.length, 1)
    assert.equal(losses[0].compensation_fen, 300)
    const v = await admin.get(`violations/${losses[0].violation_id}`)
    assert.equal(v.code, 'R07-LOSS')
    assert.equal(v.fine_yuan, 20)
    assert.ok(await fitsWidth(page), 'the page fits a phone')
    await shot(page, 'shelf-phone-supervisor')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('a person without shelf.sell', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('has no entry and is refused the route', { timeout: STEP_MS }, async () => {
    const { page } = b
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await page.goto(server.url + '/#/shelf')
    await page.waitForURL(/#\/forbidden/)
    assert.equal(await page.getByTestId('shelf').count(), 0)
  })
})
