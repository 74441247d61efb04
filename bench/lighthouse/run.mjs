// Lighthouse against the real binary: the join page (what a phone opens
// from the QR code) and the participant's card screen, with Lighthouse's
// default mobile profile (Moto G Power class screen, simulated slow 4G and
// 4x CPU slowdown), categories performance and accessibility, in Debian's
// Chromium. Results of docs/benchmarks.md, "Lighthouse".
//
//   cd bench/lighthouse && npm ci && node run.mjs [RUNS] [--through-nginx]
//
// RUNS defaults to 3. --through-nginx measures the binary behind Debian's
// nginx with the settings of deploy/nginx.conf (tests/e2e/nginx.mjs);
// without it, the binary alone (which gzips the app's files itself).
//
// Binary: $KARTENWAND_BIN, else <repo>/target/debug/kartenwand (started on
// 127.0.0.1:0 with a temporary data directory, as in the tests); with
// KARTENWAND_URL=http://127.0.0.1:PORT, a server already running there
// instead (its --public-url must be that address). Chromium:
// $KARTENWAND_CHROMIUM, else /usr/bin/chromium. The reports of the last run
// are written to bench/lighthouse/reports/ (git-ignored).
//
// The card screen is what a phone shows once it has joined: the app keeps
// the participant's id and token in localStorage (web/src/sync/credentials.ts,
// `kartenwand.participant.{board}`, and the code lookup under
// `kartenwand.code.{CODE}`), and /join/{code} then opens the cards straight
// away. This script joins through the API, stores what the app would store,
// checks in the same Chromium that the page shows the composer, then clears
// everything else of the origin (HTTP cache, service worker, Cache Storage,
// IndexedDB): the measured load is a cold one with credentials, the worst
// case of a returning phone.

import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import puppeteer from 'puppeteer-core'

import { startBehindNginx } from '../../tests/e2e/nginx.mjs'
import { BIN, createBoard, joinBoard, startServer } from '../../tests/harness/server.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const REPORTS = path.join(HERE, 'reports')
const CHROMIUM = process.env.KARTENWAND_CHROMIUM ?? '/usr/bin/chromium'
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]
const SERVER_START_MS = 20_000
/** Bound of the check that the seeded storage opens the card screen. */
const CARD_SCREEN_MS = 15_000

const args = process.argv.slice(2)
const throughNginx = args.includes('--through-nginx')
const runs = Number(args.find((a) => !a.startsWith('--')) ?? 3)
if (!Number.isInteger(runs) || runs < 1 || args.some((a) => a.startsWith('--') && a !== '--through-nginx')) {
  console.error('usage: node run.mjs [RUNS] [--through-nginx]   (RUNS: a positive integer, default 3)')
  process.exit(2)
}

