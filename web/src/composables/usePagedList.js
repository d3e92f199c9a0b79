import { ref, shallowRef } from 'vue'

// A cursor-paginated list: reload() fetches the first page, loadMore() follows next_cursor.
// fetchPage(params) must resolve to { items, next_cursor }.
export function usePagedList(fetchPage, { limit = 50 } = {}) {
  const items = ref([])
  const nextCursor = ref(null)
  const loading = ref(false)
  const error = shallowRef(null)
  let generation = 0

  async function load(params, append) {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const res = await fetchPage({ ...params, limit })
      if (mine !== generation) return
      const got = Array.isArray(res?.items) ? res.items : []
      items.value = append ? items.value.concat(got) : got
      nextCursor.value = res?.next_cursor || null
    } catch (e) {
      if (mine === generation) error.value = e
    } finally {
      if (mine === generation) loading.value = false
    }
  }
  let lastParams = {}
  const reload = (params = lastParams) => {
    lastParams = params
    return load(params, false)
  }
  const loadMore = () => (nextCursor.value ? load({ ...lastParams, cursor: nextCursor.value }, true) : Promise.resolve())
  return { items, nextCursor, loading, error, reload, loadMore }
}
