// Shared machinery of the browser E2E suite: the real `kartenwand` binary on
// an ephemeral port, Debian's Chromium driven by playwright-core, bounded
// waits, axe-core checks and screenshots.
//
// Nothing here sleeps for a fixed time. Every wait is for a condition
// (a locator's state, a page predicate, a server line) and is bounded; a
// timeout fails with a message that names what was awaited.

import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'

const require = createRequire(import.meta.url)
const HERE = path.dirname(fileURLToPath(import.meta.url))
export const REPO = path.resolve(HERE, '..', '..')
export const ARTIFACTS = path.join(HERE, 'artifacts')

const BIN = process.env.KARTENWAND_BIN
  ? path.resolve(process.env.KARTENWAND_BIN)
  : path.join(REPO, 'target', 'debug', 'kartenwand')
const CHROMIUM = process.env.KARTENWAND_CHROMIUM ?? '/usr/bin/chromium'
const LOG = process.env.KARTENWAND_TEST_LOG === '1'

/** Upper bound of every single wait (a locator, a page condition). */
export const WAIT_MS = 15_000
const SERVER_START_MS = 20_000
const STOP_GRACE_MS = 5_000

// ---------------------------------------------------------------- waiting

const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const NEVER = Symbol('attempt still pending at the deadline')

/**
 * Polls `pred` until it returns a truthy value; fails after `timeoutMs`
 * naming `what`. The 25 ms poll is not a sleep that a test relies on: the
 * loop ends as soon as the condition holds.
 */
export async function waitFor (pred, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs
  let lastError = null
  for (;;) {
    // A predicate that never settles (a page promise that never resolves)
    // must not hang the suite: each attempt is bounded by the deadline too.
    let timer
    const expired = new Promise((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), NEVER)
    })
    try {
      const value = await Promise.race([pred(), expired])
      if (value !== NEVER && value) return value
    } catch (error) {
      lastError = error
    } finally {
      clearTimeout(timer)
    }
    if (Date.now() > deadline) {
      const detail = typeof what === 'function' ? what() : what
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${detail}` +
        (lastError ? ` (last error: ${lastError.message.split('\n')[0]})` : ''))
    }
    await tick(25)
  }
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
 * waits for its "listening on" line. `stop()` ends it and removes the data.
 */
export async function startServer () {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kartenwand-e2e-'))
  const proc = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const stderr = []
  proc.stderr.on('data', (chunk) => {
    stderr.push(chunk)
    if (stderr.length > 400) stderr.shift()
    if (LOG) process.stderr.write(chunk)
  })
  // If the test process dies, the server must not outlive it.
  const killOnExit = () => proc.kill('SIGKILL')
  process.once('exit', killOnExit)
  let exit = null
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exit = { code, signal }
      resolve(exit)
    })
    proc.on('error', (error) => {
      exit = { error }
      resolve(exit)
    })
  })
  const lines = createInterface({ input: proc.stdout })
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`${BIN} did not print "listening on" within ${SERVER_START_MS} ms\n` +
        Buffer.concat(stderr).toString()))
    }, SERVER_START_MS)
    lines.on('line', (line) => {
      if (LOG) process.stderr.write(`[server stdout] ${line}\n`)
      const match = /listening on (http:\/\/\S+)/.exec(line)
      if (match) {
        clearTimeout(timer)
        resolve(match[1].replace(/\/$/, ''))
      }
    })
    exited.then((how) => {
      clearTimeout(timer)
      reject(new Error(`${BIN} exited before listening (${JSON.stringify(how)}); ` +
        'build it with `cargo build -p kartenwand` or set KARTENWAND_BIN\n' +
        Buffer.concat(stderr).toString()))
    })
  })
  return {
    url,
    log: () => Buffer.concat(stderr).toString(),
    async stop () {
      if (exit === null) {
        proc.kill('SIGTERM')
        const stopped = await Promise.race([exited, tick(STOP_GRACE_MS).then(() => null)])
        if (stopped === null) {
          proc.kill('SIGKILL')
          await exited
        }
      }
      process.off('exit', killOnExit)
      await rm(dataDir, { recursive: true, force: true })
    }
  }
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
 * its moderator view is connected. Returns the page's handle, the page and
 * the board id.
 */
export async function createConference (browser, server, problems, { title, district }) {
  const moderator = await openPage(browser, 'desktop', 'moderator', problems)
  const mod = moderator.page
  await mod.goto(server.url + '/')
  await mod.getByLabel('Titel').fill(title)
  await mod.getByLabel('Stadtteil').fill(district)
  await mod.getByRole('button', { name: 'Konferenz anlegen' }).click()
  await mod.waitForURL(/\/b\/[0-9a-f]+\/moderate#token=/, { timeout: WAIT_MS })
  await visible(mod.locator('.topbar .status-online'), 'moderator connected')
  return { moderator, mod, board: /\/b\/([0-9a-f]+)\//.exec(mod.url())[1] }
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
