// 休息室货架 helpers (docs/shelf.md, R07 §二3). The server computes every amount and variance; these
// only convert what a person types (元) to what the server takes (whole 分) and back.

// "3", "3.5", "3.50" 元 → 350 分; null for anything else (negative, more than two decimals, text).
export function yuanToFen(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(String(text ?? ''))
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

// 350 → "3.50"; -100 → "-1.00".
export function fenText(fen) {
  const n = Number(fen) || 0
  const abs = Math.abs(n)
  return `${n < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

// The counts a stocktake or reconciliation sends: every goods item with the number typed for it
// (an item left empty is sent as not counted, and the server refuses the whole form).
export function countsOf(goods, typed) {
  return goods.filter((g) => typed[g.id] !== undefined && typed[g.id] !== null && typed[g.id] !== '')
    .map((g) => ({ goods_id: g.id, counted: Number(typed[g.id]) }))
}
