import { defineStore } from 'pinia'
import { api } from '../api/index.js'

// The signed-in account and its CSRF token. The session itself is the HttpOnly cookie, which
// JavaScript never sees; after a reload GET /me returns the account and the token again.
export const useSession = defineStore('session', {
  state: () => ({
    account: null,
    csrfToken: null,
    checked: false, // /me has been asked once since the page loaded
    expired: false, // a request came back 401 while signed in
  }),
  getters: {
    signedIn: (s) => !!s.account,
    displayName: (s) => s.account?.username || '',
  },
  actions: {
    apply(body) {
      this.account = body?.account || null
      this.csrfToken = body?.csrf_token || null
      this.expired = false
    },
    async restore() {
      if (this.checked) return this.signedIn
      try {
        this.apply(await api.me())
      } catch {
        this.account = null
        this.csrfToken = null
      }
      this.checked = true
      return this.signedIn
    },
    async login(username, password) {
      const body = await api.login(username, password)
      this.apply(body)
      this.checked = true
      return body
    },
    async logout() {
      try {
        await api.logout()
      } finally {
        this.account = null
        this.csrfToken = null
      }
    },
    markExpired() {
      if (this.account) this.expired = true
      this.account = null
      this.csrfToken = null
    },
  },
})
