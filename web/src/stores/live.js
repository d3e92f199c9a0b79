import { defineStore } from 'pinia'
import { addNotification, createLiveConnection, isNotable, streamUrl, toNotification, topicsFor } from '../lib/live.js'
import { applyAlarmEvent, seedAlarms } from '../lib/alarmBanner.js'

// The live connection of this page (one per signed-in session): state for the header, the 通知
// list, and a topic bus the screens listen on to re-read their rows (onTopic('ledger', fn));
// topic '*' hears the reconnections, after which every screen reads its rows again.
// The connection logic itself is lib/live.js.
const listeners = new Map() // topic → Set(fn)
let conn = null

export const useLive = defineStore('live', {
  state: () => ({
    status: 'idle', // idle | connecting | online | reconnecting
    everOnline: false, // the first connect counts as 连接中 rather than 中断
    lastId: null,
    resyncs: 0, // reconnections so far
    retryInMs: 0,
    notifications: [],
    toast: null, // the newest notable event, for a toast
    alarms: [], // unacknowledged priority-1 alarms: the persistent banner (lib/alarmBanner.js)
  }),
  getters: {
    unread: (s) => s.notifications.filter((n) => !n.read).length,
    lost: (s) => s.everOnline && (s.status === 'reconnecting' || s.status === 'connecting'),
  },
  actions: {
    // probe(): asked now and then while the handshake keeps failing, so that an expired session
    // (the upgrade answers 401, which a browser's WebSocket cannot see) leads to the login page.
    start({ WebSocketImpl, href, probe } = {}) {
      if (conn) return
      const pageHref = href || globalThis.location?.href || 'http://127.0.0.1/'
      conn = createLiveConnection({
        url: (after) => streamUrl(pageHref, after),
        WebSocketImpl: WebSocketImpl || globalThis.WebSocket,
        onState: (s, info) => {
          this.status = s
          if (s === 'online') this.everOnline = true
          this.retryInMs = info.delayMs || 0
          if (probe && s === 'reconnecting' && !info.opened && info.attempt % 3 === 2) Promise.resolve().then(probe).catch(() => {})
        },
        onResync: ({ resumedFrom }) => {
          // Reconnected: every screen reads its rows again (nothing is lost even before an id
          // was known). The first connection needs no resync: the screens just loaded.
          if (conn && conn.stats.opened > 1) this.emit('*', { resync: true, resumedFrom })
          this.resyncs = conn ? conn.stats.opened - 1 : 0
        },
        onEvent: (e) => this.dispatch(e),
      })
      conn.start()
    },
    stop() {
      if (conn) conn.stop()
      conn = null
      this.$reset()
    },
    nudge() {
      if (conn) conn.nudge()
    },
    dispatch(e) {
      this.lastId = e.id
      this.alarms = applyAlarmEvent(this.alarms, e)
      for (const topic of topicsFor(e)) this.emit(topic, e)
      if (isNotable(e)) {
        const n = toNotification(e)
        this.notifications = addNotification(this.notifications, n)
        this.toast = n
      }
    },
    emit(topic, e) {
      for (const fn of [...(listeners.get(topic) || [])]) {
        try {
          fn(e)
        } catch (err) {
          console.warn('live listener failed', err)
        }
      }
    },
    // The sites' alarm rows (GET /alarms) when the page loads: what happened before the stream.
    seedAlarms(points) {
      this.alarms = seedAlarms(this.alarms, points)
    },
    markAllRead() {
      this.notifications = this.notifications.map((n) => ({ ...n, read: true }))
    },
    clear() {
      this.notifications = []
    },
  },
})

// Subscribes fn to a topic; returns the unsubscribe function.
export function onTopic(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set())
  listeners.get(topic).add(fn)
  return () => listeners.get(topic)?.delete(fn)
}
