// End-to-end: the VIP lounge (贵宾厅, src/modules/lounge, R15) on a phone (390×844) against the real
// `zhidu serve --demo` — 演示·钱礼宾 (礼宾员) records a guest's arrival, sees the 2-minute check-in
// countdown (R15 第十三条), checks the guest in from the ticket and card, sees the reminder time the
// pack's deadline gives (开车前15分钟, 第十四条), presses 已提醒 and 已送检票口 and sends the follow-up SMS
// through a fake relay on 127.0.0.1 (第十五条, `serve --sms-url`); a check-in for
// a train that has left is refused in Chinese. The departure is 40 minutes from now on the site's
// clock, typed as HH:MM: across midnight it is the next day's train (the nearest departure,
// docs/lounge.md), so the test holds at any hour.
import { createServer } from 'node:http'
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, fitsWidth } from './lib/steps.mjs'

const STEP_MS = 120000
let server
let admin
let site
let relay
const received = []

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
// "HH:MM" on the Shanghai wall clock `minutes` from now.
const shanghai = (minutes) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() + minutes * 60000))

// The reminder time of a departure "HH:MM": 15 minutes earlier (the pack's before: 15m).
const minus15 = (hhmm) => {
  const [h, m] = hhmm.split(':').map(Number)
  const t = (h * 60 + m - 15 + 1440) % 1440
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`
}

before(async () => {
  // The SMS relay: a fake on 127.0.0.1 that takes every message (never a real provider).
  relay = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      received.push(JSON.parse(body))
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"code":0,"message_id":"e2e-1"}')
    })
  })
  await new Promise((ok) => relay.listen(0, '127.0.0.1', ok))
  server = await startZhidu({ name: 'lounge', args: ['--sms-url', `http://127.0.0.1:${relay.address().port}/sms`] })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
})
after(async () => {
  if (server) await server.stop()
  if (relay) relay.close()
})

