// End-to-end: 订单 (src/modules/service orders, issue 18 §6) on a phone (390×844) against the real
// `zhidu serve --demo` on the test clock (Wednesday 2026-09-30 09:00 in Shanghai) — 演示·吴客服
// (客服专员) takes a retail order of 3 pieces: the shipping notice at once and the ship-by the end of
// that day (R06 §四(二)4/5); ships it on time; records an exchange. A promised date on 国庆 is refused
// in Chinese. A bulk order shows the pack's five reviews open; when the five reviewers approve (over
// the API) it has its notice, confirmed at 09:00 on a working day: ship by the end of 09-30.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { fitsWidth, nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
const PASSWORD = 'correct horse 1'
const REVIEWERS = ['销售部门领导', '生产部', '技术部', '研发部', '物控部']
let server
let admin
let site

// A reviewer account of this test (not a demo user) approves the review request over the API.
async function approveAs(username, requestId) {
  const res = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
  assert.equal(res.status, 200, `login ${username}`)
  const { csrf_token: csrf } = await res.json()
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const r = await fetch(`${server.url}/api/v1/requests/${requestId}/decisions`, { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body: JSON.stringify({ approve: true }) })
  assert.equal(r.status, 201, `${username} approves: ${await r.text()}`)
}

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  server = await startZhidu({ name: 'service-orders', args: ['--test-clock', '2026-09-30T09:00:00+08:00'] })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  await admin.post('service/customers', { site_id: site, kind: 'company', name: '华东贸易', phones: ['02155550101'] })
})
after(async () => {
  if (server) await server.stop()
})

async function newOrder(page, { kind, quantity, promised }) {
  await page.getByTestId('order-new').click()
  const form = page.getByTestId('order-form')
  await form.waitFor()
  await form.getByTestId('o-customer').click()
  await option(page, '华东贸易').click()
  await form.getByTestId(`o-kind-${kind}`).click()
  await form.getByTestId('o-name').fill('工业传感器')
  const qty = form.getByTestId('o-quantity').locator('input')
  await qty.fill(String(quantity))
  await qty.blur()
  await form.getByTestId('o-pieces').getByText(`共 ${quantity} 件`).waitFor()
  if (promised) await form.getByTestId('o-promised').fill(promised)
  await page.getByTestId('o-create').click()
  return form
}

describe('phone: an agent takes, ships and exchanges a retail order; a bulk order is reviewed', { timeout: 400000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('a retail order gets its notice at once, ships on time, takes an exchange', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await nav(page, '订单')

    // 10-01 is 国庆: refused, in Chinese, nothing written.
    const form = await newOrder(page, { kind: 'retail', quantity: 3, promised: '2026-10-01' })
    await form.getByText('承诺日期不是工作日').waitFor()
    assert.equal((await admin.get(`service/orders?site_id=${site}`)).items.length, 0)
    await form.getByTestId('o-promised').fill('')
    await page.getByTestId('o-create').click()

    const detail = page.getByTestId('order-detail')
    await detail.waitFor()
    assert.equal(await detail.getAttribute('data-state'), 'notice')
    await page.getByTestId('order-notice').locator('xpath=self::*[@data-made="true"]').waitFor()
    assert.match(await page.getByTestId('order-ship-by').innerText(), /10-01 00:00/)
    await page.getByTestId('order-deadlines').locator('li[data-kind="shipBy"][data-state="open"]').waitFor()
    assert.ok(await fitsWidth(page), 'the order fits a phone')
    await shot(page, 'service-orders-notice')

    await page.getByTestId('order-ship').click()
    await page.getByTestId('order-shipped').locator('xpath=self::*[@data-on-time="true"]').waitFor()
    assert.equal(await detail.getAttribute('data-state'), 'shipped')
    await page.getByTestId('order-return-open').click()
    await page.getByTestId('order-return-kind-exchange').click()
    await page.getByTestId('order-return-reason').fill('型号不符，换 TS-200')
    await page.getByTestId('order-return-save').click()
    await page.getByTestId('order-returns').locator('li[data-kind="exchange"]').getByText('型号不符').waitFor()
    await shot(page, 'service-orders-exchange')

    const id = Number(await detail.getAttribute('data-id'))
    const saved = await admin.get(`service/orders/${id}`)
    assert.equal(saved.pieces, 3)
    assert.equal(saved.shipped_on_time, true)
    assert.deepEqual(saved.returns.map((r) => r.kind), ['exchange'])
    assert.ok(saved.procedures.some((p) => p.procedure === 'r06-return-exchange'))
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('a bulk order shows its five reviews and gets its notice when all approve', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await newOrder(page, { kind: 'bulk', quantity: 20 })
    const detail = page.getByTestId('order-detail')
    await detail.locator('xpath=self::*[@data-state="reviewing"]').waitFor()
    const reviews = page.getByTestId('order-reviews').locator('li[data-decision="open"]')
    await reviews.nth(4).waitFor()
    assert.equal(await reviews.count(), 5)
    await page.getByTestId('order-notice').locator('xpath=self::*[@data-made="false"]').waitFor()
    await shot(page, 'service-orders-review')

    // The five reviewers (the pack's roles) approve over the API.
    const id = Number(await detail.getAttribute('data-id'))
    const order = await admin.get(`service/orders/${id}`)
    for (const [i, role] of REVIEWERS.entries()) {
      const person = await admin.post('people', { site_id: site, name: `评审·${role}` })
      await admin.post('accounts', { username: `review${i}`, password: PASSWORD, person_id: person.id, roles: [{ role, scope_kind: 'site', scope_id: site }] })
      await approveAs(`review${i}`, order.review_request_id)
    }

    await page.getByTestId('order-filter-kind').click()
    await option(page, '批量').click()
    await page.getByTestId('order-list').getByTestId('order-no').getByText(order.no).click()
    await detail.locator('xpath=self::*[@data-state="notice"]').waitFor()
    await page.getByTestId('order-review-state').locator('xpath=self::*[@data-state="approved"]').waitFor()
    assert.equal(await page.getByTestId('order-reviews').locator('li[data-decision="approved"]').count(), 5)
    assert.match(await page.getByTestId('order-ship-by').innerText(), /10-01 00:00/)
    assert.ok(await fitsWidth(page), 'the reviewed order fits a phone')
    await shot(page, 'service-orders-approved')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