const { server, stop, target } = await start()
let chrome = null
let browser = null
try {
  const created = await createBoard(server, 'Stadtteilkonferenz Sandow', 'Sandow')
  const participant = await joinBoard(server, created.board, created.join_code)
  const joinUrl = created.join_url
  assert.ok(joinUrl.startsWith(server.url + '/join/'), `join_url ${joinUrl} is on the server ${server.url}`)

  chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROMIUM_FLAGS })
  browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` })

  const pages = [
    { name: 'join page', url: joinUrl, prepare: async () => {}, flags: {} },
    {
      name: 'card screen',
      url: joinUrl,
      prepare: () => seedParticipant(browser, server.url, joinUrl, created, participant),
      // Lighthouse would clear localStorage too; the origin's other storage
      // and the HTTP cache are cleared by seedParticipant.
      flags: { disableStorageReset: true }
    }
  ]

  console.log(`Lighthouse ${lighthouseVersion()} (mobile, simulated throttling), ${await browser.version()}, ${target}`)
  const results = Object.fromEntries(pages.map((p) => [p.name, []]))
  for (let run = 1; run <= runs; run++) {
    for (const page of pages) {
      await page.prepare()
      const result = await lighthouse(page.url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
        ...page.flags
      })
      assert.ok(result?.lhr, `Lighthouse returned no result for the ${page.name}`)
      const lhr = result.lhr
      if (lhr.runtimeError) throw new Error(`Lighthouse on the ${page.name}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`)
      const numbers = summarise(lhr)
      results[page.name].push(numbers)
      console.log(`run ${run} ${page.name.padEnd(11)} performance ${numbers.performance}  accessibility ${numbers.accessibility}  ` +
        `LCP ${seconds(numbers.lcp)}  FCP ${seconds(numbers.fcp)}  TBT ${Math.round(numbers.tbt)} ms`)
      if (run === runs) {
        await mkdir(REPORTS, { recursive: true })
        const file = path.join(REPORTS, `${page.name.replace(/ /g, '-')}.json`)
        await writeFile(file, result.report)
        console.log(`    report: ${path.relative(process.cwd(), file)}`)
        for (const line of findings(lhr)) console.log(`    ${line}`)
      }
    }
  }

  console.log(`\nmedian (range) of ${runs} run(s):`)
  for (const [name, list] of Object.entries(results)) {
    const stat = (key, format) => {
      const values = list.map((r) => r[key]).sort((a, b) => a - b)
      const median = values[Math.floor(values.length / 2)]
      return `${format(median)} (${format(values[0])}–${format(values[values.length - 1])})`
    }
    console.log(`${name.padEnd(11)} performance ${stat('performance', String)}  accessibility ${stat('accessibility', String)}  ` +
      `LCP ${stat('lcp', seconds)}`)
  }
} finally {
  await browser?.disconnect()
  await chrome?.kill()
  await stop()
}

/**
 * The server to measure: the binary, behind nginx with --through-nginx, or
 * with KARTENWAND_URL=http://127.0.0.1:PORT one already running there (its
 * --public-url must be that address, as the join link is measured).
 * `server.url` is where the phone goes.
 */
async function start () {
  if (process.env.KARTENWAND_URL) {
    const url = process.env.KARTENWAND_URL.replace(/\/$/, '')
    return { server: { url }, stop: async () => {}, target: url }
  }
  const startBinary = (extra = []) => startServer({ startMs: SERVER_START_MS, args: extra })
  if (!throughNginx) {
    const binary = await startBinary()
    return { server: binary, stop: () => binary.stop(), target: BIN }
  }
  const { proxy, stop } = await startBehindNginx(startBinary)
  return { server: proxy, stop, target: `${BIN} behind nginx (deploy/nginx.conf)` }
}

/**
 * Stores what the app stores after joining, checks that the join link then
 * opens the composer, and clears the origin's caches and other storage.
 */
async function seedParticipant (browser, origin, joinUrl, created, participant) {
  const code = created.join_code.toUpperCase()
  const page = await browser.newPage()
  try {
    await page.goto(origin + '/join', { waitUntil: 'load' })
    await page.evaluate((entries) => {
      for (const [key, value] of entries) localStorage.setItem(key, JSON.stringify(value))
    }, [
      [`kartenwand.participant.${created.board}`, { participantId: participant.participant_id, token: participant.token }],
      [`kartenwand.code.${code}`, { board: created.board, title: 'Stadtteilkonferenz Sandow', district: 'Sandow' }]
    ])
    await page.goto(joinUrl, { waitUntil: 'load' })
    try {
      await page.waitForFunction(
        () => [...document.querySelectorAll('h1, h2, h3')].some((h) => h.textContent.trim() === 'Karte schreiben'),
        { timeout: CARD_SCREEN_MS })
    } catch (error) {
      throw new Error(`the join link with stored credentials did not show "Karte schreiben" within ${CARD_SCREEN_MS} ms: ${error.message}`)
    }
    await page.evaluate(async () => {
      for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister()
    })
    const cdp = await page.createCDPSession()
    await cdp.send('Storage.clearDataForOrigin', {
      origin,
      storageTypes: 'cookies,file_systems,indexeddb,shader_cache,websql,service_workers,cache_storage'
    })
    await cdp.send('Network.clearBrowserCache')
  } finally {
    await page.close()
  }
}

function summarise (lhr) {
  return {
    performance: Math.round(lhr.categories.performance.score * 100),
    accessibility: Math.round(lhr.categories.accessibility.score * 100),
    lcp: lhr.audits['largest-contentful-paint'].numericValue,
    fcp: lhr.audits['first-contentful-paint'].numericValue,
    tbt: lhr.audits['total-blocking-time'].numericValue
  }
}

/**
 * What the report says about the load, for the analysis. (With Lighthouse
 * 12.2.3 and Chromium 156 the LCP-element and render-blocking audits fail
 * on the trace format; they are printed as failed, not left out.)
 */
function findings (lhr) {
  const lines = []
  const element = lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node
  if (element) lines.push(`LCP element: ${element.snippet} (${element.nodeLabel})`)
  for (const id of ['largest-contentful-paint-element', 'render-blocking-resources', 'uses-text-compression',
    'unused-javascript', 'font-display', 'total-byte-weight', 'bootup-time', 'critical-request-chains']) {
    const audit = lhr.audits[id]
    if (!audit) continue
    if (audit.scoreDisplayMode === 'error') {
      lines.push(`${id}: audit failed (${audit.errorMessage.split('\n')[0].slice(0, 120)})`)
      continue
    }
    const items = (audit.details?.items ?? []).filter((i) => typeof i.url === 'string').slice(0, 5)
      .map((i) => `${i.url.replace(/^https?:\/\/[^/]+/, '')} ${[i.totalBytes, i.wastedBytes, i.total]
        .filter((v) => v !== undefined).map(Math.round).join(' ')}`)
    lines.push(`${id}: ${audit.displayValue ?? ''} (score ${audit.score ?? 'n/a'})` +
      (items.length ? '\n        ' + items.join('\n        ') : ''))
  }
  const failed = lhr.categories.accessibility.auditRefs
    .map((ref) => lhr.audits[ref.id])
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'notApplicable')
  for (const audit of failed) lines.push(`accessibility: ${audit.id} failed: ${audit.title}`)
  return lines
}

function lighthouseVersion () {
  return createRequire(import.meta.url)('lighthouse/package.json').version
}

function seconds (ms) {
  return `${(ms / 1000).toFixed(2)} s`
}
