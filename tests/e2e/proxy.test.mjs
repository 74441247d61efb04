// Browser E2E through a reverse proxy: the real binary behind a real
// Debian nginx running the proxy settings of deploy/nginx.conf (over plain
// HTTP on a loopback port), in Debian's Chromium.
//
//   the server's --public-url is the proxy's address → the moderator
//   creates a conference on the start page through the proxy → the join
//   link points at the proxy → a phone joins by it and writes a card → the
//   moderator's wall shows it live (the websocket runs through nginx) →
//   Markdown and PDF exports download through nginx with their content
//   types → nginx's access log recorded the websocket upgrades without
//   their tokens.
//
// nginx runs as the current user: `nginx -p <tmpdir> -c <generated conf>
// -g 'daemon off;'`, its pid, logs and temp files in the temporary folder.
// Binary: $KARTENWAND_NGINX, else nginx on PATH, else /usr/sbin/nginx
// (`apt-get install nginx`).
//
// Run: cd tests/e2e && node --test proxy.test.mjs   (server binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { LOG, REPO, STOP_GRACE_MS } from '../harness/server.mjs'
import { tick } from '../harness/wait.mjs'
import {
  createConference,
  launchBrowser,
  openPage,
  startServer,
  visible,
  waitFor
} from './harness.mjs'

const TEST_TIMEOUT_MS = 120_000
const NGINX_START_MS = 10_000
/** Attempts at a free port: another process may take it between probe and bind. */
const PORT_ATTEMPTS = 3

const TITLE = 'Stadtteilkonferenz Ströbitz'
const DISTRICT = 'Ströbitz'
const AUTHOR = { name: 'Dana Lehmann', organisation: 'Familienzentrum Ströbitz', sector: 'traeger' }
const CARD = 'Ein Elterncafé am Nachmittag'

test('Through nginx: create, join by the link, a live card, exports', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = [] // uncaught page errors and dialogs, from every page
  const { server, proxy } = await startProxiedServer(t)
  const browser = await launchBrowser()
  t.after(() => browser.close())

  // ------------------------------------------------ start page → moderator
  const { moderator, mod, board } = await createConference(browser, proxy, problems, { title: TITLE, district: DISTRICT })
  assert.ok(mod.url().startsWith(proxy.url + '/b/'), `moderator view is served through the proxy: ${mod.url()}`)
  const moderatorToken = new URLSearchParams(new URL(mod.url()).hash.slice(1)).get('token')
  assert.ok(moderatorToken, `moderator URL carries the token: ${mod.url()}`)

  // --public-url is the proxy: the join link (and its QR code) points there.
  const joinUrl = await (await visible(mod.locator('a[href*="/join/"]'), 'join link')).getAttribute('href')
  assert.ok(joinUrl.startsWith(proxy.url + '/join/'), `join link ${joinUrl} starts with the public URL ${proxy.url}`)

  // ------------------------------------------------ a phone writes a card
  const phone = await openPage(browser, 'phone', 'phone', problems)
  await phone.page.goto(joinUrl)
  await phone.page.getByLabel('Name', { exact: true }).fill(AUTHOR.name)
  await phone.page.getByLabel('Organisation').fill(AUTHOR.organisation)
  await phone.page.getByLabel('Bereich').selectOption(AUTHOR.sector)
  await phone.page.getByRole('button', { name: 'Beitreten' }).tap()
  await visible(phone.page.getByRole('heading', { name: 'Karte schreiben' }), 'phone: composer after joining through the proxy')
  await phone.page.getByRole('radio', { name: 'Bedarf', exact: true }).check()
  await phone.page.getByLabel('Text der Karte').fill(CARD)
  await phone.page.getByLabel('Text der Karte').press('Enter')
  // The moderator's wall shows it without a reload: phone → nginx → server
  // → nginx → moderator, both over websockets.
  await visible(mod.locator('.wall .card-text').getByText(CARD, { exact: true }), 'the card on the moderator wall, live through nginx')
  await phone.context.close()

  // ------------------------------------------------ exports through nginx
  const markdown = await download(proxy, board, 'md', moderatorToken)
  assert.equal(markdown.type, 'text/markdown; charset=utf-8', 'Markdown content type through nginx')
  assert.match(markdown.disposition, /^attachment; filename="kartenwand-.*\.md"$/, 'Markdown is a download')
  const text = markdown.bytes.toString('utf8')
  assert.ok(text.includes(CARD), 'the Markdown export holds the card')
  assert.ok(text.includes(AUTHOR.name), 'the Markdown export names the author')

  const pdf = await download(proxy, board, 'pdf', moderatorToken)
  assert.equal(pdf.type, 'application/pdf', 'PDF content type through nginx')
  assert.equal(pdf.bytes.subarray(0, 4).toString('latin1'), '%PDF', 'the PDF download is a PDF')
  assert.equal(pdf.bytes.length, pdf.length, 'nginx passed the whole PDF on')

  // ------------------------------------------------ what nginx logged
  // nginx logs a websocket when it ends: close the moderator's too.
  await moderator.context.close()
  let accessLog = ''
  const upgrades = () => accessLog.split('\n').filter((line) => line.includes(`"GET /ws/${board} `) && /" 101 /.test(line))
  await waitFor(async () => {
    accessLog = await readFile(proxy.accessLog, 'utf8')
    return upgrades().length >= 2
  }, () => `nginx's access log with the websocket upgrades (101) of phone and moderator:\n${accessLog}`)
  assert.ok(!/token=|kw[mpv]_/.test(accessLog), `nginx's access log holds no token:\n${accessLog}`)

  assert.deepEqual(problems, [], 'no uncaught errors or dialogs on any page')
  assert.equal(server.exit, null, `the server still runs\n${server.stderrTail()}`)
})

/** GET an export through the proxy: `{ type, disposition, length, bytes }`. */
async function download (proxy, board, format, token) {
  const response = await fetch(`${proxy.url}/api/boards/${board}/export.${format}`, {
    headers: { authorization: `Bearer ${token}` }
  })
  const bytes = Buffer.from(await response.arrayBuffer())
  assert.equal(response.status, 200, `export.${format} through nginx: ${response.status} ${bytes.toString('utf8', 0, 200)}`)
  return {
    type: response.headers.get('content-type'),
    disposition: response.headers.get('content-disposition'),
    length: Number(response.headers.get('content-length') ?? bytes.length),
    bytes
  }
}

// ---------------------------------------------------------------- nginx

/**
 * The server with `--public-url` set to the proxy's address, and nginx in
 * front of it; both stop when the test ends. The proxy's port is chosen
 * before the server starts (the server must know it); if nginx then finds
 * it taken, both start again on another.
 */
async function startProxiedServer (t) {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort()
    const proxyUrl = `http://127.0.0.1:${port}`
    const server = await startServer({ args: ['--public-url', proxyUrl] })
    try {
      const proxy = await startNginx({ port, upstream: new URL(server.url).host })
      t.after(async () => {
        await proxy.stop()
        await server.stop()
      })
      return { server, proxy }
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
async function startNginx ({ port, upstream }) {
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
    await waitFor(async () => {
      if (exit) return true
      const response = await fetch(`${url}/healthz`)
      return response.status === 200 && (await response.text()) === 'ok'
    }, `nginx on ${url} answering /healthz from the server`, NGINX_START_MS)
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
