import { useI18n } from 'vue-i18n'
import { errorMessage } from '../api/client.js'

export function useErrorText() {
  const { t, te } = useI18n()
  return (err) => (err ? errorMessage(err, t, te) : '')
}
