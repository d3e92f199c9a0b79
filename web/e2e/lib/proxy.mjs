// A TCP relay on 127.0.0.1 between a browser and the server under test, to cut a page off the
// network on purpose: block() refuses new connections (accepted, then closed at once) and
// cut() also ends the open ones; allow() lets them through again. Nothing is read or changed.
import { createServer, connect } from 'node:net'

export function startProxy(targetPort) {
  const open = new Set()
  let blocked = false
  const server = createServer((client) => {
    if (blocked) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    open.add(client)
    open.add(upstream)
    const end = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({
        url: `http://127.0.0.1:${port}`,
        block: () => (blocked = true),
        cut() {
          blocked = true
          for (const s of open) s.destroy()
          open.clear()
        },
        allow: () => (blocked = false),
        close: () =>
          new Promise((r) => {
            for (const s of open) s.destroy()
            open.clear()
            server.close(() => r())
          }),
      })
    })
  })
}
