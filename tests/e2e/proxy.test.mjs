// Browser E2E through a reverse proxy: the real binary behind a real
// Debian nginx running the proxy settings of deploy/nginx.conf (over plain
// HTTP on a loopback port), in Debian's Chromium.
//
//   the server's --public-url is the proxy's address → the moderator
//   creates a conference on the start page through the proxy → the join
//   link points at the proxy → a phone joins by it and writes a card → the
//   moderator's wall shows it live (the websocket runs through nginx) →
//   Markdown and PDF exports download through nginx with their content
//   types → the app's scripts and styles come gzipped, API answers not →
//   nginx's access log recorded the websocket upgrades without their
//   tokens, and no address the phone asked for holds one (the web app
//   sends its token as a websocket subprotocol, never in a URL).
//
// nginx: ./nginx.mjs (Debian's nginx, `apt-get install nginx`).
//
// Run: cd tests/e2e && node --test proxy.test.mjs   (server binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'

import {
  createConference,
  fillJoinForm,
  launchBrowser,
  openPage,
  startServer,
  visible,
  waitFor,
  writeCard
} from './harness.mjs'
import { startBehindNginx } from './nginx.mjs'

const TEST_TIMEOUT_MS = 120_000

const TITLE = 'Stadtteilkonferenz Ströbitz'
const DISTRICT = 'Ströbitz'
const AUTHOR = { name: 'Dana Lehmann', organisation: 'Familienzentrum Ströbitz', sector: 'traeger' }
const CARD = 'Ein Elterncafé am Nachmittag'

test('Through nginx: create, join by the link, a live card, exports', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = [] // uncaught page errors and dialogs, from every page
  const { server, proxy, stop } = await startBehindNginx((args) => startServer({ args }))
  t.after(stop)
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
  const requested = [] // every address the phone asked for, websockets too
  phone.page.on('request', (request) => requested.push(request.url()))
  phone.page.on('websocket', (socket) => requested.push(socket.url()))
  await phone.page.goto(joinUrl)
  await fillJoinForm(phone.page, AUTHOR)
  await phone.page.getByRole('button', { name: 'Beitreten' }).tap()
  await visible(phone.page.getByRole('heading', { name: 'Karte schreiben' }), 'phone: composer after joining through the proxy')
  await writeCard(phone.page, CARD)
  // The moderator's wall shows it without a reload: phone → nginx → server
  // → nginx → moderator, both over websockets.
  await visible(mod.locator('.wall .card-text').getByText(CARD, { exact: true }), 'the card on the moderator wall, live through nginx')
  await phone.context.close()
  assert.ok(requested.some((url) => url.includes(`/ws/${board}`)), `the phone opened the board's websocket: ${requested.join('\n')}`)
  const withToken = requested.filter((url) => /token=|kw[a-z]_/.test(url))
  assert.deepEqual(withToken, [], 'no address the phone asked for holds a token')

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

  // ------------------------------------------------ compression
  // The app's scripts and styles reach the phone gzipped through nginx
  // (the server compresses them, deploy/nginx.conf would too), the API's
  // answers never.
  const html = await (await fetch(`${proxy.url}/join`)).text()
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
  assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')),
    `the app's page names its script and stylesheet: ${assets.join(', ')}`)
  for (const asset of assets) {
    const response = await fetch(proxy.url + asset, { headers: { 'accept-encoding': 'gzip' } })
    await response.arrayBuffer()
    assert.equal(response.status, 200, `${asset} through nginx`)
    assert.equal(response.headers.get('content-encoding'), 'gzip', `${asset} (${response.headers.get('content-type')}) arrives gzipped through nginx`)
  }
  const lookup = await fetch(`${proxy.url}/api/codes/${joinUrl.split('/join/')[1]}`, { headers: { 'accept-encoding': 'gzip' } })
  await lookup.arrayBuffer()
  assert.equal(lookup.status, 200, 'the join code resolves through nginx')
  assert.equal(lookup.headers.get('content-encoding'), null, 'API answers are not compressed (they may carry tokens)')

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
