// End-to-end: 宿舍管理 (src/modules/rooms, issue 19 §5) against the real `zhidu serve --demo` — on a
// desktop the office (演示·高办公室, cn-default's 办公室 holds rooms.manage) allocates two people to a
// two-bed room, a third is refused in Chinese (该房间已住满), a key is registered, issued and returned,
// and returning it twice is refused in Chinese; the R04 §二8 copy rule is shown; a bed released takes
// the next person and a key recorded lost offers no return. On a phone 390×844 the
// office inspects the room, flags an item with a note and sees the rectification deadline it
// started, without horizontal scrolling. The demo has no rooms: the room is created through the API.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, REPO_DIR, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { assertChineseError, fitsWidth, nav, option } from './lib/steps.mjs'

const STEP_MS = 120000
const A = '演示·吴客服'
const B = '演示·钱礼宾'
const C = '演示·何舍长'
let server
let office
let site
let roomId

// An option of the select whose dropdown has popper-class `popper` (a closing dropdown of another
// select on the screen may hold the same name).
const pick = (page, popper, text) => page.locator(`.${popper} .el-select-dropdown__item`, { hasText: text }).click()
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

before(async () => {
  // The pack is named explicitly: a prebuilt binary (ZHIDU_BIN) may not find it from web/.
  server = await startZhidu({ name: 'rooms', args: ['--policies', join(REPO_DIR, 'policies/cn-default')] })
  const admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  office = await apiSession(server, 'office')
  assert.ok(office.account.permissions.includes('rooms.manage'), 'the demo office holds rooms.manage')
  roomId = (await office.post('rooms', { site_id: site, name: '东楼101', place: '职工休息楼', beds: 2 })).id
})
after(async () => {
  if (server) await server.stop()
})

