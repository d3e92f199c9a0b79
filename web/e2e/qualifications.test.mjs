// End-to-end: a person's qualifications (R20 §二1 应具有高中以上的文化程度…年龄宜在18至45周岁之间)
// against the real `zhidu serve --demo` — on a phone the admin records 演示·林消防's date of birth
// (a date the server refuses first, its words under the field) and education (picked from the
// site's education_levels), the person page shows them with the age in 周岁; then the demo roster
// of 消防控制室值班岗 shows, under its warnings (学历不足 blocks publishing), the lighter 建议 region
// whose age item cites R20 §二1. The site's order of levels is set over the API: the regulations
// give none (a site parameter).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, fitsWidth, nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
const PERSON = '演示·林消防'
const BORN = '1970-06-15' // over 45 whenever this runs: advice (宜), never blocking
const LEVELS = '初中,高中/中专/技校,大专,本科'
let server
let admin
let person
let site

const shot = (page, name, fullPage = false) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage })
const login = (page, username) => signIn(page, server.url, username, server.credentials.get(username).password)
const shanghaiToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
// 周岁 counted here independently of the console's code.
function fullYears(born, today) {
  const [by, bm, bd] = born.split('-').map(Number)
  const [ty, tm, td] = today.split('-').map(Number)
  return ty - by - (tm * 100 + td < bm * 100 + bd ? 1 : 0)
}
// Types a date into an Element Plus date picker and leaves the field (the picker takes it on change).
async function typeDate(page, selector, value) {
  const input = page.locator(selector)
  await input.click()
  await input.fill(value)
  await input.press('Tab')
  await page.locator('.el-picker-panel:visible').waitFor({ state: 'hidden' }).catch(() => {})
}

before(async () => {
  server = await startZhidu({ name: 'qualifications' })
  admin = await apiSession(server, 'admin')
  person = (await admin.get('people?limit=200')).items.find((p) => p.name === PERSON)
  assert.ok(person, `${PERSON} is in the demo`)
  site = person.site_id
  assert.equal(person.birth_date, null)
  assert.equal(person.education, null)
})
after(async () => {
  if (server) await server.stop()
})

describe('phone 390×844: date of birth and education on the person page', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('the admin records them; a refused date is explained under its field', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await login(page, 'admin')
    await page.goto(`${server.url}/#/org/people/${person.id}`)
    await page.getByTestId('person-name').getByText(PERSON).waitFor()
    assert.equal(await page.getByTestId('person-birth').innerText(), '—')
    assert.equal(await page.getByTestId('person-age').count(), 0)

    // No education levels at the site yet: 学历 is typed, and the dialog says why.
    await page.getByTestId('profile-edit').click()
    const form = page.getByTestId('profile-form')
    await form.getByTestId('p-education-free').waitFor()
    await page.keyboard.press('Escape')
    await form.waitFor({ state: 'hidden' })

    // The site sets its order of levels (lowest first): now 学历 is a pick list of them.
    await admin.put(`sites/${site}/parameters/education_levels`, { value: LEVELS })
    await page.getByTestId('profile-edit').click()
    await form.waitFor()
    assert.equal(await form.getByTestId('p-education-free').count(), 0)

    // A date the server refuses (before 1900): its words under the date field, nothing saved.
    await typeDate(page, '#p-birth', '1850-01-01')
    await page.getByTestId('profile-save').click()
    const birthItem = form.locator('.el-form-item').filter({ has: page.locator('#p-birth') })
    await birthItem.locator('.el-form-item__error').waitFor()
    assert.match(await assertChineseError(birthItem.locator('.el-form-item__error')), /「出生日期」不能早于 1900/) // reason person.birth_before_1900
    assert.equal((await admin.get(`people/${person.id}`)).birth_date, null)
    await shot(page, 'phone-person-profile-refused')

    await typeDate(page, '#p-birth', BORN)
    await form.getByTestId('p-education').click()
    await option(page, '初中').click()
    await page.getByTestId('profile-save').click()
    await form.waitFor({ state: 'hidden' })

    assert.equal(await page.getByTestId('person-birth').innerText(), BORN)
    const age = fullYears(BORN, shanghaiToday())
    assert.equal(await page.getByTestId('person-age').innerText(), `（${age} 周岁）`)
    assert.equal(await page.getByTestId('person-education').innerText(), '初中')
    assert.ok(await fitsWidth(page), 'the person page fits a 390 px screen')
    await shot(page, 'phone-person-profile', true)
    // The server has them (not only the page).
    const saved = await admin.get(`people/${person.id}`)
    assert.deepEqual([saved.birth_date, saved.education], [BORN, '初中'])
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('desktop: the fire control room roster shows the advice apart from the warnings', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('建议 lists the age of 演示·林消防 citing R20 §二1; 学历不足 is a warning', { timeout: STEP_MS }, async () => {
    const { page } = b
    await login(page, 'admin')
    await nav(page, '排班表')
    await page.waitForURL(/#\/roster/)
    await page.getByTestId('roster-select').click()
    await option(page, '消防控制室值班岗').click()
    const advice = page.getByTestId('roster-advice')
    await advice.waitFor()
    assert.match(await page.getByTestId('roster-advice-hint').innerText(), /建议不影响发布/)
    const ageItem = advice.locator('[data-testid=roster-advice-item][data-kind=age]').filter({ hasText: PERSON })
    await ageItem.waitFor()
    assert.match(await ageItem.innerText(), /年龄宜在18至45周岁之间/)
    assert.equal(await ageItem.locator('[data-testid=cited-clause][data-clause="R20 §二1"]').count(), 1)
    // Everyone else has no date of birth: advice too, not a warning.
    assert.ok((await advice.locator('[data-testid=roster-advice-item][data-kind=age_unknown]').count()) > 0)
    // Below 高中以上 (应, shall): a warning, in the warnings region and not in the advice.
    const warnings = page.getByTestId('roster-warnings')
    const low = warnings.locator('[data-testid=roster-problem][data-kind=education]').filter({ hasText: PERSON })
    await low.waitFor()
    assert.equal(await low.locator('[data-testid=cited-clause][data-clause="R20 §二1"]').count(), 1)
    assert.equal(await warnings.locator('[data-testid=roster-advice-item]').count(), 0)
    assert.equal(await advice.locator('[data-testid=roster-problem]').count(), 0)
    // The advice region is lighter than the warnings (its own background).
    const bg = async (l) => l.evaluate((el) => getComputedStyle(el).backgroundColor)
    assert.notEqual(await bg(advice), await bg(warnings))
    await shot(page, 'desktop-roster-advice', true)
  })
})
