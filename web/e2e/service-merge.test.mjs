// End-to-end (issue 18 §2): on a phone 390×844, 演示·吴客服 (客服专员) attaches a photo to a reply
// from the desk (uploaded to the photo store, sent by its hash, shown as a thumbnail in the thread),
// then merges the duplicate into the ticket it repeats: the duplicate says where it went, and the
// target's thread holds the duplicate's conversation — the photo too — marked 来自 #N.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ARTIFACTS, startZhidu } from './lib/server.mjs'
import { signIn, useBrowser } from './lib/browser.mjs'
import { apiSession } from './lib/api.mjs'
import { fitsWidth, nav } from './lib/steps.mjs'

const STEP_MS = 120000
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
let server
let admin
let target
let dup

before(async () => {
  server = await startZhidu({ name: 'service-merge' })
  admin = await apiSession(server, 'admin')
  const site = (await admin.get('sites')).items[0].id
  const queue = (await admin.post('posts', { site_id: site, name: '客服组' })).id
  const cs1 = await apiSession(server, 'cs1')
  target = await cs1.post('service/tickets', { site_id: site, queue_post_id: queue, subject: '打印机卡纸', body: '三楼打印机卡纸' })
  dup = await cs1.post('service/tickets', { site_id: site, queue_post_id: queue, subject: '打印机又卡纸了', body: '还是卡纸' })
})
after(async () => {
  if (server) await server.stop()
})

describe('phone 390×844: a photo attached to a reply, the duplicate merged', { timeout: 300000 }, () => {
  const b = useBrowser(before, after, { viewport: { width: 390, height: 844 }, mobile: true })

  it('the reply carries the photo, the merge carries the conversation', { timeout: STEP_MS }, async () => {
    const { page, problems } = b
    await signIn(page, server.url, 'cs1', server.credentials.get('cs1').password)
    await nav(page, '客服工作台')
    await page.getByTestId('ticket-list').getByTestId('ticket-subject').getByText('打印机又卡纸了').click()
    const detail = page.getByTestId('ticket-detail')
    await detail.waitFor()
    assert.equal(Number(await detail.getAttribute('data-id')), dup.id)

    await page.getByTestId('entry-attach-input').setInputFiles({ name: 'jam.png', mimeType: 'image/png', buffer: PNG })
    await page.getByTestId('pending-attachment').first().waitFor()
    await page.getByTestId('ticket-entry').fill('卡纸位置见照片')
    await page.getByTestId('ticket-send').click()
    const thumb = page.getByTestId('ticket-thread').getByTestId('entry-attachment').first()
    await thumb.waitFor()
    // The thumbnail is the photo, read back from GET /photos/{sha256}.
    await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="ticket-thread"] [data-testid="entry-attachment"]')
      return img && img.complete && img.naturalWidth === 1
    })
    await page.getByTestId('pending-attachment').first().waitFor({ state: 'detached' })
    assert.ok(await fitsWidth(page), 'the desk with its thumbnails fits a 390 px screen')
    await page.screenshot({ path: join(ARTIFACTS, 'phone-service-attachment.png'), fullPage: true })

    const merge = page.getByTestId('merge-form')
    await merge.getByTestId('merge-into').locator('input').fill(String(target.id))
    await merge.getByTestId('merge-note').fill('同一台打印机')
    await merge.getByTestId('ticket-merge').click()
    const moved = page.getByTestId('ticket-merged-into')
    await moved.waitFor()
    assert.equal(Number(await moved.getAttribute('data-id')), target.id)
    await merge.waitFor({ state: 'detached' }) // closed: no second merge offered
    await moved.click()
    await page.locator(`[data-testid="ticket-detail"][data-id="${target.id}"]`).waitFor()
    const copied = page.getByTestId('ticket-thread').getByTestId('entry-copied-from')
    await copied.first().waitFor()
    assert.equal(await copied.count(), 2) // the customer's message and the reply with its photo
    await page.getByTestId('ticket-thread').getByTestId('entry-attachment').first().waitFor()
    await page.screenshot({ path: join(ARTIFACTS, 'phone-service-merged.png'), fullPage: true })

    const src = await admin.get(`service/tickets/${dup.id}`)
    assert.equal(src.merged_into, target.id)
    assert.equal(src.state, 'closed')
    const reply = src.thread.find((e) => e.kind === 'reply')
    assert.equal(reply.attachments.length, 1)
    const t = await admin.get(`service/tickets/${target.id}`)
    const copy = t.thread.find((e) => e.copied_from === reply.id)
    assert.deepEqual(copy.attachments, reply.attachments)
    assert.equal(copy.merged_from, dup.id)
    assert.deepEqual(problems.filter((p) => p.startsWith('pageerror')), [])
  })
})
