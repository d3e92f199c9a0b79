// One step of the 宿舍管理 screens (docs/rooms.md §Console): runs `fn`, reloads with `reload`, and
// shows `done` as the notice or the refusal in Chinese (ErrorAlert reads `error`). `busy` disables
// the buttons meanwhile. Returns true when the step succeeded.
import { ref, shallowRef } from 'vue'

export function useRoomAction(reload) {
  const busy = ref(false)
  const error = shallowRef(null)
  const notice = ref('')
  async function run(fn, done) {
    busy.value = true
    error.value = null
    notice.value = ''
    try {
      await fn()
      await reload()
      if (done) notice.value = done
      return true
    } catch (e) {
      error.value = e
      return false
    } finally {
      busy.value = false
    }
  }
  return { busy, error, notice, run }
}
