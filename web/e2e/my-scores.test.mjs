// End-to-end: 我的考核 (assessment scores, src/modules/people, issue 20 §1) against the real
// `zhidu serve --demo`. The site sets R15's weight (weight_lateness: R15 gives none) and the
// 厅经理's scheme r15-attendance (礼宾员绩效, lateness from the roster) is run for the month over
// the API; on a phone (390×844) the demo's 礼宾员 opens 我的考核 from the menu and sees their score
// with the indicator 迟到次数, its weight, its source (迟到记录), the records it counted and the clause
// R15 第三条, and a bar chart of the indicators' values — no raw ids,
// nothing scrolling sideways.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { fitsWidth, nav } from './lib/steps.mjs'

const STEP_MS = 120000
let server
let run

before(async () => {
  server = await startZhidu({ name: 'my-scores' })
  const admin = await apiSession(server, 'admin')
  const site = (await admin.get('sites')).items[0].id
  await admin.put(`sites/${site}/parameters/weight_lateness`, { value: '0.5' })
  const period = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 7) // the month in Shanghai
  run = await admin.post('assessment-runs', { site_id: site, assessment: 'r15-attendance', period })
  run.periodText = period
})
after(async () => {
  if (server) await server.stop()
})

describe('phone: the concierge reads their own score', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('我的考核 shows the score with each indicator, its source and clause', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'concierge', server.credentials.get('concierge').password)
    await nav(page, '我的考核')
    const card = page.getByTestId('score-card').first()
    await card.waitFor()
    assert.equal(await card.getByTestId('score-title').innerText(), '礼宾员绩效（迟到影响绩效考核及工资）')
    const mine = await apiSession(server, 'concierge')
    const score = run.scores.find((s) => s.person_id === mine.account.person_id)
    assert.ok(score, 'the concierge is a subject of the run')
    const late = score.values.find((v) => v.indicator === 'late_count')
    assert.equal(await card.getByTestId('score-value').innerText(), String(-(0.5 * late.value) || 0))
    const indicator = card.locator('[data-testid="score-indicator"][data-indicator="late_count"]')
    const text = await indicator.innerText()
    assert.ok(text.includes('迟到次数'), text)
    assert.ok(text.includes('权重 0.50'), text)
    assert.ok(text.includes('来源：迟到记录（排班表对照到岗记录；已撤销、申诉撤销的不计）'), text)
    assert.ok(text.includes(`计入 ${late.records.length} 条记录`), text)
    assert.equal(await indicator.getByTestId('indicator-clauses').innerText(), 'R15 第三条')
    assert.ok(!/#\d|roster\.late|late_count/.test(await card.innerText()), 'no raw ids or source names')
    // The chart (issue 20 §6): one row per indicator, its bar the indicator's value, by title, inside the phone's width.
    const chart = card.getByTestId('indicator-chart')
    const rows = chart.getByTestId('bar-row')
    assert.equal(await rows.count(), score.values.length)
    assert.equal(await rows.first().getAttribute('data-label'), '迟到次数')
    assert.equal(Number(await rows.first().getAttribute('data-value')), late.value)
    assert.equal(await chart.getByTestId('bar').count(), score.values.filter((v) => v.computed).length)
    const label = await chart.locator('svg').getAttribute('aria-label')
    assert.ok(label.startsWith('各项指标的数值') && label.includes('迟到次数') && !/late_count|roster\.late/.test(label), label)
    const box = await chart.locator('svg').boundingBox()
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box))
    assert.ok(await fitsWidth(page), 'the scores fit the phone’s width')
    await page.screenshot({ path: join(ARTIFACTS, 'my-scores-phone.png'), fullPage: true })
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
