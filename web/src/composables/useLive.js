import { onBeforeUnmount, onMounted } from 'vue'
import { onTopic } from '../stores/live.js'
import { createCoalescer } from '../lib/live.js'

// A screen re-reads its rows when the live stream says they changed: refresh(events) runs once per
// burst (300 ms), for events of the given topics and after a reconnection ({resync: true}).
export function useLiveRefresh(topics, refresh, { delayMs = 300 } = {}) {
  const batch = createCoalescer(refresh, delayMs)
  const offs = []
  onMounted(() => {
    for (const topic of [...topics, '*']) offs.push(onTopic(topic, (e) => batch.push(e)))
  })
  onBeforeUnmount(() => {
    offs.splice(0).forEach((off) => off())
    batch.cancel()
  })
}
