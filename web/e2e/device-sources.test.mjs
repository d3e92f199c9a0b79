// End-to-end: 门禁与录像接入 (issue 22 §3, web/src/views/org/DeviceSourcesView.vue) against the real
// `zhidu serve --demo`. The admin adds a door source acting as the operator's account: the secret is
// shown once, and a gateway signing with it is let through (its unknown door is then the only
// refusal); the list never shows it again; a second source of the same name is refused in Chinese
// on the name field; rotating shows a new secret and the old one is refused (401). A second door
// source maps a door to a room picked in the form: a person's signed entry there is a presence
// check-in in that room (R04 §二12). An operator has no such entry and is turned away from the route.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { join } from 'node:path'
import { ARTIFACTS, REPO_DIR, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
let server
let admin

// A door event as a gateway posts it, signed with `secret` (docs/operations.md).
async function doorEvent(secret, event = { door: 'D-99', direction: 'in', visit_id: 1 }, source = 'lobby-doors') {
  const body = JSON.stringify({ event_id: `e-${Date.now()}-${Math.random()}`, ...event })
  const ts = String(Math.floor(Date.now() / 1000))
  const sig = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')
  const r = await fetch(`${server.url}/api/v1/integrations/doors/${source}/events`, {
    method: 'POST', body, signal: AbortSignal.timeout(10000),
    headers: { 'Content-Type': 'application/json', 'X-Zhidu-Timestamp': ts, 'X-Zhidu-Signature': `sha256=${sig}` },
  })
  const answer = await r.json()
  return source === 'lobby-doors' ? { status: r.status, reason: answer.error?.reason } : { status: r.status, answer }
}

before(async () => {
  server = await startZhidu({ name: 'device-sources', args: ['--policies', join(REPO_DIR, 'policies/cn-default')] })
  admin = await apiSession(server, 'admin')
})
after(async () => {
  if (server) await server.stop()
})

describe('desktop: the admin adds a door source and rotates its secret', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('shows the secret once, refuses a duplicate in Chinese, rotates', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'admin', server.credentials.get('admin').password)
    await nav(page, '门禁与录像接入')
    const fill = async () => {
      await page.getByTestId('create').click()
      await page.getByTestId('d-name').fill('lobby-doors')
      await page.locator('.el-dialog').getByRole('combobox').first().click()
      await option(page, (await admin.get('sites')).items[0].name).click()
      await page.getByTestId('d-account').click()
      await option(page, 'op1').click()
      await page.getByTestId('d-points').fill('D-01 = 中控室')
      await page.getByTestId('d-tolerance').locator('input').fill('300')
    }
    await fill()
    await page.getByTestId('save').click()
    const secretBox = page.getByTestId('d-secret')
    await secretBox.waitFor()
    const secret = await secretBox.inputValue()
    assert.match(secret, /^[0-9a-f]{64}$/)
    await page.getByText('密钥只显示这一次').waitFor()
    await page.getByRole('button', { name: '已保存密钥' }).click()
    await page.getByText('D-01 → 中控室').waitFor()
    assert.ok(!(await page.locator('main').innerText()).includes(secret), 'the list never shows the secret')
    // The shown secret is the source's: the signature passes and only the unknown door is refused.
    assert.deepEqual(await doorEvent(secret), { status: 422, reason: 'device.unknown_door' })

    await fill()
    await page.getByTestId('save').click()
    assert.match(await assertChineseError(page.locator('.el-dialog .el-form-item__error, .el-dialog .el-alert').first()), /同名/)
    await page.locator('.el-dialog').getByRole('button', { name: '取消' }).click()

    await page.getByTestId('source-rotate').click()
    await page.locator('.el-message-box').getByRole('button', { name: '更换密钥' }).click()
    await secretBox.waitFor()
    const rotated = await secretBox.inputValue()
    assert.match(rotated, /^[0-9a-f]{64}$/)
    assert.notEqual(rotated, secret)
    await page.getByRole('button', { name: '已保存密钥' }).click()
    assert.deepEqual(await doorEvent(secret), { status: 401, reason: 'device.bad_signature' })
    assert.deepEqual(await doorEvent(rotated), { status: 422, reason: 'device.unknown_door' })
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-device-sources.png'), fullPage: true })
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('maps a door to a room picked in the form: a person\'s card there checks them in', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    const site = (await admin.get('sites')).items[0]
    const room = await admin.post('rooms', { site_id: site.id, name: '门禁701', place: '职工休息楼', beds: 2 })
    await page.getByTestId('create').click()
    await page.getByTestId('d-name').fill('dorm-doors')
    await page.locator('.el-dialog').getByRole('combobox').first().click()
    await option(page, site.name).click()
    await page.getByTestId('d-account').click()
    await option(page, 'office').click()
    await page.getByTestId('d-points').fill('B-01 = 职工休息楼\nD-01 = 中控室')
    await page.getByTestId('d-room').first().click()
    await option(page, '门禁701').click()
    await page.getByTestId('d-tolerance').locator('input').fill('300')
    await page.getByTestId('save').click()
    const secretBox = page.getByTestId('d-secret')
    await secretBox.waitFor()
    const secret = await secretBox.inputValue()
    await page.getByRole('button', { name: '已保存密钥' }).click()
    await page.getByText('B-01 → 职工休息楼 · 房间 门禁701').waitFor()
    const person = (await apiSession(server, 'cs1')).account.person_id
    const { status, answer } = await doorEvent(secret, { door: 'B-01', direction: 'in', person_id: person }, 'dorm-doors')
    assert.equal(status, 200, JSON.stringify(answer))
    assert.equal(answer.presence.room_id, room.id)
    assert.equal(answer.presence.person_id, person)
    const other = await doorEvent(secret, { door: 'D-01', direction: 'in', person_id: person }, 'dorm-doors')
    assert.deepEqual([other.status, other.answer.error.reason], [422, 'device.door_not_room'])

    // 门禁卡登记: the card the reader sends, issued here, names cs1; revoked, it opens nothing.
    const holder = (await admin.get(`people/${person}`)).name
    const panel = page.getByTestId('device-cards')
    await panel.getByTestId('card-no').fill('0012345678')
    await panel.getByTestId('card-person').click()
    await option(page, holder).click()
    await panel.getByTestId('card-issue').click()
    await panel.locator('[data-testid="card-row"][data-card="0012345678"]').waitFor()
    await panel.getByTestId('card-list').getByText(holder).waitFor()
    const byCard = await doorEvent(secret, { door: 'B-01', direction: 'in', card_no: '0012345678' }, 'dorm-doors')
    assert.equal(byCard.status, 200, JSON.stringify(byCard.answer))
    assert.equal(byCard.answer.presence.person_id, person)
    await panel.getByTestId('card-revoke').click()
    await page.locator('.el-message-box').getByRole('button', { name: '注销' }).click()
    await panel.locator('[data-testid="card-row"][data-card="0012345678"]').waitFor({ state: 'detached' })
    const revoked = await doorEvent(secret, { door: 'B-01', direction: 'in', card_no: '0012345678' }, 'dorm-doors')
    assert.deepEqual([revoked.status, revoked.answer.error.reason], [422, 'device.unknown_card'])
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-device-cards.png'), fullPage: true })
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('an operator has no 门禁与录像接入 and is turned away from it', { timeout: STEP_MS }, async () => {
    const { page } = b
    await page.getByTestId('logout').click()
    await page.waitForURL(/#\/login/)
    await signIn(page, server.url, 'op1', server.credentials.get('op1').password)
    await page.getByTestId('nav').waitFor()
    assert.equal(await page.getByTestId('nav').getByText('门禁与录像接入', { exact: true }).count(), 0)
    await page.goto(`${server.url}/#/org/devices`)
    await page.waitForURL(/#\/forbidden/)
  })
})
