// Live updates over GET /api/v1/stream (docs/notifications.md): one WebSocket per signed-in page,
// the last event id remembered, reconnection with backoff that resumes with ?after=<id>, so no
// event is missed or delivered twice. Pure logic, no Vue: the pinia store (stores/live.js) wires
// it to the screens. Unit-tested with a fake WebSocket and fake timers (tests/unit/live.test.js).

// Delay before reconnect attempt n (0-based): base·2ⁿ capped at max, minus up to `jitter` of it
// (random() ∈ [0,1)) so that many pages restarted together do not reconnect in lockstep.
export function backoffDelay(attempt, { baseMs = 500, maxMs = 15000, jitter = 0.2, random = Math.random } = {}) {
  const n = Math.max(0, Math.floor(attempt))
  const raw = Math.min(maxMs, baseMs * 2 ** Math.min(n, 30))
  return Math.round(raw * (1 - jitter * random()))
}

// ws(s)://…/api/v1/stream[?after=id] resolved against the page, like every other API call
// (web/dist may be mounted under a sub-path).
export function streamUrl(pageHref, afterId) {
  const u = new URL('api/v1/stream', pageHref.split('#')[0])
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:'
  if (Number.isInteger(afterId) && afterId >= 0) u.searchParams.set('after', String(afterId))
  return u.href
}

// One frame → an event {id, at, kind, subject, payload}, or null when it is not one.
export function parseEvent(data) {
  let e
  try {
    e = typeof data === 'string' ? JSON.parse(data) : null
  } catch {
    return null
  }
  if (!e || typeof e !== 'object' || !Number.isInteger(e.id) || e.id <= 0 || typeof e.kind !== 'string') return null
  return { id: e.id, at: typeof e.at === 'string' ? e.at : '', kind: e.kind, subject: typeof e.subject === 'string' ? e.subject : '', payload: e.payload && typeof e.payload === 'object' ? e.payload : {} }
}

// Which screens an event concerns: the topics they subscribe to (stores/live.js `onTopic`).
const TOPICS = [
  [/^duty\./, ['duties']],
  [/^post\./, ['duties', 'posts']],
  [/^violation\./, ['ledger']],
  [/^discipline\./, ['discipline']],
  [/^attendance\.finding\./, ['attendance']],
  [/^request\./, ['requests']],
  [/^reminder\./, ['reminders']],
  [/^alarm\./, ['alarms', 'dutylog']],
  [/^handover\./, ['handovers', 'posts']],
  [/^dutylog\./, ['dutylog']],
  [/^roster\./, ['rosters']],
  [/^procedure\./, ['procedures']],
  [/^visit\./, ['visits', 'dutylog']],
  [/^repair\./, ['repairs']],
  [/^site\.event$/, ['procedures']],
  [/^lounge\./, ['lounge']],
  [/^deadline\./, ['lounge', 'service']],
  [/^service\./, ['service']],
  [/^shelf\./, ['shelf']],
]
export function topicsFor(event) {
  const out = new Set()
  for (const [re, topics] of TOPICS) if (re.test(event?.kind || '')) topics.forEach((t) => out.add(t))
  return [...out]
}

// Kinds worth a line in the 通知 list (and a toast): what needs someone's attention. Everything
// else (a login, a duty planned, a post taken) only refreshes the screens.
const NOTIFY = [/^duty\.(due|late|missed|flagged)$/, /^handover\.refused$/, /^procedure\.(notified|understaffed)$/, /^violation\./, /^discipline\.case\./, /^request\.(created|approved|approved_step|rejected|withdrawn)$/, /^reminder\.fired$/, /^alarm\./, /^lounge\.reminder\.due$/, /^rooms\.cleaning\.due$/, /^deadline\.breached$/]
export function isNotable(event) {
  return NOTIFY.some((re) => re.test(event?.kind || ''))
}

// A notification for the list: the server's one-line title when the payload has one.
export function toNotification(event) {
  const p = event.payload || {}
  const title = typeof p.title === 'string' && p.title ? p.title : typeof p.message === 'string' ? p.message : ''
  return { id: event.id, at: event.at, kind: event.kind, subject: event.subject, title, siteId: Number.isInteger(p.site_id) ? p.site_id : null, read: false }
}

// Keeps the newest `max` notifications, newest first, never the same id twice.
export function addNotification(list, n, max = 50) {
  if (list.some((x) => x.id === n.id)) return list
  return [n, ...list].sort((a, b) => b.id - a.id).slice(0, max)
}

