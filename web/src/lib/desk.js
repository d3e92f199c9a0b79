// The service desk's R17 registers (src/modules/service desk.hpp, issue 18 §8): the bodies the
// information-feedback and callback forms send, and what a callback's deadline says now.
import { agreedAt } from './orders.js'

// {site_id, category, detail, customer_id?}: only what was filled in; the server judges the rest
// (feedback.unknown_category, required detail).
export function feedbackBody(siteId, form) {
  const body = { site_id: siteId, category: form.category || '', detail: (form.detail || '').trim() }
  if (form.customer_id) body.customer_id = form.customer_id
  return body
}

// {site_id, customer_id, phone, reason, promised_at}: the promised wall-clock time at the sites'
// +08:00 as ISO 8601 ('' when not a full date and time: the server answers invalid).
export function callbackBody(siteId, form) {
  return {
    site_id: siteId,
    customer_id: form.customer_id || 0,
    phone: (form.phone || '').trim(),
    reason: (form.reason || '').trim(),
    promised_at: agreedAt(form.promised_at),
  }
}

// What the desk shows of a callback: done, overdue (its deadline breached, or past due and not
// done), or waiting. `now` is a Date.
export function callbackStatus(cb, now = new Date()) {
  if (cb.done) return 'done'
  const d = (cb.deadlines || [])[0]
  if (d && d.state === 'breached') return 'overdue'
  if (cb.promised_at && new Date(cb.promised_at) <= now) return 'overdue'
  return 'waiting'
}

// Which of a ticket's SLA clocks a deadline is (the server's `clock`: first_response,
// next_response, resolution), as the i18n key serviceDesk.clocks.*; null for another deadline,
// which the desk labels with its pack title.
export function clockKey(d) {
  return ['first_response', 'next_response', 'resolution'].includes(d?.clock) ? `serviceDesk.clocks.${d.clock}` : null
}
