// End-to-end: the policy library (制度库) and 我的提醒 against the real `zhidu serve --demo`.
// Run: `npm run build && npm run test:e2e` in web/ (ZHIDU_BIN overrides the binary).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { ARTIFACTS, REPO_DIR, startZhidu } from './lib/server.mjs'
import { launch } from './lib/browser.mjs'

const STEP_MS = 60000
let server

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false })
async function login(page, username) {
  await page.goto(server.url + '/')
  await page.waitForURL(/#\/login/)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(server.credentials.get(username).password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((u) => !/#\/login/.test(u.href))
}
// Beijing wall-clock time `secs` from now, as the date picker shows it.
function beijing(secs) {
  const d = new Date(Date.now() + secs * 1000 + 8 * 3600000)
  return d.toISOString().slice(0, 19).replace('T', ' ')
}
async function createReminder(page, message, secs) {
  const due = page.getByTestId('r-due').locator('input')
  await due.click()
  await due.fill(beijing(secs))
  await due.press('Enter')
  await page.getByTestId('r-message').click() // closes the picker
  await page.getByTestId('r-message').fill(message)
  await page.getByTestId('r-save').click()
  await page.getByTestId('reminder-message').getByText(message, { exact: true }).waitFor()
}
const rowOf = (page, message) => page.locator('tr, li.card').filter({ has: page.getByTestId('reminder-message').getByText(message, { exact: true }) })

// The server runs a copy of the default pack, so the reload test can plant an error in it.
const packDir = mkdtempSync(join(tmpdir(), 'zhidu-e2e-pack-'))
before(async () => {
  cpSync(join(REPO_DIR, 'policies/cn-default'), packDir, { recursive: true })
  server = await startZhidu({ name: 'policy', args: ['--policies', packDir] })
})
after(async () => {
  if (server) await server.stop()
  rmSync(packDir, { recursive: true, force: true })
})

describe('desktop: policy library and reminders', { timeout: 240000 }, () => {
  let b
  before(async () => {
    b = await launch()
  })
  after(async () => {
    if (b) await b.close()
  })

  it('an operator sees 20 regulations, R12 with 五不接 and its rules, and no reload button', { timeout: STEP_MS }, async () => {
    const { page } = b
    await login(page, 'op1')
    await page.getByTestId('nav').getByText('制度库', { exact: true }).click()
    await page.waitForURL(/#\/policy$/)
    await page.getByTestId('pack-header').getByText('cn-default').waitFor()
    assert.equal(await page.getByTestId('regulation-item').count(), 20)
    assert.ok(await page.getByText('管理制度（20 项）').isVisible())
    assert.equal(await page.getByTestId('policy-reload').count(), 0, 'an operator has no reload button')
    await shot(page, 'desktop-policy')

    await page.getByTestId('regulation-item').filter({ hasText: 'R12' }).getByRole('link').click()
    await page.waitForURL(/#\/policy\/R12$/)
    const clause = page.locator('[data-testid=clause][data-clause="R12 §四(二)2(3)"]')
    await clause.getByText('工具不全不接').waitFor()
    assert.match(await page.locator('[data-testid=clause][data-clause="R12 §四(二)2"]').innerText(), /五不接/)
    assert.ok((await clause.getByTestId('rule-tag').count()) > 0, 'the 五不接 clause has a rule tag')
    assert.match(await clause.getByTestId('rule-tag').first().innerText(), /检查表[\s\S]*五不接/)
    await shot(page, 'desktop-policy-r12')

    // Search by text, then by clause id.
    const total = await page.getByTestId('clause').count()
    await page.getByTestId('clause-search').fill('工具不全')
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=clause]').length < n, total)
    const ids = await page.getByTestId('clause').evaluateAll((els) => els.map((e) => e.dataset.clause))
    assert.ok(ids.includes('R12 §四(二)2(3)'), ids.join())
    assert.ok(ids.length < 6, ids.join())
    await page.getByTestId('clause-search').fill('§四(二)2(5)')
    await page.locator('[data-testid=clause][data-clause="R12 §四(二)2(5)"]').waitFor()
    await page.getByTestId('clause-search').fill('不会出现的文字')
    await page.getByTestId('clause-none').waitFor()
    await page.getByTestId('clause-search').fill('')

    // Each leaf clause says how it is covered; a heading sums its sub-clauses; the filter keeps one kind.
    assert.equal(await clause.getByTestId('clause-coverage').getAttribute('data-coverage'), 'executable')
    assert.match(await clause.getByTestId('clause-coverage').innerText(), /可执行/)
    assert.match(await page.locator('[data-testid=clause][data-clause="R12 §四(二)2"]').getByTestId('clause-coverage-sum').innerText(), /可执行 [1-9]/)
    // R12's only citable-only clause is its purpose statement (§一): 仅可引用 leaves just that.
    await page.getByTestId('coverage-filter').getByText('仅可引用', { exact: true }).click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=clause]').length === 1)
    const only = page.getByTestId('clause')
    assert.equal(await only.getAttribute('data-clause'), 'R12 §一')
    assert.equal(await only.getByTestId('clause-coverage').getAttribute('data-coverage'), 'citable')
    await page.getByTestId('coverage-filter').getByText('全部', { exact: true }).click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=clause]').length === n, total)
    // R16: the 仅可引用 filter shows as many leaves as the server counts, each marked so, with their headings.
    await page.goto(server.url + '/#/policy/R16')
    await page.locator('[data-testid=clause][data-clause^="R16"]').first().waitFor()
    const r16 = await page.evaluate(async () => (await (await fetch('api/v1/policy/regulations')).json()).items.find((r) => r.code === 'R16'))
    assert.ok(r16.citable_only > 0, 'R16 has conduct-only clauses')
    const r16Total = await page.getByTestId('clause').count()
    await page.getByTestId('coverage-filter').getByText('仅可引用', { exact: true }).click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=clause]').length < n, r16Total)
    const marks = await page.locator('[data-testid=clause-coverage]').evaluateAll((els) => els.map((e) => e.dataset.coverage))
    assert.equal(marks.length, r16.citable_only, `as many leaves as the server's citable_only (${marks})`)
    assert.ok(marks.every((m) => m === 'citable'), marks.join())
    assert.equal(await page.getByTestId('coverage-filter').locator('.is-active').innerText(), '仅可引用')
    await page.waitForTimeout(400) // the radio button's colour transition, for the screenshot
    await shot(page, 'desktop-policy-r16-citable')
  })

  it('a deep link opens the clause drawer', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.goto(server.url + '/#/policy/R12?clause=' + encodeURIComponent('R12 §四(二)2'))
    const drawer = page.getByTestId('clause-drawer')
    await drawer.getByTestId('clause-detail-text').waitFor()
    assert.ok(await drawer.getByText('(3)工具不全不接;').isVisible())
    assert.ok((await drawer.getByTestId('rule-tag').count()) > 0)
    await page.waitForTimeout(400)
    await shot(page, 'desktop-policy-clause')
    await page.keyboard.press('Escape')
    await page.waitForURL((u) => !u.href.includes('clause='))
  })

  it('creates a reminder that fires, and cancels another', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('nav').getByText('我的提醒', { exact: true }).click()
    await page.waitForURL(/#\/reminders$/)
    // The form refuses a time in the past before sending.
    await page.getByTestId('r-save').click()
    await page.locator('.el-form-item__error', { hasText: '此项为必填' }).first().waitFor()
    const soon = `五秒后提醒-${Date.now().toString(36).slice(-4)}`
    const later = `一小时后提醒-${Date.now().toString(36).slice(-4)}`
    await createReminder(page, soon, 6)
    await createReminder(page, later, 3600)
    await rowOf(page, later).getByTestId('reminder-countdown').waitFor()
    assert.match(await rowOf(page, later).getByTestId('reminder-countdown').innerText(), /^00:59:\d\d$|^01:00:00$/)
    await shot(page, 'desktop-reminders-pending')
    await rowOf(page, soon).locator('[data-testid=reminder-state][data-state=fired]').waitFor({ timeout: 30000 })
    assert.equal(await rowOf(page, soon).getByTestId('reminder-state').innerText(), '已触发')

    await rowOf(page, later).getByTestId('reminder-cancel').click()
    await page.getByRole('dialog').getByRole('button', { name: '取消提醒' }).click()
    await rowOf(page, later).locator('[data-testid=reminder-state][data-state=cancelled]').waitFor()
    assert.equal(await rowOf(page, later).getByTestId('reminder-state').innerText(), '已取消')
    await page.waitForTimeout(300)
    await shot(page, 'desktop-reminders')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('the admin reloads the pack', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('logout').click()
    await page.waitForURL(/#\/login/)
    await login(page, 'admin')
    await page.goto(server.url + '/#/policy')
    await page.getByTestId('policy-reload').click()
    await page.getByTestId('reload-ok').waitFor()
    assert.equal(await page.getByTestId('regulation-item').count(), 20)
    await shot(page, 'desktop-policy-reloaded')

    // A pack with an error is refused with its diagnostics; the previous pack stays in force.
    const file = join(packDir, 'R12.yaml')
    const good = readFileSync(file, 'utf8')
    appendFileSync(file, '\nno_such_field_e2e: 1\n')
    try {
      await page.getByTestId('policy-reload').click()
      const diag = page.getByTestId('reload-diagnostics')
      await diag.waitFor()
      assert.match(await diag.innerText(), /R12\.yaml:\d+:\d+/)
      assert.ok(await page.getByText('原制度包继续生效').isVisible())
      assert.equal(await page.getByTestId('regulation-item').count(), 20)
      await shot(page, 'desktop-policy-reload-refused')
    } finally {
      writeFileSync(file, good)
    }
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone 390×844: policy library and reminders', { timeout: 180000 }, () => {
  let b
  before(async () => {
    b = await launch({ viewport: { width: 390, height: 844 }, mobile: true })
  })
  after(async () => {
    if (b) await b.close()
  })

  it('an operator reads R12 and the clause drawer on a phone', { timeout: STEP_MS }, async () => {
    const { page } = b
    await login(page, 'op2')
    await page.goto(server.url + '/#/policy')
    await page.getByTestId('regulation-item').nth(19).waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `no horizontal scrolling (scrollWidth ${width})`)
    await shot(page, 'phone-policy')
    await page.goto(server.url + '/#/policy/R12')
    await page.locator('[data-testid=clause][data-clause="R12 §四(二)2(3)"]').waitFor()
    const w2 = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(w2 <= 390, `no horizontal scrolling on R12 (scrollWidth ${w2})`)
    await page.getByTestId('clause-search').fill('五交')
    await page.waitForTimeout(300)
    await shot(page, 'phone-policy-r12')
    await page.getByTestId('clause-search').fill('')
    await page.locator('[data-testid=clause][data-clause="R12 §四(二)2"]').getByTestId('clause-open').click()
    await page.getByTestId('clause-drawer').getByTestId('clause-detail-text').waitFor()
    await page.waitForTimeout(400)
    await shot(page, 'phone-policy-clause')
  })

  it('creates a reminder on a phone', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.goto(server.url + '/#/reminders')
    const msg = `手机提醒-${Date.now().toString(36).slice(-4)}`
    await createReminder(page, msg, 1800)
    await rowOf(page, msg).getByTestId('reminder-countdown').waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `no horizontal scrolling (scrollWidth ${width})`)
    await shot(page, 'phone-reminders')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
