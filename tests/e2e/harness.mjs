// Shared machinery of the browser E2E suite: the real `kartenwand` binary on
// an ephemeral port, Debian's Chromium driven by playwright-core, bounded
// waits, axe-core checks and screenshots.
//
// Nothing here sleeps for a fixed time. Every wait is for a condition
// (a locator's state, a page predicate, a server line) and is bounded; a
// timeout fails with a message that names what was awaited.

import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'

import { LOG, startServer as startBinary } from '../harness/server.mjs'
import { waitUntil } from '../harness/wait.mjs'

const require = createRequire(import.meta.url)
const HERE = path.dirname(fileURLToPath(import.meta.url))
export const ARTIFACTS = path.join(HERE, 'artifacts')

const CHROMIUM = process.env.KARTENWAND_CHROMIUM ?? '/usr/bin/chromium'

/** Upper bound of every single wait (a locator, a page condition). */
export const WAIT_MS = 15_000
const SERVER_START_MS = 20_000

// ---------------------------------------------------------------- waiting

/**
 * Polls `pred` until it returns a truthy value; fails after `timeoutMs`
 * naming `what` (see ../harness/wait.mjs).
 */
export function waitFor (pred, what, timeoutMs = WAIT_MS) {
  return waitUntil(pred, what, timeoutMs, 25)
}

/** Waits until `locator` is visible; fails naming `what`. */
export async function visible (locator, what, timeoutMs = WAIT_MS) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: timeoutMs })
  } catch (error) {
    throw new Error(`${what}: not visible within ${timeoutMs} ms (${error.message.split('\n')[0]})`)
  }
  return locator.first()
}

/** Waits until `locator` matches nothing visible; fails naming `what`. */
export async function gone (locator, what, timeoutMs = WAIT_MS) {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout: timeoutMs })
  } catch (error) {
    throw new Error(`${what}: still visible after ${timeoutMs} ms (${error.message.split('\n')[0]})`)
  }
}

/** Waits until `locator` matches exactly `count` elements. */
export async function count (locator, expected, what, timeoutMs = WAIT_MS) {
  let last = -1
  await waitFor(async () => {
    last = await locator.count()
    return last === expected
  }, () => `${what}: ${expected} element(s) (last seen ${last})`, timeoutMs)
}

// ---------------------------------------------------------------- server

/**
 * The server and Chromium for one test; both stop when the test ends.
 */
export async function startServerAndBrowser (t) {
  const server = await startServer()
  let browser = null
  t.after(async () => {
    await browser?.close()
    await server.stop()
  })
  browser = await launchBrowser()
  return { server, browser }
}

/**
 * Starts `kartenwand serve` on 127.0.0.1:0 with a fresh data directory and
 * waits for its "listening on" line (../harness/server.mjs). `stop()` ends
 * it and removes the data; `log()` is its stderr. `args`: further `serve`
 * flags.
 */
export function startServer ({ args } = {}) {
  return startBinary({ startMs: SERVER_START_MS, args })
}

// ---------------------------------------------------------------- browser

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

export function launchBrowser () {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS
  })
}

const PHONE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 ' +
  '(KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36'

