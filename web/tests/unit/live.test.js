import { describe, expect, it } from 'vitest'
import { addNotification, backoffDelay, createCoalescer, createLiveConnection, isNotable, kindKey, parseEvent, screenFor, streamUrl, toNotification, topicsFor } from '../../src/lib/live.js'

// A fake WebSocket: the test opens, feeds and closes it by hand.
function fakeSockets() {
  const made = []
  class FakeWS {
    constructor(url) {
      this.url = url
      this.closed = false
      made.push(this)
    }
    close() {
      this.closed = true
      this.onclose?.({ code: 1000 })
    }
    open() {
      this.onopen?.()
    }
    send(event) {
      this.onmessage?.({ data: typeof event === 'string' ? event : JSON.stringify(event) })
    }
    drop(code = 1006) {
      this.onclose?.({ code })
    }
  }
  return { made, FakeWS }
}
// Fake timers: run() fires the pending timeout.
function fakeTimers() {
  const pending = new Map()
  let next = 1
  return {
    pending,
    setTimeout: (fn, ms) => (pending.set(next, { fn, ms }), next++),
    clearTimeout: (id) => pending.delete(id),
    run() {
      const [id, t] = [...pending.entries()][0]
      pending.delete(id)
      t.fn()
      return t.ms
    },
  }
}
const ev = (id, kind = 'violation.recorded', payload = {}) => ({ id, at: '2026-11-27T09:00:00.000+08:00', kind, subject: `x/${id}`, payload })

describe('backoff', () => {
  it('doubles from the base up to the cap, jitter only shortens', () => {
    const none = { random: () => 0 }
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, none))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000])
    expect(backoffDelay(100, none)).toBe(15000)
    expect(backoffDelay(2, { random: () => 0.999999 })).toBe(1600)
    expect(backoffDelay(-3, none)).toBe(500)
  })
})

describe('stream URL', () => {
  it('resolves against the page, switches to ws(s) and adds after only for a known id', () => {
    expect(streamUrl('http://127.0.0.1:8080/#/duty-board', null)).toBe('ws://127.0.0.1:8080/api/v1/stream')
    expect(streamUrl('https://zhidu.example/console/index.html#/ledger', 42)).toBe('wss://zhidu.example/console/api/v1/stream?after=42')
    expect(streamUrl('http://h/', 0)).toBe('ws://h/api/v1/stream?after=0')
  })
})

describe('events', () => {
  it('parses frames and refuses what is not an event', () => {
    expect(parseEvent(JSON.stringify(ev(3)))).toMatchObject({ id: 3, kind: 'violation.recorded' })
    expect(parseEvent('not json')).toBeNull()
    expect(parseEvent(JSON.stringify({ id: 'x', kind: 'a' }))).toBeNull()
    expect(parseEvent(JSON.stringify({ id: 0, kind: 'a' }))).toBeNull()
    expect(parseEvent(JSON.stringify({ id: 5 }))).toBeNull()
    expect(parseEvent(JSON.stringify({ id: 5, kind: 'k', payload: 'str' })).payload).toEqual({})
  })
  it('maps kinds to the screens they change', () => {
    expect(topicsFor(ev(1, 'duty.due'))).toEqual(['duties'])
    expect(topicsFor(ev(1, 'duty.missed'))).toEqual(['duties'])
    expect(topicsFor(ev(1, 'post.taken')).sort()).toEqual(['duties', 'posts'])
    expect(topicsFor(ev(1, 'violation.appealed'))).toEqual(['ledger'])
    expect(topicsFor(ev(1, 'request.approved_step'))).toEqual(['requests'])
    expect(topicsFor(ev(1, 'reminder.fired'))).toEqual(['reminders'])
    expect(topicsFor(ev(1, 'auth.login'))).toEqual([])
    expect(topicsFor(ev(1, 'org.site.created'))).toEqual([])
    expect(topicsFor(ev(1, 'lounge.guest.reminded'))).toEqual(['lounge'])
    expect(topicsFor(ev(1, 'attendance.finding.late'))).toEqual(['attendance'])
    expect(topicsFor(ev(1, 'deadline.breached'))).toEqual(['lounge', 'service'])
    expect(topicsFor(ev(1, 'service.ticket.assigned'))).toEqual(['service']) // 主管看板
  })
  it('notifies what needs attention only, with the server title', () => {
    expect(isNotable(ev(1, 'duty.due'))).toBe(true)
    expect(isNotable(ev(1, 'duty.planned'))).toBe(false)
    expect(isNotable(ev(1, 'violation.recorded'))).toBe(true)
    expect(isNotable(ev(1, 'request.signature_failed'))).toBe(false)
    expect(isNotable(ev(1, 'auth.login'))).toBe(false)
    expect(toNotification(ev(7, 'duty.missed', { title: '消防巡查', site_id: 2 }))).toMatchObject({ id: 7, title: '消防巡查', siteId: 2, read: false })
    expect(toNotification(ev(8, 'x.y', { message: 'm' })).title).toBe('m')
  })
  it('keeps the list newest first, bounded, without duplicates', () => {
    let list = []
    for (const id of [3, 1, 2, 3]) list = addNotification(list, toNotification(ev(id)), 2)
    expect(list.map((n) => n.id)).toEqual([3, 2])
  })
})

