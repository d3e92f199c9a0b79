// Geometry of BarChart.vue (issue 20 §6 charts): horizontal bars from a zero axis, each bar's
// length proportional to |value|; negative values go left of the axis, positive ones right. Room
// is kept beside the bars for the value text, so nothing leaves the viewBox (the chart scales to its
// container and fits a 390 px phone). Items without a number (not computed) keep their row with no
// bar. Pure, so the unit tests check it without a browser.
export const CHART = { width: 360, pad: 6, valueRoom: 48, row: 40, labelY: 14, barY: 20, barH: 14 }

export const chartNumber = (v) => (Number.isInteger(v) ? String(v) : Number(v).toFixed(2))

export function barLayout(items, g = CHART) {
  const nums = items.map((i) => (typeof i.value === 'number' && Number.isFinite(i.value) ? i.value : null))
  const maxPos = Math.max(0, ...nums.filter((v) => v !== null))
  const maxNeg = Math.max(0, ...nums.filter((v) => v !== null).map((v) => -v))
  const leftRoom = maxNeg > 0 ? g.valueRoom : 0
  const rightRoom = maxPos > 0 || maxNeg === 0 ? g.valueRoom : 0
  const plot = g.width - 2 * g.pad - leftRoom - rightRoom
  const total = maxPos + maxNeg
  const unit = total > 0 ? plot / total : 0
  const zero = g.pad + leftRoom + maxNeg * unit
  const rows = items.map((item, i) => {
    const v = nums[i]
    const top = i * g.row
    if (v === null) return { ...item, value: null, top, x: zero, w: 0, valueX: zero + 4, anchor: 'start' }
    const w = Math.abs(v) * unit
    const x = v < 0 ? zero - w : zero
    return { ...item, value: v, top, x, w, valueX: v < 0 ? x - 4 : x + w + 4, anchor: v < 0 ? 'end' : 'start' }
  })
  return { rows, zero, height: Math.max(1, items.length) * g.row, width: g.width }
}