// createLiveConnection({ url(afterId), WebSocketImpl, onEvent, onState, timers, backoff })
//
// States: 'idle' (not started) → 'connecting' → 'online'; a lost or refused connection →
// 'reconnecting' (a timer runs, then 'connecting' again); stop() → 'idle'.
// Invariants: at most one socket at a time; onEvent sees ids strictly increasing (a replayed id
// at or below the last one is dropped), so a resume never repeats; every reconnect asks for
// ?after=<last id> once an id is known. onState(state, {attempt, delayMs, opened}) also tells
// whether the socket had opened before it closed (a refused handshake never opens).
export function createLiveConnection({ url, WebSocketImpl = globalThis.WebSocket, onEvent = () => {}, onState = () => {}, onResync = () => {}, timers = globalThis, backoff = {}, initialLastId = null } = {}) {
  let ws = null
  let state = 'idle'
  let lastId = Number.isInteger(initialLastId) ? initialLastId : null
  let attempt = 0
  let timer = null
  let stopped = true
  const stats = { opened: 0, failed: 0, dropped: 0, delivered: 0 }

  function set(s, info = {}) {
    state = s
    onState(s, { attempt, ...info })
  }
  function connect() {
    timer = null
    if (stopped) return
    set('connecting')
    let opened = false
    const sock = new WebSocketImpl(url(lastId))
    ws = sock
    sock.onopen = () => {
      if (ws !== sock) return
      opened = true
      attempt = 0
      stats.opened += 1
      set('online')
      // Whatever happened while there was no connection, the screens read their data again (an
      // event before the first id is known cannot be replayed: the stream starts at the head).
      onResync({ resumedFrom: lastId })
    }
    sock.onmessage = (m) => {
      if (ws !== sock) return
      const e = parseEvent(m.data)
      if (!e) return
      if (lastId !== null && e.id <= lastId) {
        stats.dropped += 1
        return
      }
      lastId = e.id
      stats.delivered += 1
      onEvent(e)
    }
    sock.onerror = () => {}
    sock.onclose = (ev) => {
      if (ws !== sock) return
      ws = null
      if (!opened) stats.failed += 1
      if (stopped) return
      const delayMs = backoffDelay(attempt, backoff)
      attempt += 1
      set('reconnecting', { delayMs, opened, code: ev?.code ?? 0 })
      timer = timers.setTimeout(connect, delayMs)
    }
  }
  return {
    start() {
      if (!stopped) return
      stopped = false
      attempt = 0
      connect()
    },
    stop() {
      stopped = true
      if (timer !== null) timers.clearTimeout(timer)
      timer = null
      const sock = ws
      ws = null
      if (sock) {
        try {
          sock.close(1000, 'signed out')
        } catch {
          /* already closed */
        }
      }
      set('idle')
    },
    // Reconnect now instead of waiting for the timer (the browser came back online, the page
    // became visible again).
    nudge() {
      if (stopped || state !== 'reconnecting') return
      if (timer !== null) timers.clearTimeout(timer)
      connect()
    },
    get state() {
      return state
    },
    get lastId() {
      return lastId
    },
    get attempt() {
      return attempt
    },
    stats,
  }
}

// Coalesces a burst of events into one refresh: the first call schedules fn after `delayMs`,
// calls during the wait only add their events; fn(events) runs once with all of them.
export function createCoalescer(fn, delayMs = 300, timers = globalThis) {
  let timer = null
  let batch = []
  return {
    push(e) {
      batch.push(e)
      if (timer !== null) return
      timer = timers.setTimeout(() => {
        timer = null
        const events = batch
        batch = []
        fn(events)
      }, delayMs)
    },
    cancel() {
      if (timer !== null) timers.clearTimeout(timer)
      timer = null
      batch = []
    },
  }
}

// The i18n key of a kind ('duty.due' → 'duty_due': vue-i18n reads dots as nesting).
export const kindKey = (kind) => String(kind || '').replace(/\./g, '_')

// The screen (route name) a notification opens.
export function screenFor(kind) {
  const k = String(kind || '')
  if (k.startsWith('duty.') || k.startsWith('post.') || k.startsWith('alarm.')) return 'duty-board'
  if (k.startsWith('violation.')) return 'ledger'
  if (k.startsWith('discipline.')) return 'discipline'
  if (k.startsWith('attendance.finding.')) return 'attendance'
  if (k.startsWith('assessment.')) return 'my-scores'
  if (k.startsWith('request.')) return 'approvals'
  if (k.startsWith('reminder.')) return 'reminders'
  if (k.startsWith('handover.')) return 'handover'
  if (k.startsWith('procedure.')) return 'procedures'
  if (k.startsWith('lounge.')) return 'lounge'
  if (k === 'rooms.cleaning.due') return 'my-room' // 值日: the 值日表 on 我的宿舍
  return 'home'
}
