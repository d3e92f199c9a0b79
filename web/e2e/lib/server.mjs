// Starts the real `zhidu serve` for an end-to-end test and stops it again, by PID.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const REPO_DIR = resolve(WEB_DIR, '..')
export const ARTIFACTS = resolve(process.env.ZHIDU_E2E_ARTIFACTS || join(REPO_DIR, 'test-artifacts/e2e'))

export function zhiduBin() {
  return resolve(WEB_DIR, process.env.ZHIDU_BIN || '../build/debug/src/app/zhidu')
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => res(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// Returns { url, pid, dataDir, credentials: Map(username → {password, role}), stop() }.
export async function startZhidu({ name = 'e2e', timeoutMs = 30000, args = [] } = {}) {
  const bin = zhiduBin()
  if (!existsSync(bin)) throw new Error(`zhidu binary not found at ${bin}: build it first, or set ZHIDU_BIN`)
  const webDist = join(WEB_DIR, 'dist')
  if (!existsSync(join(webDist, 'index.html'))) throw new Error(`${webDist}/index.html missing: run \`npm run build\` in web/ first`)
  mkdirSync(ARTIFACTS, { recursive: true })
  const dataDir = mkdtempSync(join(tmpdir(), 'zhidu-e2e-data-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const log = openSync(join(ARTIFACTS, `server-${name}.log`), 'w')
  const child = spawn(bin, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, '--demo', '--web', webDist, ...args], {
    stdio: ['ignore', log, log],
    detached: false,
  })
  let exited = null
  child.on('exit', (code, signal) => (exited = { code, signal }))
  const stop = async () => {
    if (exited === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM')
      } catch {
        /* already gone */
      }
      const deadline = Date.now() + 5000
      while (exited === null && Date.now() < deadline) await sleep(50)
      if (exited === null) {
        try {
          process.kill(child.pid, 'SIGKILL')
        } catch {
          /* already gone */
        }
      }
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
  // Never leave the server behind, whatever happens to the test process.
  process.once('exit', () => {
    if (exited === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL')
      } catch {
        /* gone */
      }
    }
  })

  const deadline = Date.now() + timeoutMs
  let healthy = false
  while (Date.now() < deadline) {
    if (exited !== null) break
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })
      if (res.ok) {
        healthy = true
        break
      }
    } catch {
      /* not up yet */
    }
    await sleep(150)
  }
  if (!healthy) {
    await stop()
    throw new Error(`zhidu did not become healthy within ${timeoutMs} ms (exit: ${JSON.stringify(exited)}); see ${ARTIFACTS}/server-${name}.log`)
  }
  const credFile = join(dataDir, 'demo-credentials.txt')
  const credDeadline = Date.now() + 5000
  while (!existsSync(credFile) && Date.now() < credDeadline) await sleep(100)
  const credentials = new Map()
  for (const line of readFileSync(credFile, 'utf8').split('\n')) {
    const [username, password, ...role] = line.trim().split(/\s+/)
    if (username && password) credentials.set(username, { password, role: role.join(' ') })
  }
  if (!credentials.has('admin')) {
    await stop()
    throw new Error(`no admin line in ${credFile}`)
  }
  return { url, pid: child.pid, dataDir, credentials, stop }
}
