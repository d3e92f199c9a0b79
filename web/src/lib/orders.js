// The 订单 screen's pure parts (src/modules/service orders, issue 18 §6): the body a new order sends,
// the wall-clock inputs turned into the server's ISO times (the sites' +08:00), and what each of
// an order's deadlines is.

// Lines of the form → the items the server takes: empty lines dropped, quantities as numbers (the
// server refuses what is not a whole number of pieces, order.quantity_invalid).
export function orderItems(lines) {
  return lines
    .filter((l) => (l.name || '').trim() || (l.sku || '').trim())
    .map((l) => {
      const item = { name: (l.name || '').trim(), quantity: Number(l.quantity) }
      if ((l.sku || '').trim()) item.sku = l.sku.trim()
      return item
    })
}

export function orderBody(siteId, form) {
  const body = { site_id: siteId, customer_id: form.customer_id, kind: form.kind, items: orderItems(form.items) }
  if (form.special_requirements.trim()) body.special_requirements = form.special_requirements.trim()
  if (form.remarks.trim()) body.remarks = form.remarks.trim()
  if (form.urgent) body.urgent = true
  if (form.promised_date) body.promised_date = form.promised_date
  return body
}

// The pieces of the form's lines (shown while typing; the server sums them again).
export function pieces(lines) {
  return orderItems(lines).reduce((n, i) => n + (Number.isInteger(i.quantity) && i.quantity > 0 ? i.quantity : 0), 0)
}

// A datetime-local value "YYYY-MM-DDTHH:mm" at the site's +08:00 → ISO 8601 with its offset; '' for none.
export function agreedAt(value) {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value || '') ? `${value}:00+08:00` : ''
}

// An order's deadline: the ship-by (the pack's cut-off: its due time is the order's ship_by) or the
// delivery agreed after a stock-out.
export function deadlineKind(order, deadline) {
  return order.ship_by && deadline.due_at === order.ship_by ? 'shipBy' : 'agreed'
}