describe('connection', () => {
  function setup(opts = {}) {
    const { made, FakeWS } = fakeSockets()
    const timers = fakeTimers()
    const events = []
    const states = []
    const resyncs = []
    const c = createLiveConnection({
      url: (after) => streamUrl('http://h/', after),
      WebSocketImpl: FakeWS,
      timers,
      backoff: { random: () => 0 },
      onEvent: (e) => events.push(e.id),
      onState: (s, info) => states.push([s, info.delayMs ?? null]),
      onResync: (r) => resyncs.push(r.resumedFrom),
      ...opts,
    })
    return { c, made, timers, events, states, resyncs }
  }

  it('resumes after a drop with the last id and never repeats an event', () => {
    const { c, made, timers, events, states, resyncs } = setup()
    c.start()
    expect(made[0].url).toBe('ws://h/api/v1/stream')
    made[0].open()
    made[0].send(ev(10))
    made[0].send(ev(12))
    made[0].drop()
    expect(c.state).toBe('reconnecting')
    expect(timers.run()).toBe(500)
    expect(made[1].url).toBe('ws://h/api/v1/stream?after=12')
    made[1].open()
    made[1].send(ev(12)) // a replay of what was already seen: dropped
    made[1].send(ev(11))
    made[1].send(ev(13))
    expect(events).toEqual([10, 12, 13])
    expect(c.stats.dropped).toBe(2)
    expect(c.lastId).toBe(13)
    expect(states.map((s) => s[0])).toEqual(['connecting', 'online', 'reconnecting', 'connecting', 'online'])
    expect(resyncs).toEqual([null, 12])
  })

  it('backs off while the server refuses, then starts over once connected', () => {
    const { c, made, timers } = setup()
    c.start()
    made[0].drop()
    expect(timers.run()).toBe(500)
    made[1].drop()
    expect(timers.run()).toBe(1000)
    made[2].drop()
    expect(timers.run()).toBe(2000)
    made[3].open()
    made[3].drop()
    expect(timers.run()).toBe(500)
    expect(c.stats.failed).toBe(3)
    expect(made.length).toBe(5)
  })

  it('stop closes the socket, cancels the timer and does not reconnect', () => {
    const { c, made, timers } = setup()
    c.start()
    made[0].open()
    c.stop()
    expect(made[0].closed).toBe(true)
    expect(timers.pending.size).toBe(0)
    expect(c.state).toBe('idle')
    c.start()
    made[1].drop()
    expect(timers.pending.size).toBe(1)
    c.stop()
    expect(timers.pending.size).toBe(0)
    expect(made.length).toBe(2)
  })

  it('nudge reconnects at once, and a late frame of an old socket is ignored', () => {
    const { c, made, timers, events } = setup({ initialLastId: 5 })
    c.start()
    expect(made[0].url).toBe('ws://h/api/v1/stream?after=5')
    made[0].open()
    const old = made[0]
    old.drop()
    c.nudge()
    expect(timers.pending.size).toBe(0)
    expect(made.length).toBe(2)
    old.send(ev(6))
    expect(events).toEqual([])
    made[1].open()
    made[1].send(ev(6))
    expect(events).toEqual([6])
    c.nudge() // online: nothing to do
    expect(made.length).toBe(2)
  })
})

describe('coalescer', () => {
  it('turns a burst into one call with every event, then starts a new batch', () => {
    const timers = fakeTimers()
    const calls = []
    const c = createCoalescer((events) => calls.push(events.map((e) => e.id)), 300, timers)
    c.push(ev(1))
    c.push(ev(2))
    expect(timers.pending.size).toBe(1)
    expect(timers.run()).toBe(300)
    c.push(ev(3))
    timers.run()
    expect(calls).toEqual([[1, 2], [3]])
    c.push(ev(4))
    c.cancel()
    expect(timers.pending.size).toBe(0)
    expect(calls.length).toBe(2)
  })
})

describe('notification targets', () => {
  it('names the i18n key and the screen of a kind', () => {
    expect(kindKey('request.approved_step')).toBe('request_approved_step')
    expect(screenFor('duty.missed')).toBe('duty-board')
    expect(screenFor('violation.decided')).toBe('ledger')
    expect(screenFor('request.rejected')).toBe('approvals')
    expect(screenFor('attendance.finding.absent')).toBe('attendance')
    expect(screenFor('reminder.fired')).toBe('reminders')
    expect(screenFor('org.site.created')).toBe('home')
    expect(screenFor('lounge.reminder.due')).toBe('lounge')
    expect(isNotable(ev(1, 'lounge.reminder.due'))).toBe(true)
    expect(isNotable(ev(1, 'lounge.guest.checked_in'))).toBe(false)
    expect(screenFor('rooms.cleaning.due')).toBe('my-room')
    expect(isNotable(ev(1, 'rooms.cleaning.due'))).toBe(true)
    expect(isNotable(ev(1, 'rooms.rota.saved'))).toBe(false)
    expect(isNotable(ev(1, 'deadline.breached'))).toBe(true)
    expect(isNotable(ev(1, 'deadline.started'))).toBe(false)
  })
  it('has a label in both languages for every notable kind', async () => {
    const zh = (await import('../../src/i18n/locales/zh-CN.js')).default
    const en = (await import('../../src/i18n/locales/en.js')).default
    const kinds = ['duty.due', 'duty.late', 'duty.missed', 'duty.flagged', 'violation.recorded', 'violation.appealed', 'violation.decided', 'request.created', 'request.approved', 'request.approved_step', 'request.rejected', 'request.withdrawn', 'reminder.fired', 'lounge.reminder.due', 'rooms.cleaning.due', 'deadline.breached']
    for (const k of kinds) {
      expect(isNotable(ev(1, k)), k).toBe(true)
      expect(zh.notify.kinds[kindKey(k)], k).toBeTruthy()
      expect(en.notify.kinds[kindKey(k)], k).toBeTruthy()
    }
  })
})
