// End-to-end: a new priority-1 alarm reaches the people on duty without a reload (issue 17 §6).
// The 值班长 on a desktop and the fire-room operator on a phone are signed in; a P1 point of the
// demo site goes active over the HTTP ingest; both see the persistent 报警 banner at once (the
// stream's alarm.activated, whose notify_roles name every post's roles of the site and their
// leads); a P2 alarm does not raise it; the 值班长 acknowledges from the banner and it leaves both
// screens.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { launch, signIn } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { fitsWidth } from './lib/steps.mjs'

const STEP_MS = 120000
let server
let admin
let site
const browsers = []
// A browser of its own, signed in as `username`: its page.
async function signedIn(username, options) {
  const b = await launch(options)
  browsers.push(b)
  await signIn(b.page, server.url, username, server.credentials.get(username).password)
  return b.page
}

before(async () => {
  server = await startZhidu({ name: 'alarm-banner' })
  admin = await apiSession(server, 'admin')
  site = (await admin.get('sites')).items[0].id
  await admin.post('alarm-points', { site_id: site, source: 'fas-b', point: '5F-smoke-02', title: '5F 烟感 02', kind: 'smoke', priority: 1 })
  await admin.post('alarm-points', { site_id: site, source: 'fas-b', point: '5F-temp-03', title: '5F 温感 03', kind: 'heat', priority: 2 })
})

after(async () => {
  for (const b of browsers) await b.close()
  if (server) await server.stop()
})

describe('the 报警 banner', { timeout: 300000 }, () => {
  it('a P1 alarm appears live for the 值班长 and the fire operator on a phone; acknowledged from the banner, it leaves both', { timeout: STEP_MS }, async () => {
    const lead = await signedIn('lead1')
    const phone = await signedIn('fire1', { viewport: { width: 390, height: 844 }, mobile: true })
    assert.equal(await lead.getByTestId('alarm-banner').count(), 0)

    // A P2 alarm is a toast and a row on the board, not the banner.
    await admin.post('alarms:ingest', { events: [{ source: 'fas-b', point: '5F-temp-03', state: 'active' }] })
    await admin.post('alarms:ingest', { events: [{ source: 'fas-b', point: '5F-smoke-02', state: 'active' }] })
    for (const page of [lead, phone]) {
      const banner = page.getByTestId('alarm-banner')
      await banner.waitFor({ timeout: 20000 })
      assert.match(await banner.innerText(), /1 条一级报警未确认/)
      const rows = banner.getByTestId('alarm-banner-row')
      assert.equal(await rows.count(), 1)
      assert.match(await rows.first().innerText(), /5F 烟感 02/)
      assert.doesNotMatch(await banner.innerText(), /温感/)
    }
    assert.ok(await fitsWidth(phone), 'the banner fits a 390 px screen')
    await phone.screenshot({ path: join(ARTIFACTS, 'phone-alarm-banner.png') })
    await lead.screenshot({ path: join(ARTIFACTS, 'desktop-alarm-banner.png') })

    // A page opened after the alarm shows it too (seeded from GET /alarms).
    const late = await signedIn('op1')
    await late.getByTestId('alarm-banner-row').first().waitFor({ timeout: 20000 })

    await lead.getByTestId('alarm-banner-ack').first().click()
    for (const page of [lead, phone, late]) await page.getByTestId('alarm-banner').waitFor({ state: 'detached', timeout: 20000 })
  })
})
