import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import * as Icons from '@element-plus/icons-vue'
import App from './App.vue'
import { i18n } from './i18n/index.js'
import { makeRouter } from './router/index.js'
import { bindSession } from './api/index.js'
import { useSession } from './stores/session.js'
import './styles.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
for (const [name, comp] of Object.entries(Icons)) app.component(`Icon${name}`, comp)
app.use(ElementPlus)
const router = makeRouter()
app.use(router)

const session = useSession()
bindSession({
  getCsrfToken: () => session.csrfToken,
  onUnauthenticated: () => {
    const wasSignedIn = session.signedIn
    session.markExpired()
    if (wasSignedIn) router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } })
  },
})
document.documentElement.lang = i18n.global.locale.value
app.mount('#app')