describe('phone: an attendant checks a guest in, reminds and escorts them', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('arrival, countdown, check-in, reminder time, 已提醒, 已送检票口', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'concierge', server.credentials.get('concierge').password)
    await page.goto(server.url + '/#/lounge')
    await page.getByTestId('lounge').waitFor()
    await page.getByTestId('arrive-name').fill('王先生')
    await page.getByTestId('arrive-phone').fill('13800001234')
    await page.getByTestId('arrive').click()

    const card = page.getByTestId('checkin-card').first()
    await card.waitFor()
    const id = Number(await card.getAttribute('data-id'))
    assert.ok(id > 0)
    // The pack's 2 minutes, counting down.
    await card.getByTestId('checkin-countdown').getByText(/剩余 00:0[12]:\d\d/).waitFor()
    assert.ok(await fitsWidth(page), 'the page fits a phone')

    const departs = shanghai(40)
    await card.getByTestId('ci-train').fill('G102')
    await card.getByTestId('ci-departs').fill(departs)
    await card.getByTestId('ci-card').fill('VIP-88')
    await card.getByTestId('ci-seat').fill('12F')
    await shot(page, 'lounge-phone-checkin')
    await card.getByTestId('ci-submit').click()

    const seated = page.locator(`[data-testid="seated-card"][data-id="${id}"]`)
    await seated.waitFor()
    assert.equal(await seated.getAttribute('data-state'), 'seated')
    await seated.getByTestId('reminder-time').getByText(`${minus15(departs)} 前提醒上车`).waitFor()
    await seated.getByText('待提醒').waitFor()
    assert.ok(await fitsWidth(page), 'the list fits a phone')
    await shot(page, 'lounge-phone-seated')

    let g = await admin.get(`lounge/guests/${id}`)
    assert.equal(g.state, 'seated')
    assert.equal(g.train_no, 'G102')
    assert.equal(g.checkin_state, 'met')
    assert.equal(g.reminder_state, 'open')

    await seated.getByTestId('remind').click()
    await page.locator(`[data-testid="seated-card"][data-id="${id}"][data-state="reminded"]`).waitFor()
    await seated.getByText('已按时提醒').waitFor()
    await seated.getByTestId('escort').click()
    await page.locator(`[data-testid="seated-card"][data-id="${id}"][data-state="escorted"]`).waitFor()
    g = await admin.get(`lounge/guests/${id}`)
    assert.equal(g.state, 'escorted')
    assert.equal(g.reminder_state, 'met')

    // 短信回访 through the relay, then the guest leaves the list.
    await seated.getByTestId('sms-text').fill('王先生您好，感谢光临贵宾厅，祝旅途愉快。')
    await seated.getByTestId('sms-send').click()
    await seated.waitFor({ state: 'detached' })
    assert.deepEqual(received, [{ to: '13800001234', text: '王先生您好，感谢光临贵宾厅，祝旅途愉快。', ref: `lounge-guest/${id}` }])
    g = await admin.get(`lounge/guests/${id}`)
    assert.equal(g.state, 'done')
    assert.equal(g.sms_id, 'e2e-1')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('a check-in for a train that has left is refused in Chinese', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('arrive').click()
    const card = page.getByTestId('checkin-card').first()
    await card.waitFor()
    const id = Number(await card.getAttribute('data-id'))
    await card.getByTestId('ci-train').fill('K7')
    await card.getByTestId('ci-departs').fill(shanghai(-30))
    await card.getByTestId('ci-card').fill('C-1')
    await card.getByTestId('ci-submit').click()
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.match(text, /已开出/)
    assert.equal((await admin.get(`lounge/guests/${id}`)).state, 'arrived')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('the timetable: a bad line imports nothing and is named; a check-in then takes the departure from it', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('timetable').getByText('本厅时刻表').click()
    const departs = shanghai(50)
    await page.getByTestId('tt-csv').fill(`车次,开车时间\nK8,${departs}\nK9,25:00\n`)
    await page.getByTestId('tt-import').click()
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.match(text, /第 3 行第 2 列/)
    assert.deepEqual((await admin.get(`lounge/timetable?site_id=${site}`)).items, [])
    await page.getByTestId('tt-csv').fill(`车次,开车时间\nK8,${departs}\n`)
    await page.getByTestId('tt-import').click()
    await page.getByTestId('tt-list').getByText(`K8 · ${departs}`).waitFor()

    // The guest of the earlier step still waits (its check-in was refused): wait for the new card
    // itself, then hold it by its id — `.last()` resolved before the new one rendered named the
    // old guest, and the step waited for the wrong guest to be seated.
    const waiting = await page.getByTestId('checkin-card').count()
    await page.getByTestId('arrive').click()
    await page.getByTestId('checkin-card').nth(waiting).waitFor()
    const id = Number(await page.getByTestId('checkin-card').nth(waiting).getAttribute('data-id'))
    const card = page.locator(`[data-testid="checkin-card"][data-id="${id}"]`)
    await card.getByTestId('ci-train').fill('k8')
    await card.getByTestId('ci-card').fill('C-2')
    await card.getByTestId('ci-submit').click()
    const seated = page.locator(`[data-testid="seated-card"][data-id="${id}"]`)
    await seated.getByTestId('reminder-time').getByText(`${minus15(departs)} 前提醒上车`).waitFor()
    assert.ok(await fitsWidth(page), 'the page fits a phone')
    await shot(page, 'lounge-phone-timetable')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone: the 厅经理 sees a reminder escalated to them (漏提醒)', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('a guest not reminded is listed with the attendant and 已上报：厅经理; an attendant has no such list', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const att = await apiSession(server, 'concierge')
    const g = await att.post('lounge/guests', { site_id: site, name: '赵女士' })
    // A departure 10 minutes from now: the reminder (departure − 15 min) is already due, so the
    // pack's deadline breaches at once and escalates to the 厅经理.
    const departure = new Date(Date.now() + 10 * 60000).toISOString()
    await att.post(`lounge/guests/${g.id}/check-in`, { train_no: 'D12', card_no: 'C-9', departure_at: departure })
    await assert.rejects(att.get(`lounge/missed-reminders?site_id=${site}`), (e) => /→ 403 /.test(e.message))

    await signIn(page, server.url, 'lounge_mgr', server.credentials.get('lounge_mgr').password)
    await page.goto(server.url + '/#/lounge')
    await page.getByTestId('lounge').waitFor()
    const card = page.locator(`[data-testid="missed-card"][data-id="${g.id}"]`)
    await card.waitFor()
    await card.getByTestId('missed-status').getByText('仍未提醒').waitFor()
    await card.getByText('已上报：厅经理').waitFor()
    await card.getByText(/登记礼宾员：\S+/).waitFor()
    await card.getByText('D12').waitFor()
    assert.ok(await fitsWidth(page), 'the list fits a phone')
    await shot(page, 'lounge-phone-missed-reminders')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
