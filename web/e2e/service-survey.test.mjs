// End-to-end: the customer's satisfaction survey (issue 18 §7) against the real `zhidu serve --demo`
// on the test clock. An agent resolves a ticket; the site's delay (service_survey_after, no default)
// passes; the agent's desk shows the survey due and issues its link; a customer opens the link on a
// phone with no sign-in, picks a low score, is asked for the reasons, answers once; the desk shows
// the satisfaction and the server credits it to the agent. The same link again is refused in
// Chinese.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { launch, signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, fitsWidth, nav } from './lib/steps.mjs'

const STEP_MS = 120000
const START = '2026-12-07T09:00:00+08:00'
let server
let admin
let site
let ticket
let link

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  server = await startZhidu({ name: 'service-survey', args: ['--test-clock', START] })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  const queue = await admin.post('posts', { site_id: site, name: '客服组' })
  await admin.put(`sites/${site}/parameters/service_survey_after`, { value: '2h' })
  const cs1 = await apiSession(server, 'cs1')
  ticket = await cs1.post('service/tickets', { site_id: site, queue_post_id: queue.id, subject: '软件安装咨询' })
  await cs1.post(`service/tickets/${ticket.id}/assign`, { person_id: cs1.account.person_id })
  await cs1.post(`service/tickets/${ticket.id}/state`, { to: 'resolved' })
  await admin.post('test/clock', { to: '2026-12-07T11:00:00+08:00' })
})
after(async () => {
  if (server) await server.stop()
})

describe('the agent issues the survey link of a resolved ticket', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('the desk shows the survey due and gives its link once', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await nav(page, '客服工作台')
    await page.getByTestId('ticket-list').locator(`[data-testid="ticket-subject"][data-id="${ticket.id}"]`).click()
    const survey = page.getByTestId('ticket-survey')
    await page.locator('[data-testid="ticket-survey"][data-state="due"]').waitFor()
    assert.match(await survey.innerText(), /待发送/)
    await page.getByTestId('survey-issue').click()
    const field = page.getByTestId('survey-link').locator('input')
    await field.waitFor()
    link = await field.inputValue()
    assert.match(link, /\/#\/survey\/[0-9a-f]{48}$/)
    await page.locator('[data-testid="ticket-survey"][data-state="sent"]').waitFor()
    await shot(page, 'service-survey-desk')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone: the customer answers the survey with no sign-in', { timeout: 300000 }, () => {
  let phone
  before(async () => {
    phone = await launch({ viewport: { width: 390, height: 844 }, mobile: true })
  })
  after(async () => {
    if (phone) await phone.close()
  })

  it('a low score asks for the reasons, one answer is taken', { timeout: STEP_MS }, async () => {
    const { page, problems } = phone
    await page.goto(link)
    await page.getByTestId('survey-subject').getByText('软件安装咨询').waitFor()
    assert.ok(!/#\/login/.test(page.url()), 'no sign-in is asked for')
    assert.ok(await fitsWidth(page), 'the page fits a phone')
    await page.getByTestId('survey-score-2').click()
    const submit = page.getByTestId('survey-submit')
    assert.equal(await submit.isDisabled(), true, 'a low score needs the reasons first')
    await page.getByTestId('survey-reason').fill('安装说明看不懂')
    await shot(page, 'service-survey-phone')
    await submit.click()
    await page.getByTestId('survey-thanks').waitFor()

    // The same link again: refused, in Chinese.
    await page.reload()
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.match(text, /已提交过/)
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('the answer is credited to the agent and shown on the ticket', { timeout: STEP_MS }, async () => {
    const t = await admin.get(`service/tickets/${ticket.id}`)
    assert.equal(t.survey.state, 'answered')
    assert.equal(t.survey.score, 2)
    assert.equal(t.satisfaction.satisfied, false)
    const rows = (await admin.get(`service/satisfaction?site_id=${site}&by=agent`)).items
    assert.equal(rows.length, 1)
    assert.equal(rows[0].answered, 1)
    assert.equal(rows[0].low, 1)
  })
})
