import { describe, expect, it } from 'vitest'
import { shiftText } from '../../src/lib/attendance.js'

describe('shiftText', () => {
  it('shows the date once and the times in the site’s zone', () => {
    expect(shiftText('2026-12-08T00:00:00+08:00', '2026-12-08T08:00:00+08:00', 'Asia/Shanghai')).toBe('2026-12-08 00:00–08:00')
    expect(shiftText('2026-12-07T16:00:00Z', '2026-12-08T00:00:00Z', 'Asia/Shanghai')).toBe('2026-12-08 00:00–08:00')
  })
  it('a shift ending at midnight reads 24:00, a longer one keeps its end date', () => {
    expect(shiftText('2026-12-07T16:00:00+08:00', '2026-12-08T00:00:00+08:00', 'Asia/Shanghai')).toBe('2026-12-07 16:00–24:00')
    expect(shiftText('2026-12-07T22:00:00+08:00', '2026-12-08T06:00:00+08:00', 'Asia/Shanghai')).toBe('2026-12-07 22:00–2026-12-08 06:00')
  })
  it('falls back to +08:00 without a zone and to a dash without times', () => {
    expect(shiftText('2026-12-08T00:00:00+08:00', '2026-12-08T08:00:00+08:00', '')).toBe('2026-12-08 00:00–08:00')
    expect(shiftText(null, null, 'Asia/Shanghai')).toBe('—')
  })
})
