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
  let child = null
  let exited = null
  let run = 0
  const spawnServer = () => {
    run += 1
    const log = openSync(join(ARTIFACTS, run === 1 ? `server-${name}.log` : `server-${name}-${run}.log`), 'w')
    const me = spawn(bin, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, '--demo', '--web', webDist, '--test-fast-password-hashing', ...args], {
      stdio: ['ignore', log, log],
      detached: false,
    })
    child = me
    exited = null
    me.on('exit', (code, signal) => {
      if (child === me) exited = { code, signal }
    })
  }
  // Ends the server process (SIGTERM, SIGKILL after 5 s); the data directory stays.
  const kill = async (signal = 'SIGTERM') => {
    if (exited === null && child?.pid) {
      try {
        process.kill(child.pid, signal)
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
        const hard = Date.now() + 5000
        while (exited === null && Date.now() < hard) await sleep(50)
      }
    }
  }
  const stop = async () => {
    await kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
  // Never leave the server behind, whatever happens to the test process.
  process.once('exit', () => {
    if (exited === null && child?.pid) {
      try {
        process.kill(child.pid, 'SIGKILL')
      } catch {
        /* gone */
      }
    }
  })
  const waitHealthy = async () => {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (exited !== null) return false
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })
        if (res.ok) return true
      } catch {
        /* not up yet */
      }
      await sleep(150)
    }
    return false
  }

  spawnServer()
  if (!(await waitHealthy())) {
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
  // Starts the server again on the same data directory and port (after kill()).
  const restart = async () => {
    await kill()
    spawnServer()
    if (!(await waitHealthy())) throw new Error(`zhidu did not come back within ${timeoutMs} ms; see ${ARTIFACTS}/server-${name}-${run}.log`)
  }
  return { url, port, get pid() { return child.pid }, dataDir, credentials, stop, kill, restart }
}
