// End-to-end: 客服报表 (src/modules/service README "Reports", issue 18 §10) on a phone (390×844)
// against the real `zhidu serve --demo` on the test clock (Monday 2026-12-07 09:00 in Shanghai).
// Over the API: two tickets of 演示·吴客服 in 客服组 (one answered at once), a complaint in 投诉组
// (物流, never answered), a retail order shipped at once. 演示·郑主管 (客服主管, a supervisor of the
// queues) opens 客服报表, picks the day and sees the agent's day, the SLA rows per queue, the
// complaint analysis and the on-time shipping with their charts, and downloads the Excel workbook;
// the agent (not a supervisor) is told in Chinese that the reports are not for them.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { fitsWidth, nav } from './lib/steps.mjs'

const STEP_MS = 120000
let server
let admin
let site

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  server = await startZhidu({ name: 'service-reports', args: ['--test-clock', '2026-12-07T09:00:00+08:00'] })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  for (const [name, value] of [['service_first_response_within', '1h'], ['service_resolution_within', '4h']]) {
    await admin.put(`sites/${site}/parameters/${name}`, { value })
  }
  const queue = {}
  for (const name of ['客服组', '投诉组']) queue[name] = (await admin.post('posts', { site_id: site, name })).id
  const cs1 = await apiSession(server, 'cs1')
  const me = (await cs1.get('me')).account.person_id
  const ticket = async (q, subject, extra = {}) => {
    const t = await cs1.post('service/tickets', { site_id: site, queue_post_id: queue[q], subject, ...extra })
    await cs1.post(`service/tickets/${t.id}/assign`, { person_id: me })
    return t
  }
  const t1 = await ticket('客服组', '查询物流')
  await ticket('客服组', '开票')
  await ticket('投诉组', '包裹破损', { complaint: true, category: '物流' })
  await cs1.post(`service/tickets/${t1.id}/replies`, { body: '您好，已为您查询' })
  const customer = await admin.post('service/customers', { site_id: site, kind: 'company', name: '华东贸易', phones: ['02155550101'] })
  const order = await cs1.post('service/orders', { site_id: site, customer_id: customer.id, kind: 'retail', items: [{ name: '传感器', quantity: 2 }] })
  await cs1.post(`service/orders/${order.id}/ship`, {})
})
after(async () => {
  if (server) await server.stop()
})

// Signs in as `username`, opens 客服报表 and asks for 2026-12-07 alone.
async function openReport(page, username) {
  await signIn(page, server.url, username, server.credentials.get(username).password)
  await nav(page, '客服报表')
  await page.getByTestId('report-from').fill('2026-12-07')
  await page.getByTestId('report-to').fill('2026-12-07')
  await page.getByTestId('report-load').click()
}

describe('phone: the supervisor reads the day’s reports and downloads them', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('per agent, SLA, complaints and shipping, with charts and the workbook', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await openReport(page, 'cs_lead')

    const day = page.getByTestId('agent-day').filter({ hasText: '演示·吴客服' })
    await day.waitFor()
    assert.equal(await day.getAttribute('data-day'), '2026-12-07')
    const text = await day.innerText()
    assert.match(text, /接待 3/)
    assert.match(text, /首次回复 1（中位 0 分钟，时限内 100%）/)
    assert.match(text, /按时发货 1\/1/)
    assert.equal(await page.getByTestId('chart-received').locator('[data-label="演示·吴客服"]').getAttribute('data-value'), '3')

    const sla = page.getByTestId('sla-row')
    assert.equal(await sla.count(), 4) // two queues × first response and resolution
    assert.match(await sla.filter({ hasText: '投诉组' }).first().innerText(), /计时中 1/)
    assert.equal(await page.getByTestId('chart-sla').getByTestId('bar-row').count(), 4)

    assert.match(await page.getByTestId('complaints-total').innerText(), /投诉 1 件，客户已满意 0 件/)
    assert.equal(await page.getByTestId('chart-category').locator('[data-label="物流"]').getAttribute('data-value'), '1')
    assert.equal(await page.getByTestId('chart-state').locator('[data-label="处理中"]').getAttribute('data-value'), '1')
    assert.match(await page.getByTestId('shipping-total').innerText(), /合计发货 1 单，按时 1 单，延迟 0 单，及时率 100%/)

    // The workbook behind the link: a real XLSX (a zip) for the same range.
    const href = await page.getByTestId('report-xlsx').getAttribute('href')
    assert.match(href, /service\/reports\/export\.xlsx\?.*from=2026-12-07.*to=2026-12-07/)
    const bytes = await page.evaluate(async (h) => {
      const r = await fetch(h, { credentials: 'same-origin' })
      return { status: r.status, head: [...new Uint8Array(await r.arrayBuffer()).slice(0, 2)] }
    }, href)
    assert.equal(bytes.status, 200)
    assert.deepEqual(bytes.head, [0x50, 0x4b]) // "PK"

    assert.ok(await fitsWidth(page), 'the page fits the phone')
    await shot(page, 'service-reports-phone')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone: an agent is told the reports are for supervisors', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('the refusal in Chinese, no figures', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await openReport(page, 'cs1')
    await page.getByTestId('error-text').getByText('客服报表仅供本场所客服队列的主管查看').waitFor()
    assert.equal(await page.getByTestId('report-agents').count(), 0)
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
