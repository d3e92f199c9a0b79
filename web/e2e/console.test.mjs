// End-to-end: the built console (web/dist) served by the real `zhidu serve --demo`, driven in
// Debian's Chromium. Run: `npm run build && npm run test:e2e` in web/ (ZHIDU_BIN overrides the binary).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { launch, signIn } from './lib/browser.mjs'
import { assertChineseError } from './lib/steps.mjs'

const STEP_MS = 60000
let server

// Today's date and offsets in the site's zone (Asia/Shanghai), as YYYY-MM-DD.
function shanghaiDate(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}
// Names of visible form controls that have no accessible label (should be none).
async function unlabelledInputs(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('input, textarea, select')]
      .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
      .filter((el) => {
        if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false
        if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return false
        return !el.closest('label')
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  )
}
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false })

async function login(page, username, password) {
  await page.goto(server.url + '/')
  await page.waitForURL(/#\/login/)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
}

// Picks an option of the Element Plus select inside the form item labelled `label`.
async function pick(scope, page, label, optionText) {
  await scope.locator('.el-form-item', { hasText: label }).first().locator('.el-select__wrapper').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first().click()
}

before(async () => {
  server = await startZhidu({ name: 'console' })
})
after(async () => {
  if (server) await server.stop()
})

describe('desktop, admin', { timeout: 240000 }, () => {
  let b
  const suffix = Date.now().toString(36).slice(-5)
  const siteName = `东区中控室-${suffix}`
  const personName = `王小明${suffix}`
  before(async () => {
    b = await launch()
  })
  after(async () => {
    if (b) await b.close()
  })

  it('shows the login page in zh-CN and a wrong password readably', { timeout: STEP_MS }, async () => {
    const { page } = b
    await login(page, 'admin', 'definitely-not-the-password')
    // Its reason (auth.wrong_password) in Chinese, and none of the server's English.
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.match(text, /用户名或密码不正确/, text)
    assert.doesNotMatch(text, /wrong username/, text)
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
    assert.ok(await page.getByRole('heading', { name: /登录/ }).isVisible())
    await shot(page, 'desktop-login-error')
  })

  it('signs the admin in, by keyboard only, to the organisation page with the zh-CN shell', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.goto(server.url + '/')
    await page.waitForURL(/#\/login/)
    await page.getByTestId('login-username').fill('')
    await page.getByTestId('login-username').focus()
    await page.keyboard.type('admin')
    await page.keyboard.press('Tab')
    await page.keyboard.type(server.credentials.get('admin').password)
    await page.keyboard.press('Enter')
    await page.waitForURL(/#\/org$/)
    await page.getByTestId('org-overview').waitFor()
    const nav = page.getByTestId('nav')
    for (const term of ['值班台', '交接班', '值班记录', '排班表', '违规台账', '审批', '站点/场所', '部门', '班组', '岗位', '人员', '审计日志']) {
      assert.ok(await nav.getByText(term, { exact: true }).first().isVisible(), `nav shows ${term}`)
    }
    assert.ok(await nav.getByText('即将上线').first().isVisible())
    assert.ok(await page.getByText('当前用户：admin').isVisible())
    await shot(page, 'desktop-org')
  })

  it('validates the site form before submitting and shows a server error readably', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('nav').getByText('站点/场所', { exact: true }).click()
    await page.waitForURL(/#\/org\/sites$/)
    await page.getByText('示范园区（演示）').first().waitFor()
    await page.getByTestId('create').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('save').click()
    await dialog.locator('.el-form-item__error', { hasText: '此项为必填' }).waitFor()
    await shot(page, 'desktop-site-validation')
    await dialog.getByTestId('f-name').fill(siteName)
    await dialog.getByTestId('save').click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByText(siteName).first().waitFor()

    // The same name again: the server refuses (409 conflict) and the dialog says so in Chinese.
    await page.getByTestId('create').click()
    await dialog.getByTestId('f-name').fill(siteName)
    await dialog.getByTestId('save').click()
    const text = await assertChineseError(dialog.getByTestId('error-text'))
    assert.match(text, /「名称」已被使用/, text) // reason taken, field name
    await assertChineseError(dialog.locator('.el-form-item__error', { hasText: '已被使用' })) // and the field is marked
    await shot(page, 'desktop-site-server-error')
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })
  })

  it('creates a person with certificates and highlights expiry', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('nav').getByText('人员', { exact: true }).click()
    await page.waitForURL(/#\/org\/people$/)
    await page.getByTestId('create').click()
    const dialog = page.getByRole('dialog')
    await pick(dialog, page, '站点/场所', siteName)
    assert.deepEqual(await unlabelledInputs(page), [], 'every input in the person form has a label')
    await dialog.getByTestId('f-name').fill(personName)
    await dialog.getByTestId('f-employee-no').fill(`E2E-${suffix}`)
    await dialog.getByTestId('f-phone').fill('not a phone')
    await dialog.getByTestId('save').click()
    await dialog.locator('.el-form-item__error', { hasText: '电话号码格式不正确' }).waitFor()
    await dialog.getByTestId('f-phone').fill('13800138000')
    // 出生日期 and 学历 (R20 §二1) are optional; the new site has no education levels: free text.
    await dialog.locator('#f-birth').fill('1992-03-04')
    await dialog.locator('#f-birth').press('Enter')
    await dialog.getByTestId('f-education').fill('高中')
    await dialog.getByTestId('save').click()
    await page.waitForURL(/#\/org\/people\/\d+$/)
    await page.getByTestId('person-name').getByText(personName).waitFor()
    assert.equal(await page.getByTestId('person-birth').innerText(), '1992-03-04')
    assert.equal(await page.getByTestId('person-education').innerText(), '高中')

    // An impossible date is caught before it is sent.
    await page.getByTestId('c-kind').fill('消防设施操作员')
    await page.getByTestId('c-number').fill(`XF-${suffix}-1`)
    await page.getByTestId('c-expires').fill('2027-02-30')
    await page.getByTestId('c-save').click()
    await page.locator('.el-form-item__error', { hasText: '日期格式应为 YYYY-MM-DD' }).waitFor()

    const soon = shanghaiDate(10)
    await page.getByTestId('c-expires').fill(soon)
    await page.getByTestId('c-save').click()
    await page.locator('[data-testid=expiry-badge][data-status=expiring]').waitFor()
    assert.match(await page.locator('[data-testid=expiry-badge][data-status=expiring]').innerText(), /10 天内到期/)

    await page.getByTestId('c-kind').fill('保安员证')
    await page.getByTestId('c-number').fill(`BA-${suffix}-2`)
    await page.getByTestId('c-expires').fill(shanghaiDate(-3))
    await page.getByTestId('c-save').click()
    await page.locator('[data-testid=expiry-badge][data-status=expired]').waitFor()
    assert.equal(await page.locator('tr.row-expired').count(), 1)
    assert.equal(await page.locator('tr.row-expiring').count(), 1)
    assert.ok(await page.getByText('1 个证书已过期').isVisible())
    const red = await page.locator('[data-testid=expiry-badge][data-status=expired]').evaluate((el) => getComputedStyle(el).backgroundColor)
    assert.equal(red, 'rgb(185, 28, 28)')
    assert.deepEqual(await unlabelledInputs(page), [], 'every input on the person page has a label')
    await shot(page, 'desktop-person-certificates')

    // Back in the list, filtered by the new site, the person is there.
    await page.getByTestId('nav').getByText('人员', { exact: true }).click()
    await page.locator('.toolbar .el-select__wrapper').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: siteName }).click()
    await page.getByTestId('person-link').getByText(personName).waitFor()
    // The unfiltered list may already show the new person: wait for the filter's answer.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=person-link]').length === 1,
      null, { timeout: 10000 }).catch(() => {})
    assert.equal(await page.getByTestId('person-link').count(), 1)
    await shot(page, 'desktop-people')
  })

  it('creates an account with a site-scoped role grant', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('nav').getByText('账号与权限', { exact: true }).click()
    await page.waitForURL(/#\/org\/accounts$/)
    await page.getByText('lead1').first().waitFor()
    await page.getByTestId('create').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('a-username').fill(`e2e_${suffix}`)
    await dialog.getByTestId('a-password').fill('short')
    await dialog.getByTestId('save').click()
    await dialog.locator('.el-form-item__error', { hasText: '至少需要 8 个字符' }).waitFor()
    await dialog.locator('.el-form-item__error', { hasText: '此项为必填' }).waitFor() // no role yet
    await dialog.getByTestId('a-password').fill(`pw-${suffix}-long-enough`)
    await pick(dialog, page, '关联人员', personName)
    const grant = dialog.locator('.grant-row').first()
    await grant.locator('.el-select__wrapper').nth(0).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '中控员' }).first().click()
    await grant.locator('.el-select__wrapper').nth(1).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '站点' }).first().click()
    await grant.locator('.el-select__wrapper').nth(2).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: siteName }).first().click()
    assert.deepEqual(await unlabelledInputs(page), [], 'every input in the account form has a label')
    await shot(page, 'desktop-account-form')
    await dialog.getByTestId('save').click()
    await dialog.waitFor({ state: 'hidden' })
    // The new account is on the last page when the demo has many accounts; follow the cursor.
    for (let i = 0; i < 10 && !(await page.getByText(`e2e_${suffix}`).count()); i++) {
      const more = page.getByRole('button', { name: '加载更多' })
      if (!(await more.count())) break
      await more.click()
      await page.waitForTimeout(300)
    }
    await page.getByText(`中控员 · 站点: ${siteName}`).waitFor()
    await shot(page, 'desktop-accounts')
  })

  it('resets the new account\'s password, its owner changes it, and it is disabled', { timeout: STEP_MS }, async () => {
    const { page } = b
    const row = page.locator('.el-table__row', { hasText: `e2e_${suffix}` })
    await row.getByTestId('account-reset').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('pw-new').fill('short')
    await dialog.getByTestId('pw-save').click()
    await dialog.locator('.el-form-item__error', { hasText: '至少需要 10 个字符' }).waitFor()
    await dialog.getByTestId('pw-new').fill('1234567890')  // the server's rule: a run
    await dialog.getByTestId('pw-save').click()
    await assertChineseError(dialog.locator('.el-form-item__error', { hasText: '键盘或字母表上的连续字符' })) // reason password.keyboard_run
    await dialog.getByTestId('pw-new').fill(`handed over ${suffix}`)
    await dialog.getByTestId('pw-save').click()
    await dialog.waitFor({ state: 'hidden' })
    // Its owner signs in with the reset password and changes it (修改密码 in the header).
    const owner = await launch()
    try {
      await signIn(owner.page, server.url, `e2e_${suffix}`, `handed over ${suffix}`)
      await owner.page.getByTestId('change-password').click()
      const own = owner.page.getByRole('dialog')
      await own.getByTestId('pw-current').fill('not my password')
      await own.getByTestId('pw-new').fill(`my own now ${suffix}`)
      await own.getByTestId('pw-save').click()
      await own.locator('.el-form-item__error', { hasText: '当前密码' }).waitFor()
      await own.getByTestId('pw-current').fill(`handed over ${suffix}`)
      await own.getByTestId('pw-save').click()
      await own.waitFor({ state: 'hidden' })
      await owner.page.getByText('密码已修改').waitFor()
    } finally {
      await owner.close()
    }
    await row.getByTestId('account-disable').click()
    await page.locator('.el-message-box').getByRole('button', { name: '停用' }).click()
    await row.getByTestId('account-state').getByText('已停用').waitFor()
    await row.getByTestId('account-enable').waitFor()
  })

  it('opens the policy library (制度库) with the pack in force', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('nav').getByText('制度库', { exact: true }).click()
    await page.waitForURL(/#\/policy$/)
    await page.getByTestId('pack-header').waitFor()
    assert.equal(await page.getByTestId('regulation-item').count(), 20)
    assert.ok(await page.getByTestId('policy-reload').isVisible(), 'the admin may reload the pack')
  })

  it('shows the audit journal, including the changes just made', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('nav').getByText('审计日志', { exact: true }).click()
    await page.waitForURL(/#\/journal$/)
    const list = page.getByTestId('journal-list')
    await list.locator('tbody tr').first().waitFor()
    for (let i = 0; i < 30; i++) {
      if (await list.getByText(personName).count()) break
      const more = page.getByRole('button', { name: '加载更多' })
      if (!(await more.count())) break
      await more.click()
      await page.waitForTimeout(300)
    }
    assert.ok((await list.getByText(personName).count()) > 0, 'the new person is in the journal')
    // Kinds read as words (issue 17 §7): 新建人员, never org.person.created.
    const kinds = await list.getByTestId('journal-kind').allInnerTexts()
    assert.ok(kinds.includes('新建人员'), kinds.slice(0, 20).join(','))
    assert.deepEqual(kinds.filter((k) => /^[a-z_]+(\.[a-z_]+)+$/.test(k)), [])
    await shot(page, 'desktop-journal')
  })

  it('switches to English and back', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('lang-switch').first().click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: 'English' }).click()
    await page.getByRole('heading', { name: 'Audit journal' }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'en')
    await shot(page, 'desktop-journal-en')
    await page.getByTestId('lang-switch').first().click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '简体中文' }).click()
    await page.getByRole('heading', { name: '审计日志' }).waitFor()
  })

  it('lands a 部长 on approvals (no longer a placeholder)', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('logout').click()
    await page.waitForURL(/#\/login/)
    const head = server.credentials.get('head')
    assert.ok(head, 'demo credentials include the 部长 account "head"')
    await login(page, 'head', head.password)
    await page.waitForURL(/#\/approvals$/)
    await page.getByRole('tab', { name: '待我审批' }).waitFor()
    assert.equal(await page.getByTestId('coming-badge').count(), 0, 'approvals is a real screen now')
    await shot(page, 'desktop-head-approvals')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('phone 390×844', { timeout: 180000 }, () => {
  let b
  before(async () => {
    b = await launch({ viewport: { width: 390, height: 844 }, mobile: true })
  })
  after(async () => {
    if (b) await b.close()
  })

  it('an operator lands on the duty board', { timeout: STEP_MS }, async () => {
    const { page } = b
    const op = server.credentials.get('op1')
    assert.ok(op, 'demo credentials include the operator account "op1"')
    await login(page, 'op1', op.password)
    await page.waitForURL(/#\/duty-board$/)
    await page.getByRole('heading', { name: '我的岗位' }).waitFor()
    assert.equal(await page.getByTestId('coming-badge').count(), 0, 'the duty board is a real screen now')
    await shot(page, 'phone-operator-duty-board')
    await page.getByTestId('logout').click()
    await page.waitForURL(/#\/login/)
    await shot(page, 'phone-login')
  })

  it('the admin opens the menu drawer and the people list', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await login(page, 'admin', server.credentials.get('admin').password)
    await page.waitForURL(/#\/org$/)
    assert.equal(await page.locator('.shell-aside').count(), 0, 'no side bar on a phone')
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `no horizontal scrolling (scrollWidth ${width})`)
    await page.getByTestId('menu-button').click()
    const drawer = page.locator('.el-drawer').filter({ hasText: '审计日志' }) // the menu, not the 通知 drawer
    await drawer.getByText('审计日志', { exact: true }).waitFor()
    await page.waitForTimeout(400) // let the slide-in finish for the screenshot
    await shot(page, 'phone-menu')
    await drawer.getByText('人员', { exact: true }).click()
    await page.waitForURL(/#\/org\/people$/)
    await drawer.waitFor({ state: 'hidden' })
    await page.getByText('演示·王消防').first().waitFor()
    await shot(page, 'phone-people')
    await page.getByText('演示·李消防').first().click()
    await page.waitForURL(/#\/org\/people\/\d+$/)
    await page.getByTestId('expiry-badge').first().waitFor()
    await shot(page, 'phone-person')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
