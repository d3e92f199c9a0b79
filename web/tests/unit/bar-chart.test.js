import { describe, expect, it } from 'vitest'
import { createSSRApp } from 'vue'
import { renderToString } from 'vue/server-renderer'
import BarChart from '../../src/components/BarChart.vue'
import { CHART, barLayout } from '../../src/lib/barChart.js'

const render = (props) => renderToString(createSSRApp(BarChart, props))
const widths = (html) => [...html.matchAll(/<rect[^>]*data-testid="bar"[^>]*>/g)].map((m) => Number(/width="([^"]+)"/.exec(m[0])[1]))

describe('the bar chart', () => {
  it('draws bar lengths proportional to the values, all inside the view box', () => {
    const { rows, zero } = barLayout([{ label: '甲', value: 10 }, { label: '乙', value: 5 }, { label: '丙', value: 0 }])
    expect(zero).toBe(CHART.pad)
    expect(rows[0].w).toBeGreaterThan(0)
    expect(rows[1].w).toBeCloseTo(rows[0].w / 2)
    expect(rows[2].w).toBe(0)
    expect(rows[0].x + rows[0].w + CHART.valueRoom).toBeLessThanOrEqual(CHART.width)
  })

  it('draws negative values to the left of the zero axis', () => {
    const { rows, zero } = barLayout([{ label: '迟到', value: -3 }, { label: '满意度', value: 6 }])
    expect(zero).toBeGreaterThan(CHART.pad + CHART.valueRoom - 1)
    expect(rows[0].x + rows[0].w).toBeCloseTo(zero)
    expect(rows[0].anchor).toBe('end')
    expect(rows[1].x).toBeCloseTo(zero)
    expect(rows[1].w).toBeCloseTo(rows[0].w * 2)
    expect(rows[0].valueX - CHART.valueRoom).toBeGreaterThanOrEqual(0)
    const only = barLayout([{ label: '迟到', value: -2 }])
    expect(only.rows[0].x).toBeGreaterThanOrEqual(CHART.valueRoom)
    expect(only.rows[0].x + only.rows[0].w).toBeCloseTo(only.zero)
    expect(only.zero).toBeLessThanOrEqual(CHART.width)
  })

  it('renders one accessible bar per item with labels and values, and no bar for one not computed', async () => {
    const html = await render({ title: '各人得分', empty: '暂无数据', missing: '未计算', items: [{ label: '张三', value: 8 }, { label: '李四', value: -4 }, { label: '王五', value: null }] })
    expect(html).toContain('role="img"')
    expect(html).toContain('aria-label="各人得分：张三 8；李四 -4；王五 未计算"')
    expect(html).toMatch(/<title[^>]*>张三：8<\/title>/)
    expect(html.match(/data-testid="bar-row"/g)).toHaveLength(3)
    const [a, b] = widths(html)
    expect(widths(html)).toHaveLength(2)
    expect(a).toBeCloseTo(b * 2)
    expect(html).toContain('class="neg"')
  })

  it('shows a readable empty state instead of an empty chart', async () => {
    const html = await render({ title: '各人得分', empty: '本月尚无得分', items: [] })
    expect(html).toContain('本月尚无得分')
    expect(html).not.toContain('<svg')
    expect(barLayout([]).rows).toEqual([])
  })
})
