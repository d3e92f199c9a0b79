import { describe, expect, it, vi } from 'vitest'
import { usePagedList } from '../../src/composables/usePagedList.js'

describe('usePagedList', () => {
  it('follows next_cursor and keeps the filter', async () => {
    const pages = { '': { items: [{ id: 1 }, { id: 2 }], next_cursor: 'c2' }, c2: { items: [{ id: 3 }], next_cursor: null } }
    const fetchPage = vi.fn(async (p) => pages[p.cursor || ''])
    const l = usePagedList(fetchPage, { limit: 2 })
    await l.reload({ site_id: 9 })
    expect(l.items.value.map((x) => x.id)).toEqual([1, 2])
    expect(l.nextCursor.value).toBe('c2')
    await l.loadMore()
    expect(l.items.value.map((x) => x.id)).toEqual([1, 2, 3])
    expect(l.nextCursor.value).toBeNull()
    expect(fetchPage.mock.calls[1][0]).toEqual({ site_id: 9, cursor: 'c2', limit: 2 })
    await l.loadMore() // nothing more: no request
    expect(fetchPage).toHaveBeenCalledTimes(2)
  })

  it('keeps the error and clears loading', async () => {
    const l = usePagedList(async () => {
      throw new Error('down')
    })
    await l.reload({})
    expect(l.error.value.message).toBe('down')
    expect(l.loading.value).toBe(false)
  })

  it('ignores a slow answer to an older request', async () => {
    let release
    const slow = new Promise((r) => (release = r))
    const fetchPage = vi.fn().mockImplementationOnce(() => slow).mockImplementationOnce(async () => ({ items: [{ id: 'new' }], next_cursor: null }))
    const l = usePagedList(fetchPage)
    const first = l.reload({ site_id: 1 })
    await l.reload({ site_id: 2 })
    release({ items: [{ id: 'old' }], next_cursor: 'x' })
    await first
    expect(l.items.value).toEqual([{ id: 'new' }])
    expect(l.nextCursor.value).toBeNull()
  })
})
