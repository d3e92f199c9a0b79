import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { onTopic, useLive } from '../../src/stores/live.js'

// The live store with a fake WebSocket: events reach the screens' topics and the 通知 list, a
// reconnection resumes with after= and makes every screen read its rows again.
const made = []
class FakeWS {
  constructor(url) {
    this.url = url
    made.push(this)
  }
  close() {
    this.onclose?.({ code: 1000 })
  }
}
const frame = (sock, id, kind, payload = {}) => sock.onmessage({ data: JSON.stringify({ id, at: '2026-11-27T09:00:00.000+08:00', kind, subject: 's', payload }) })

describe('live store', () => {
  let live
  beforeEach(() => {
    made.length = 0
    vi.useFakeTimers()
    setActivePinia(createPinia())
    live = useLive()
  })

  it('dispatches events to topics and notifies the notable ones once', () => {
    const ledger = []
    const duties = []
    const offs = [onTopic('ledger', (e) => ledger.push(e.id)), onTopic('duties', (e) => duties.push(e.id))]
    live.start({ WebSocketImpl: FakeWS, href: 'http://127.0.0.1:9/#/ledger' })
    expect(live.status).toBe('connecting')
    made[0].onopen()
    expect(live.status).toBe('online')
    frame(made[0], 5, 'violation.recorded', { title: '违规：会客' })
    frame(made[0], 6, 'duty.planned')
    frame(made[0], 7, 'duty.due', { title: '每15分钟浏览视频' })
    frame(made[0], 7, 'duty.due', { title: 'again' })
    expect(ledger).toEqual([5])
    expect(duties).toEqual([6, 7])
    expect(live.notifications.map((n) => n.id)).toEqual([7, 5])
    expect(live.unread).toBe(2)
    expect(live.toast.title).toBe('每15分钟浏览视频')
    live.markAllRead()
    expect(live.unread).toBe(0)
    offs.forEach((off) => off())
    frame(made[0], 8, 'violation.appealed')
    expect(ledger).toEqual([5])
    live.stop()
  })

  it('shows the loss, resumes with the last id and resyncs the screens', () => {
    const all = []
    const off = onTopic('*', (e) => all.push(e))
    live.start({ WebSocketImpl: FakeWS, href: 'http://127.0.0.1:9/' })
    made[0].onopen()
    expect(all).toEqual([]) // the first connection: the screens just loaded
    frame(made[0], 41, 'request.created')
    made[0].onclose({ code: 1006 })
    expect(live.status).toBe('reconnecting')
    expect(live.lost).toBe(true)
    vi.advanceTimersByTime(1000)
    expect(made[1].url).toBe('ws://127.0.0.1:9/api/v1/stream?after=41')
    expect(live.lost).toBe(true)
    made[1].onopen()
    expect(live.lost).toBe(false)
    expect(all).toEqual([{ resync: true, resumedFrom: 41 }])
    expect(live.resyncs).toBe(1)
    off()
    live.stop()
    expect(live.status).toBe('idle')
    expect(live.notifications).toEqual([])
    vi.advanceTimersByTime(60000)
    expect(made.length).toBe(2)
  })
  it('asks probe() while the handshake keeps failing (an expired session)', async () => {
    let probes = 0
    live.start({ WebSocketImpl: FakeWS, href: 'http://127.0.0.1:9/', probe: () => probes++ })
    for (let i = 0; i < 5; i++) {
      made[i].onclose({ code: 1006 })
      vi.advanceTimersByTime(20000)
    }
    await Promise.resolve()
    expect(made.length).toBe(6)
    expect(probes).toBe(2) // after the 2nd and the 5th failure
    expect(live.lost).toBe(false) // never online yet: 正在连接, not 中断
    live.stop()
  })
})
