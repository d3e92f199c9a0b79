import { computed, reactive, ref, shallowRef, watch } from 'vue'
import { useI18n } from 'vue-i18n'
import { useErrorText } from './useErrorText.js'
import { answersPayload, emptyAnswers, itemOfField, validateAnswers } from '../lib/duties.js'

// The state of a form drawn from checklist items (a duty's form, a procedure's record step):
// the answers, the messages of a check before sending (lib/duties.js) — once a submit was tried
// they follow the answers — and a server error naming an item ("answers.status") shown under it.
// `items`: a ref/computed of the items.
export function useChecklistForm(items) {
  const { t } = useI18n()
  const errText = useErrorText()
  const answers = reactive({})
  const errors = ref({})
  const serverError = shallowRef(null)
  function reset() {
    for (const k of Object.keys(answers)) delete answers[k]
    Object.assign(answers, emptyAnswers(items.value))
    errors.value = {}
    serverError.value = null
  }
  watch(answers, () => {
    if (Object.keys(errors.value).length) errors.value = validateAnswers(items.value, answers)
  })
  const serverItem = computed(() => itemOfField(serverError.value?.field))
  const itemError = (id) => {
    const e = errors.value[id]
    if (e) return t(e.key, e.params || {})
    return serverItem.value === id ? errText(serverError.value) : ''
  }
  // The payload to send, or null when an item is wrong (shown under it).
  function check() {
    serverError.value = null
    errors.value = validateAnswers(items.value, answers)
    return Object.keys(errors.value).length ? null : answersPayload(items.value, answers)
  }
  // Checks, then sends the payload with `send`; its answer, or null when refused (the error shown).
  const saving = ref(false)
  async function submit(send) {
    const payload = check()
    if (!payload) return null
    saving.value = true
    try {
      return await send(payload)
    } catch (e) {
      serverError.value = e
      return null
    } finally {
      saving.value = false
    }
  }
  return { answers, serverError, serverItem, itemError, reset, submit, saving }
}
