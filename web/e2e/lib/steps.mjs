// Steps that several end-to-end files take the same way.
import assert from 'node:assert/strict'

// The visible option of an open Element Plus select.
export const option = (page, text) => page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()

// Does the page fit the viewport's width (no horizontal scrolling on a phone)?
export const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)

// Opens a screen from the navigation: the side menu on a desktop, the drawer behind the menu
// button on a phone.
export async function nav(page, label) {
  if (await page.getByTestId('menu-button').isVisible()) {
    await page.getByTestId('menu-button').click()
    await page.getByTestId('nav-drawer').getByText(label, { exact: true }).click()
    await page.getByTestId('nav-drawer').waitFor({ state: 'hidden' })
  } else await page.getByTestId('nav').getByText(label, { exact: true }).click()
}

// Fills the open 登记违规 form of 违规台账: the person (by name), the code, one cited clause, a note.
export async function fillViolationForm(page, { person, code, clause, note }) {
  await page.getByTestId('rec-person').click()
  await option(page, person).click()
  await page.getByTestId('rec-code').fill(code)
  await page.getByTestId('rec-clauses').click()
  await page.keyboard.type(clause)
  // Enter takes the option shown at that moment: under load the select may still show the one it
  // created for a shorter prefix ('R16 §二1' for 'R16 §二12'). Wait for the whole text first.
  await option(page, clause).waitFor()
  await page.keyboard.press('Enter')
  await page.keyboard.press('Escape')
  await page.getByTestId('rec-note').fill(note)
}

// "01:02:03" → 3723.
export const seconds = (hms) => {
  const [h, m, s] = hms.trim().split(':').map(Number)
  return h * 3600 + m * 60 + s
}

// The 值班台's open duty titled `title` (现在要做), with at least 45 s left in its window: too close
// to the window's end the completion would be late, so it waits for the next window.
export async function openDutyWithTime(page, title) {
  const duty = page.locator(`[data-testid=duty][data-title="${title}"]`).first()
  await duty.waitFor({ timeout: 30000 })
  const left = await duty.getByTestId('duty-countdown').innerText().catch(() => '00:00:00')
  if (seconds(left) < 45) {
    await page.waitForTimeout((seconds(left) + 5) * 1000)
    await page.reload()
    await duty.getByTestId('duty-countdown').waitFor({ timeout: 30000 })
  }
  return duty
}

// Opens the patrol's form, checks that submitting it empty is caught before the server (运行状态 is
// required), and answers 正常. Returns the form.
export async function answerPatrol(page, patrol) {
  await patrol.getByRole('button').click()
  const form = page.getByTestId('duty-form')
  await form.waitFor()
  await page.getByTestId('duty-submit').click()
  await form.locator('[data-item=status]').getByText('请选择 正常 / 关注 / 异常').waitFor()
  await form.locator('[data-item=status]').getByText('正常', { exact: true }).click()
  return form
}

// Issue 17 §7: an error shown to a zh-CN user is Chinese — it has CJK text and no English sentence
// (two plain English words in a row: "signs first", "outgoing → incoming"; ids such as
// alarm.confirmed_on_site, clause numbers and HTTP codes are not sentences). Written here apart from
// the console's own rule (web/src/api/client.js isChineseText) so that the check is independent.
// Waits for `locator` (an error-text, a form item's error, a refusal box), returns its text.
const CJK = /[\u3400-\u9fff]/
const ENGLISH = /(?<![\w.-])[A-Za-z]{2,}[\s:;,!?'"()[\]/→=—–]{1,4}[A-Za-z]{2,}(?![\w.-])/
export async function assertChineseError(locator) {
  await locator.first().waitFor()
  const text = (await locator.first().innerText()).trim()
  assert.match(text, CJK, `a zh-CN error is Chinese: ${text}`)
  assert.doesNotMatch(text, ENGLISH, `a zh-CN error has no English sentence: ${text}`)
  return text
}
