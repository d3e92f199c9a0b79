import { ref, onMounted, onBeforeUnmount } from 'vue'

// True while the viewport is phone-sized (the navigation becomes a drawer).
export function useIsPhone(query = '(max-width: 768px)') {
  const mql = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null
  const isPhone = ref(mql ? mql.matches : false)
  const onChange = (e) => (isPhone.value = e.matches)
  onMounted(() => mql?.addEventListener('change', onChange))
  onBeforeUnmount(() => mql?.removeEventListener('change', onChange))
  return isPhone
}
