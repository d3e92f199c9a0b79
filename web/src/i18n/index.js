import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN.js'
import en from './locales/en.js'

export const LOCALES = [
  { code: 'zh-CN', label: '简体中文' },
  { code: 'en', label: 'English' },
]
const STORAGE_KEY = 'zhidu.locale'

function initialLocale() {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (LOCALES.some((l) => l.code === saved)) return saved
  } catch {
    /* storage unavailable */
  }
  return 'zh-CN' // the customer's language is the default, whatever the browser says
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function setLocale(code) {
  i18n.global.locale.value = code
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, code)
  } catch {
    /* ignore */
  }
  if (globalThis.document) document.documentElement.lang = code
}
