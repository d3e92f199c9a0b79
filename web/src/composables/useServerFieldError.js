import { shallowRef, computed } from 'vue'

// Keeps the last server error of a form; fieldError(name) gives the text for that field's form item.
export function useServerFieldError(errText) {
  const error = shallowRef(null)
  const fieldError = (name) => (error.value && error.value.field === name ? errText(error.value) : '')
  const hasError = computed(() => !!error.value)
  return { error, fieldError, hasError }
}