describe('desktop: the office allocates beds and keeps the key register', { timeout: 400000 }, () => {
  const b = useBrowser(before, after)

  it('two people are allocated, a third is refused: the room is full', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'office', server.credentials.get('office').password)
    await nav(page, '宿舍管理')
    // A room made on the screen lists with its place's title and beds.
    await page.getByTestId('room-name').fill('西楼201')
    await page.getByTestId('room-place').click()
    await option(page, '职工宿舍').click()
    await page.getByTestId('room-create-submit').click()
    await page.getByTestId('rooms-list').locator('tr', { hasText: '西楼201' }).getByText('已住 0 / 1').waitFor()
    assert.ok((await office.get(`rooms?site_id=${site}`)).items.some((r) => r.name === '西楼201' && r.place === '职工宿舍'))
    await page.getByTestId('rooms-list').getByText('东楼101').click()
    const detail = page.getByTestId('room-detail')
    await detail.waitFor()
    for (const who of [A, B]) {
      await page.getByTestId('alloc-person').click()
      await pick(page, 'alloc-popper', who)
      await page.getByTestId('alloc-submit').click()
      await page.getByTestId('room-beds').getByText(who, { exact: false }).waitFor()
    }
    await page.getByTestId('alloc-person').click()
    await pick(page, 'alloc-popper', C)
    await page.getByTestId('alloc-submit').click()
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.match(text, /该房间已住满/)
    await page.getByTestId('room-occupants').first().getByText(B, { exact: false }).waitFor()
    const room = await office.get(`rooms/${roomId}`)
    assert.deepEqual(room.beds.map((x) => x.person_name).sort(), [A, B].sort())
    await shot(page, 'rooms-desktop-full')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('a key is issued and returned; returning it twice is refused; the copy rule is shown', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('key-label').fill('A1')
    await page.getByTestId('key-add').click()
    const actions = page.getByTestId('key-actions-A1')
    await actions.waitFor()
    await page.getByTestId('key-copy-rule').getByText('私配', { exact: false }).first().waitFor()
    await actions.getByTestId('key-issue-person').click()
    await pick(page, 'key-popper', A)
    await actions.getByTestId('key-issue').click()
    await page.locator('[data-testid="key-state"][data-key="A1"]', { hasText: '已发出' }).waitFor()
    let key = (await office.get(`rooms/${roomId}`)).keys[0]
    assert.equal(key.state, 'issued')
    assert.equal(key.holder_name, A)
    await actions.getByTestId('key-return').click()
    await page.locator('[data-testid="key-state"][data-key="A1"]', { hasText: '办公室保管' }).waitFor()
    key = (await office.get(`rooms/${roomId}`)).keys[0]
    assert.equal(key.state, 'kept')
    await actions.getByTestId('key-return').click()
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.match(text, /该钥匙未发出/)
    await shot(page, 'rooms-desktop-keys')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('a bed released takes the next person; a key recorded lost offers no return', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByTestId('room-beds').locator('li', { hasText: B }).getByTestId('bed-release').click()
    await page.getByTestId('room-beds').locator('li', { hasText: B }).waitFor({ state: 'detached' })
    await page.getByTestId('alloc-person').click()
    await pick(page, 'alloc-popper', C)
    await page.getByTestId('alloc-submit').click()
    await page.getByTestId('room-beds').getByText(C, { exact: false }).waitFor()
    const room = await office.get(`rooms/${roomId}`)
    assert.deepEqual(room.beds.map((x) => x.person_name).sort(), [A, C].sort())
    // 舍长 chosen among the occupants (R04 §二1); the list shows them.
    await page.getByTestId('leader-person').click()
    await pick(page, 'leader-popper', A)
    await page.getByTestId('leader-submit').click()
    await page.getByTestId('rooms-list').locator('tr', { hasText: '东楼101' }).getByText(A).nth(1).waitFor()
    assert.equal((await office.get(`rooms/${roomId}`)).leader_name, A)
    const actions = page.getByTestId('key-actions-A1')
    await actions.getByTestId('key-lost-note').fill('宿舍楼道遗失')
    await actions.getByTestId('key-lost').click()
    await page.locator('[data-testid="key-state"][data-key="A1"]', { hasText: '已遗失' }).waitFor()
    assert.equal(await actions.getByTestId('key-return').count(), 0)
    assert.equal((await office.get(`rooms/${roomId}`)).keys[0].state, 'lost')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})

describe('desktop: a person without rooms.manage has no 宿舍管理', { timeout: 120000 }, () => {
  const b = useBrowser(before, after)

  it('the entry is not in the navigation and the route is refused', { timeout: STEP_MS }, async () => {
    const { page } = b
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await page.getByTestId('nav').getByText('纪律处分', { exact: true }).waitFor()
    assert.equal(await page.getByTestId('nav').getByText('宿舍管理', { exact: true }).count(), 0)
    await page.goto(`${server.url}/#/rooms`)
    await page.getByText('没有权限').waitFor()
  })
})

describe('phone 390×844: the office inspects the room', { timeout: 200000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('a flagged item with a note starts the rectification deadline, shown on the page', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    // The rectification answers to the room's 舍长 (R04 §二1, chosen on the desktop): the form names them.
    await signIn(page, server.url, 'office', server.credentials.get('office').password)
    await page.goto(`${server.url}/#/rooms/${roomId}/inspect`)
    const items = page.getByTestId('inspect-item')
    await items.first().waitFor()
    await page.getByText(`舍长：${A}`).waitFor()
    assert.ok((await items.count()) >= 2, 'the checklist items come from the server')
    const first = items.first()
    await first.getByText('关注', { exact: true }).click()
    await first.getByTestId('inspect-note').fill('墙上有粘钩')
    await page.getByTestId('inspect-days').locator('input').fill('3')
    assert.ok(await fitsWidth(page), 'the form fits a 390 px screen')
    await page.getByTestId('inspect-submit').click()
    const due = page.getByTestId('inspect-deadline')
    await due.waitFor()
    assert.match(await due.innerText(), /限期整改.*\d{4}-\d{2}-\d{2}/)
    const list = (await office.get(`rooms/${roomId}/inspections`)).items
    assert.equal(list.length, 1, 'one inspection stored')
    assert.equal(list[0].open, true)
    assert.equal(list[0].deadline, '3d')
    assert.match(list[0].note, /墙上有粘钩/)
    assert.ok(await fitsWidth(page), 'the result fits a 390 px screen')
    await shot(page, 'rooms-phone-inspection')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })

  it('the re-inspection with every item passed closes the rectification', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await page.getByText('再检查一次').click()
    await page.getByTestId('inspect-open').waitFor()
    assert.equal(await page.getByTestId('inspect-days').count(), 0, 'a re-inspection keeps the deadline already set')
    await page.getByTestId('inspect-submit').click()
    await page.getByText('复查合格：整改完成。').waitFor()
    const list = (await office.get(`rooms/${roomId}/inspections`)).items
    assert.equal(list.length, 2)
    assert.equal(list[0].open, false, 'the rectification is closed')
    assert.equal(list[1].reinspects, list[0].id)
    await page.getByTestId('inspect-history').locator('li').nth(1).waitFor()
    assert.ok(await fitsWidth(page), 'the history fits a 390 px screen')
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
