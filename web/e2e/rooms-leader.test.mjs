// End-to-end: the 舍长's 值日表 and the office's lockers (src/modules/rooms, issue 19 §1, §5) against
// the real `zhidu serve --demo`. On a phone 390×844 the room's 舍长 (演示·何舍长) opens 我的宿舍,
// edits the week's 值日表 (today to the roommate), saves it and sees today's person; the server
// stored it and told the roommate (rooms.cleaning.due names them) — nothing scrolls sideways. On a
// desktop the office registers a locker, allocates a person with it picked, sees who holds each
// locker, and a locker label the room has is refused in Chinese; gives the roommate another locker
// apart from the bed and takes it back. The room is set up through the API.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, REPO_DIR, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession, journalOf } from './lib/api.mjs'
import { assertChineseError, fitsWidth, nav } from './lib/steps.mjs'

const STEP_MS = 120000
const LEAD = '演示·何舍长'
const MATE = '演示·吴客服'
const NEWCOMER = '演示·钱礼宾'
let server
let office
let site
let people
let roomId

const pick = (page, popper, text) => page.locator(`.${popper} .el-select-dropdown__item`, { hasText: text }).click()
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
const personId = (name) => people.find((p) => p.name === name).id
const noPageErrors = (problems) => assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])

before(async () => {
  server = await startZhidu({ name: 'rooms-leader', args: ['--policies', join(REPO_DIR, 'policies/cn-default')] })
  const admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  office = await apiSession(server, 'office')
  people = (await office.get(`people?site_id=${site}&limit=200`)).items
  roomId = (await office.post('rooms', { site_id: site, name: '北楼501', place: '职工休息楼', beds: 3, lockers: 2 })).id
  for (const who of [LEAD, MATE]) await office.post(`rooms/${roomId}/allocations`, { person_id: personId(who) })
  await office.put(`rooms/${roomId}/leader`, { person_id: personId(LEAD) })
})
after(async () => {
  if (server) await server.stop()
})

describe('phone 390×844: the 舍长 draws up and saves the 值日表', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('today goes to the roommate: saved, shown, and the roommate is told', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'dorm_lead', server.credentials.get('dorm_lead').password)
    await nav(page, '我的宿舍')
    await page.getByTestId('my-room-name').getByText('北楼501').waitFor()
    await page.getByTestId('room-rota').locator('li').nth(6).waitFor()
    await page.getByTestId('room-rota-edit').click()
    const form = page.getByTestId('room-rota-form')
    await form.waitFor()
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    const rows = form.locator('.rota-row')
    assert.equal(await rows.count(), 7)
    assert.equal(await rows.first().getAttribute('data-date'), today)
    // Today and tomorrow to the roommate, the day after to the 舍长.
    const plan = [MATE, MATE, LEAD]
    for (let i = 0; i < plan.length; i++) {
      const date = await rows.nth(i).getAttribute('data-date')
      await rows.nth(i).getByTestId('rota-pick').click()
      await pick(page, `rota-popper-${date}`, plan[i])
    }
    assert.ok(await fitsWidth(page), 'the rota form fits a 390 px screen')
    await shot(page, 'rooms-phone-rota-edit')
    await page.getByTestId('room-rota-save').click()
    await page.getByTestId('room-rota-saved').waitFor()
    const alert = await page.getByTestId('my-room-today').innerText()
    assert.ok(alert.includes(MATE), `today's person is shown: ${alert}`)
    const first = await page.getByTestId('room-rota').locator('li').first().innerText()
    assert.ok(first.includes(MATE) && /已排/.test(first), first)

    const stored = (await office.get(`rooms/${roomId}/rota?from=${today}&days=3`)).items
    assert.deepEqual(stored.map((d) => [d.person_name, d.stored]), plan.map((n) => [n, true]))
    // The day's cleaning reaches the roommate (today's timer fires at once).
    const admin = await apiSession(server, 'admin')
    let told = []
    for (let i = 0; i < 50 && !told.length; i++) {
      told = (await journalOf(admin, 'rooms.cleaning.due')).filter((j) => j.payload.room_id === roomId)
      if (!told.length) await new Promise((r) => setTimeout(r, 200))
    }
    assert.deepEqual(told.map((j) => [j.payload.date, j.payload.person_id]), [[today, personId(MATE)]])
    assert.ok(await fitsWidth(page), 'my room fits a 390 px screen')
    await shot(page, 'rooms-phone-rota-saved')
    noPageErrors(problems)
  })
})

describe('desktop: the office keeps the room’s lockers', { timeout: 300000 }, () => {
  const b = useBrowser(before, after)

  it('a locker is registered and picked for a newcomer; a label twice is refused in Chinese', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'office', server.credentials.get('office').password)
    await nav(page, '宿舍管理')
    await page.getByTestId('rooms-list').getByText('北楼501').click()
    const lockers = page.getByTestId('room-lockers')
    await lockers.locator('[data-locker="1"]', { hasText: LEAD }).waitFor() // the first free, with the bed
    await lockers.locator('[data-locker="2"]', { hasText: MATE }).waitFor()
    await page.getByTestId('locker-label').fill('3')
    await page.getByTestId('locker-add').click()
    await lockers.locator('[data-locker="3"]', { hasText: '空' }).waitFor()
    await page.getByTestId('alloc-person').click()
    await pick(page, 'alloc-popper', NEWCOMER)
    await page.getByTestId('alloc-locker').click()
    await pick(page, 'locker-popper', '3')
    await page.getByTestId('alloc-submit').click()
    await lockers.locator('[data-locker="3"]', { hasText: NEWCOMER }).waitFor()
    const room = await office.get(`rooms/${roomId}`)
    assert.equal(room.lockers.find((l) => l.label === '3').person_name, NEWCOMER)
    assert.equal(room.beds.find((x) => x.person_name === NEWCOMER).locker, '3')
    await page.getByTestId('locker-label').fill('3')
    await page.getByTestId('locker-add').click()
    const text = await assertChineseError(page.getByTestId('error-text'))
    assert.match(text, /该房间已有同编号的柜子/)
    assert.equal((await office.get(`rooms/${roomId}`)).lockers.length, 3, 'nothing written')
    // Apart from the bed: the roommate moves to a new locker 4 (2 is freed), then 4 is taken back.
    await page.getByTestId('locker-label').fill('4')
    await page.getByTestId('locker-add').click()
    const four = lockers.locator('[data-locker="4"]')
    await four.getByTestId('locker-give-person').click()
    await pick(page, 'locker-give-popper-4', MATE)
    await four.getByTestId('locker-give').click()
    await page.getByTestId('rooms-notice').getByText('已分配柜子').waitFor()
    await lockers.locator('[data-locker="4"]', { hasText: MATE }).waitFor()
    let held = Object.fromEntries((await office.get(`rooms/${roomId}`)).lockers.map((l) => [l.label, l.person_name]))
    assert.deepEqual([held['2'], held['4']], ['', MATE])
    await four.getByTestId('locker-take-back').click()
    await page.getByTestId('rooms-notice').getByText('已收回柜子').waitFor()
    held = Object.fromEntries((await office.get(`rooms/${roomId}`)).lockers.map((l) => [l.label, l.person_name]))
    assert.equal(held['4'], '')
    assert.ok((await office.get(`rooms/${roomId}`)).beds.some((x) => x.person_name === MATE), 'the bed stays')
    await shot(page, 'rooms-desktop-lockers')
    noPageErrors(problems)
  })
})
