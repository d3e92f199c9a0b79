import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// base './' keeps every asset URL relative, so web/dist works wherever `zhidu serve --web` mounts it.
// The router uses hash history for the same reason: the page itself is always index.html.
export default defineConfig({
  base: './',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus'
          if (id.includes('node_modules')) return 'vendor'
        },
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a running `zhidu serve` (ZHIDU_URL, default 127.0.0.1:8080).
    proxy: { '/api': process.env.ZHIDU_URL || 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['tests/unit/**/*.test.js'],
    environment: 'node',
    pool: 'threads',
    maxWorkers: 1,
  },
})
