// Debian's nginx in front of the real binary, running the proxy settings
// shipped in deploy/nginx.conf (the lines between its "proxy settings"
// markers) over plain HTTP on a loopback port. Used by proxy.test.mjs and
// bench/lighthouse/run.mjs.
//
// nginx runs as the current user: `nginx -p <tmpdir> -c <generated conf>
// -g 'daemon off;'`, its pid, logs and temp files in the temporary folder.
// Binary: $KARTENWAND_NGINX, else nginx on PATH, else /usr/sbin/nginx
// (`apt-get install nginx`).
//
// Only node built-ins and ../harness: bench/lighthouse has no playwright.

import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { LOG, REPO, STOP_GRACE_MS } from '../harness/server.mjs'
import { tick, waitUntil } from '../harness/wait.mjs'

const NGINX_START_MS = 10_000
/** Attempts at a free port: another process may take it between probe and bind. */
const PORT_ATTEMPTS = 3

/**
 * The server, started by `startServer(args)` with `--public-url` set to the
 * proxy's address, and nginx in front of it. The proxy's port is chosen
 * before the server starts (the server must know it); if nginx then finds
 * it taken, both start again on another. Returns `{ server, proxy, stop() }`;
 * `stop()` ends both.
 */
export async function startBehindNginx (startServer) {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort()
    const server = await startServer(['--public-url', `http://127.0.0.1:${port}`])
    try {
      const proxy = await startNginx({ port, upstream: new URL(server.url).host })
      const stop = async () => {
        await proxy.stop()
        await server.stop()
      }
      return { server, proxy, stop }
    } catch (error) {
      await server.stop()
      if (!error.portTaken || attempt === PORT_ATTEMPTS) throw error
    }
  }
}

function freeLoopbackPort () {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

function nginxBinary () {
  if (process.env.KARTENWAND_NGINX) return process.env.KARTENWAND_NGINX
  const onPath = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim()
  if (onPath) return onPath
  if (existsSync('/usr/sbin/nginx')) return '/usr/sbin/nginx'
  throw new Error('nginx is not installed: apt-get install nginx, or set KARTENWAND_NGINX')
}

/**
 * The lines of deploy/nginx.conf between `# ---- begin NAME` and
 * `# ---- end NAME`, so the test runs the settings that are shipped.
 */
function section (conf, name) {
  const match = new RegExp(`# ---- begin ${name}\\n([\\s\\S]*?)\\n\\s*# ---- end ${name}`).exec(conf)
  assert.ok(match, `deploy/nginx.conf has the "${name}" markers`)
  return match[1]
}

/**
 * Starts nginx on 127.0.0.1:`port` in front of `upstream` (host:port) and
 * waits until `/healthz` answers through it. Returns `{ url, accessLog,
 * stop() }`.
 */
export async function startNginx ({ port, upstream }) {
  const shipped = await readFile(path.join(REPO, 'deploy', 'nginx.conf'), 'utf8')
  const httpSettings = section(shipped, 'http proxy settings')
  const serverSettings = section(shipped, 'server proxy settings')
  assert.match(httpSettings, /server 127\.0\.0\.1:8080;/, 'deploy/nginx.conf: the upstream is 127.0.0.1:8080')
  assert.match(serverSettings, /access_log \/var\/log\/nginx\/kartenwand\.access\.log kartenwand;/,
    'deploy/nginx.conf: the access log uses the kartenwand format')

  const dir = await mkdtemp(path.join(tmpdir(), 'kartenwand-nginx-'))
  // Run as root, nginx's workers drop to "nobody" and must reach the temp
  // folders nginx creates (and chowns) in here.
  await chmod(dir, 0o755)
  const accessLog = path.join(dir, 'access.log')
  const errorLog = path.join(dir, 'error.log')
  const conf = [
    `pid ${dir}/nginx.pid;`,
    `error_log ${errorLog} info;`,
    'worker_processes 1;',
    'events { worker_connections 256; }',
    'http {',
    httpSettings.replace('server 127.0.0.1:8080;', `server ${upstream};`),
    '  server {',
    `    listen 127.0.0.1:${port};`,
    serverSettings.replace('/var/log/nginx/kartenwand.access.log', accessLog),
    '  }',
    '}',
    ''
  ].join('\n')
  const confPath = path.join(dir, 'nginx.conf')
  await writeFile(confPath, conf)

  const bin = nginxBinary()
  // Its own process group, so a forced stop also ends the workers.
  const proc = spawn(bin, ['-p', dir, '-c', confPath, '-e', errorLog, '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  const output = []
  const keep = (chunk) => {
    output.push(chunk)
    if (LOG) process.stderr.write(`[nginx] ${chunk}`)
  }
  proc.stdout.on('data', keep)
  proc.stderr.on('data', keep)
  const killOnExit = () => { try { process.kill(-proc.pid, 'SIGKILL') } catch {} }
  process.once('exit', killOnExit)
  let exit = null
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { exit = { code, signal }; resolve(exit) })
    proc.on('error', (error) => { exit = { error: error.message }; resolve(exit) })
  }).then((how) => {
    process.off('exit', killOnExit)
    return how
  })
  const errors = async () => Buffer.concat(output).toString('utf8') +
    (await readFile(errorLog, 'utf8').catch(() => ''))

  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (!exit) {
      proc.kill('SIGTERM')
      const stopped = await Promise.race([exited, tick(STOP_GRACE_MS).then(() => null)])
      if (stopped === null) {
        killOnExit()
        await exited
      }
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitUntil(async () => {
      if (exit) return true
      const response = await fetch(`${url}/healthz`)
      return response.status === 200 && (await response.text()) === 'ok'
    }, `nginx on ${url} answering /healthz from the server`, NGINX_START_MS, 25)
  } catch (error) {
    const log = await errors()
    await stop()
    throw new Error(`${error.message}\nnginx (${bin}) log:\n${log}`)
  }
  if (exit) {
    const log = await errors()
    await stop()
    const failure = new Error(`nginx (${bin}) exited at start (${JSON.stringify(exit)}):\n${log}`)
    failure.portTaken = /Address already in use/.test(log)
    throw failure
  }
  return { url, accessLog, stop }
}