/** Context options per device class. */
export const DEVICES = {
  desktop: { viewport: { width: 1440, height: 900 } },
  projector: { viewport: { width: 1920, height: 1080 } },
  laptop: { viewport: { width: 1366, height: 768 } },
  tablet: { viewport: { width: 1280, height: 800 }, hasTouch: true },
  phone: {
    viewport: { width: 360, height: 640 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: PHONE_UA
  }
}

/**
 * A page that fails the test on any uncaught error or dialog (an `alert`
 * from injected markup would be one), and keeps its console for failures.
 */
export async function openPage (browser, device, name, problems) {
  const context = await browser.newContext({ ...DEVICES[device], locale: 'de-DE' })
  const page = await context.newPage()
  page.setDefaultTimeout(WAIT_MS)
  page.on('pageerror', (error) => problems.push(`${name}: uncaught error: ${error.message}`))
  page.on('dialog', (dialog) => {
    const expected = expectedConfirms.get(page) ?? []
    if (dialog.type() === 'confirm' && expected.length > 0) {
      const wanted = expected.shift()
      if (dialog.message().includes(wanted)) {
        void dialog.accept()
        return
      }
      problems.push(`${name}: confirm dialog "${dialog.message()}" where "${wanted}" was expected`)
    } else {
      problems.push(`${name}: unexpected ${dialog.type()} dialog: ${dialog.message()}`)
    }
    void dialog.dismiss()
  })
  if (LOG) page.on('console', (message) => process.stderr.write(`${name} console.${message.type()}: ${message.text()}\n`))
  return { name, context, page }
}

/**
 * A moderator laptop creates a conference on the start page and waits until
 * its moderator view is connected. Returns the page's handle, the page,
 * the board id and the moderator token. `server` is anything with the base `url` to open (the
 * server, or a proxy in front of it).
 */
export async function createConference (browser, server, problems, { title, district, device = 'desktop' }) {
  const moderator = await openPage(browser, device, 'moderator', problems)
  const mod = moderator.page
  await mod.goto(server.url + '/')
  await mod.getByLabel('Titel').fill(title)
  await mod.getByLabel('Stadtteil').fill(district)
  await mod.getByRole('button', { name: 'Konferenz anlegen' }).click()
  await mod.waitForURL(/\/b\/[0-9a-f]+\/moderate#token=/, { timeout: WAIT_MS })
  await visible(mod.locator('.topbar .status-online'), 'moderator connected')
  return {
    moderator,
    mod,
    board: /\/b\/([0-9a-f]+)\//.exec(mod.url())[1],
    token: decodeURIComponent(new URL(mod.url()).hash.replace(/^#token=/, ''))
  }
}

/** Fills the phone's join form with a person's name, organisation and sector. */
export async function fillJoinForm (page, person) {
  await page.getByLabel('Name', { exact: true }).fill(person.name)
  await page.getByLabel('Organisation').fill(person.organisation)
  await page.getByLabel('Bereich').selectOption(person.sector)
}

/**
 * Reloads a page whose browser context is offline, and keeps the new
 * document offline as a phone without network is from the start. Chromium
 * 148 with playwright-core 1.65 does not carry the context's offline
 * emulation over to the reloaded document: its requests fail, yet
 * `navigator.onLine` says true. So the emulation is set again on a
 * DevTools session of the page (kept open: closing it would end it;
 * `backOnline` lifts it).
 */
export async function reloadOffline (page) {
  const response = await page.reload()
  const devtools = await page.context().newCDPSession(page)
  await devtools.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  offlineSessions.set(page, devtools)
  return response
}

/** The DevTools sessions `reloadOffline` keeps a page offline with. */
const offlineSessions = new WeakMap()

/**
 * Brings a page's context back online, and lifts the emulation
 * `reloadOffline` set on the page itself: Chromium 156 keeps that one when
 * the context goes online again, and the phone would never reconnect.
 */
export async function backOnline (page) {
  await page.context().setOffline(false)
  const devtools = offlineSessions.get(page)
  if (devtools) {
    offlineSessions.delete(page)
    await devtools.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    await devtools.detach()
  }
}

/** Writes a card on the phone's composer and sends it with the keyboard's send key. */
export async function writeCard (page, text, kind = 'Bedarf') {
  await page.getByRole('radio', { name: kind, exact: true }).check()
  await page.getByLabel('Text der Karte').fill(text)
  await page.getByLabel('Text der Karte').press('Enter')
}

/** Confirm dialogs a page is about to show, by a part of their text. */
const expectedConfirms = new WeakMap()

/**
 * Runs `action`, which must make `page` ask a confirm question containing
 * `text`; the question is answered with OK. Any other dialog is a problem.
 */
export async function confirming (page, text, action) {
  const expected = expectedConfirms.get(page) ?? []
  expected.push(text)
  expectedConfirms.set(page, expected)
  await action()
  await waitFor(() => !expected.includes(text), `the confirm question "${text}"`)
}

export async function screenshot (page, name) {
  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true })
}

// ---------------------------------------------------------------- axe-core

let axeSource = null

/**
 * Runs axe-core in the page and returns the serious and critical findings.
 * The app's CSP allows only same-origin scripts, so axe is evaluated through
 * the DevTools protocol (page.evaluate), which CSP does not govern.
 *
 * Besides violations, this counts those of axe's "needs review" results that
 * are defects, not doubts: axe files text with a measured 1:1 contrast
 * (white on white) and an ARIA attribute the element's role prohibits under
 * review. Other reviews (icon-only buttons, decorative glyphs) are reported
 * with KARTENWAND_TEST_LOG=1 but do not fail.
 */
export async function axeViolations (page) {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8')
  const loaded = await page.evaluate(() => typeof window.axe === 'object')
  if (!loaded) await page.evaluate(axeSource)
  const results = await page.evaluate(async () => {
    const outcome = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations', 'incomplete']
    })
    const summary = (kind) => (v) => ({
      kind,
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ` +
        [...n.any, ...n.all, ...n.none].map((check) => check.message).filter(Boolean).join('; '))
    })
    const defects = (v) => ({
      ...v,
      nodes: v.nodes.filter((n) => v.id === 'aria-prohibited-attr' ||
        (v.id === 'color-contrast' && [...n.any, ...n.all].some((check) => /contrast ratio/.test(check.message ?? ''))))
    })
    return [
      ...outcome.violations.map(summary('violation')),
      ...outcome.incomplete.map(defects).filter((v) => v.nodes.length > 0).map(summary('needs review'))
    ]
  })
  if (LOG) {
    for (const v of results) process.stderr.write(`axe ${v.kind} [${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}\n`)
  }
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

export function formatViolations (view, violations) {
  return `${view}: ${violations.length} serious/critical axe finding(s)\n` +
    violations.map((v) => `  ${v.kind} [${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n')
}

/**
 * Collects axe-core findings of several views so a test can check them all
 * at its end: `checkAxe(view, page)` records, `axeFindings` holds the text.
 */
export function axeCollector () {
  const axeFindings = []
  const checkAxe = async (view, page) => {
    const violations = await axeViolations(page)
    if (violations.length > 0) axeFindings.push(formatViolations(view, violations))
  }
  return { axeFindings, checkAxe }
}
