// End-to-end: 考勤异常 (lateness and absence, src/modules/people, issue 20 §4) against the real
// `zhidu serve --demo` on the test clock. The demo's published 四班三运转 roster puts two fire
// operators on 消防控制室值班岗 for the early shift (00:00–08:00); the site names its grace period
// and penalty codes (attendance_late_after 5m, R15-LATE, R13-DISCIPLINE) and one of them takes the
// post 12 minutes into the shift. On a desktop the admin presses 立即核对 and sees the lateness with
// the operator's name, the post's name, the shift and 迟到 12 分钟, charged in the ledger, and the
// evening's earlier absences with the reason they were not charged, and narrows the list to the
// operator with the person filter. On a phone (390×844) the late operator sees only their own
// findings as cards, follows the lateness to its violation in 违规台账 (where they can appeal), and
// neither page scrolls sideways.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, REPO_DIR, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { fitsWidth, nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
const START = '2026-12-07T09:00:00+08:00'
const NIGHT = '2026-12-08T00:00:00+08:00' // the early shift, 00:00–08:00
const POST = '消防控制室值班岗'
const at = (minutes) => new Date(Date.parse(NIGHT) + minutes * 60000).toISOString()
let server
let admin
let site
let late // { user, person, name }

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  server = await startZhidu({ name: 'attendance', args: ['--test-clock', START, '--policies', join(REPO_DIR, 'policies/cn-default')] })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  const post = (await admin.get(`posts?site_id=${site}&limit=200`)).items.find((p) => p.name === POST).id
  const shifts = (await admin.get(`shifts?site_id=${site}&from=${encodeURIComponent(NIGHT)}&to=${encodeURIComponent(at(60))}`)).items
  const onShift = shifts.filter((s) => s.post_id === post && Date.parse(s.starts_at) === Date.parse(NIGHT))
  assert.equal(onShift.length, 2, JSON.stringify(onShift)) // two certified operators per fire team (demo)
  // Which demo account is the first of them (bounded: the demo's accounts).
  for (const [user] of server.credentials) {
    const s = await apiSession(server, user)
    if (s.account.person_id === onShift[0].person_id) {
      late = { user, person: s.account.person_id }
      break
    }
  }
  assert.ok(late, 'the rostered operator has an account')
  late.name = (await admin.get(`people/${late.person}`)).name
  // The evening shift (16:00–24:00) ends with nobody on any post: absences, not charged yet.
  // Moving the clock 15 hours on ends the sessions: sign in again after each move.
  await admin.post('test/clock', { to: at(6) })
  admin = await apiSession(server, 'admin')
  for (const [name, value] of [['attendance_late_after', '5m'], ['attendance_late_code', 'R15-LATE'], ['attendance_absent_code', 'R13-DISCIPLINE']]) {
    await admin.put(`sites/${site}/parameters/${name}`, { value })
  }
  await admin.post('test/clock', { to: at(12) })
  admin = await apiSession(server, 'admin')
  await (await apiSession(server, late.user)).post(`posts/${post}/attendance`)
})
after(async () => {
  if (server) await server.stop()
})

describe('desktop: the admin checks at once and sees the lateness', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('立即核对 finds the lateness, shown with names, the shift and the ledger link', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'admin', server.credentials.get('admin').password)
    await nav(page, '考勤异常')
    await page.getByTestId('attendance-list').waitFor() // the evening's absences are there already
    assert.equal(await page.locator('[data-testid="finding-kind"][data-kind="late"]').count(), 0)
    const noted = page.getByTestId('finding-note').first()
    assert.match(await noted.innerText(), /^未计入违规：.*attendance_absent_code.*未设置/)

    await page.getByTestId('attendance-check').click()
    await page.getByText('核对完成，新发现 1 条考勤异常').waitFor()
    const kind = page.locator('[data-testid="finding-kind"][data-kind="late"]')
    await kind.waitFor()
    assert.equal(await kind.innerText(), '迟到 12 分钟')
    const row = page.locator('.el-table__row', { has: kind })
    const text = await row.innerText()
    assert.ok(text.includes(late.name), text)
    assert.ok(text.includes(POST), text)
    assert.ok(text.includes('2026-12-08 00:00–08:00'), text)
    assert.ok(!/#\d/.test(text), `no raw ids: ${text}`)
    const link = row.getByTestId('finding-violation')
    const violation = Number(await link.getAttribute('data-violation'))
    const v = await admin.get(`violations/${violation}`)
    assert.deepEqual([v.code, v.person_id, v.clauses], ['R15-LATE', late.person, ['R15 第三条']])
    await shot(page, 'attendance-desktop')

    // The person filter narrows the list to the operator's findings.
    await page.getByTestId('attendance-person').click()
    await option(page, late.name).click()
    await page.waitForFunction((name) => {
      const names = [...document.querySelectorAll('[data-testid="finding-person"]')].map((e) => e.textContent)
      return names.length > 0 && names.every((n) => n === name)
    }, late.name)
    assert.equal(await page.locator('[data-testid="finding-kind"][data-kind="late"]').count(), 1)

    // Checking again makes nothing new.
    await page.getByTestId('attendance-check').click()
    await page.getByText('核对完成，没有新的考勤异常').waitFor()
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone: the late operator sees their own finding and follows it to the ledger', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('only their own findings, as cards, linked to the violation they can appeal', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, late.user, server.credentials.get(late.user).password)
    await nav(page, '考勤异常')
    const kind = page.locator('[data-testid="finding-kind"][data-kind="late"]')
    await kind.waitFor()
    assert.equal(await kind.innerText(), '迟到 12 分钟')
    const names = await page.getByTestId('finding-person').allInnerTexts()
    assert.ok(names.length >= 1)
    assert.deepEqual([...new Set(names)], [late.name])
    assert.equal(await page.getByTestId('attendance-check').count(), 0) // no ledger.read
    assert.ok(await fitsWidth(page), 'the findings fit the phone’s width')
    await shot(page, 'attendance-phone')

    const card = page.locator('li.card', { has: kind })
    const link = card.getByTestId('finding-violation')
    const violation = await link.getAttribute('data-violation')
    await link.click()
    await page.waitForURL(/#\/ledger\?/)
    const focused = page.locator('li.card.row-focus')
    await focused.waitFor()
    assert.equal(await focused.getByTestId('violation-code').getAttribute('data-id'), violation)
    assert.equal(await focused.getByTestId('violation-code').innerText(), 'R15-LATE')
    assert.equal(await focused.getByTestId('violation-title').innerText(), '迟到（影响绩效考核及工资）') // the pack's title beside the code (issue 17 §7)
    await focused.getByTestId('appeal').waitFor() // their own recorded violation: they may appeal
    assert.ok(await fitsWidth(page), 'the ledger fits the phone’s width')
    await shot(page, 'attendance-phone-ledger')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
