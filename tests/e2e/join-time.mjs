// Benchmark (prints numbers, asserts nothing): how long a phone takes from
// opening the join link (what the QR code encodes) to writing its first
// card, on venue Wi-Fi.
//
//   cd tests/e2e && node join-time.mjs [runs]
//
// Each run is a fresh phone (empty cache and storage, 360×640, touch) in
// Debian's Chromium, against the real binary (target/debug/kartenwand or
// $KARTENWAND_BIN), with the network throttled through the DevTools
// protocol to a crowded venue Wi-Fi: 150 ms round trip, 2 Mbit/s down,
// 1 Mbit/s up. Measured per run:
//   - form:  join link opened → join form ready to type (page, script, code lookup)
//   - join:  "Beitreten" tapped → composer ready (join request, connect, sync)
//   - total: form + join + the typing, which a script does in ~0.3 s; a
//            person needs 10–20 s for name, organisation and sector
// The target: a phone joins in under 10 seconds from scanning, no
// account — the app's share is form + join.

import { performance } from 'node:perf_hooks'
import { launchBrowser, openPage, startServer, visible } from './harness.mjs'

const RUNS = Number(process.argv[2] ?? 5)
const VENUE_WIFI = {
  offline: false,
  latency: 150,
  downloadThroughput: (2 * 1024 * 1024) / 8,
  uploadThroughput: (1 * 1024 * 1024) / 8
}

const server = await startServer()
const browser = await launchBrowser()
try {
  const created = await fetch(`${server.url}/api/boards`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Stadtteilkonferenz Sandow', district: 'Sandow' })
  }).then((response) => response.json())

  const rows = []
  for (let run = 0; run < RUNS; run++) {
    const problems = []
    const phone = await openPage(browser, 'phone', `phone ${run + 1}`, problems)
    const cdp = await phone.context.newCDPSession(phone.page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', VENUE_WIFI)

    const opened = performance.now()
    await phone.page.goto(created.join_url)
    await visible(phone.page.getByRole('heading', { name: 'Mitmachen' }), 'join form')
    const formReady = performance.now()
    await phone.page.getByLabel('Name', { exact: true }).fill(`Person ${run + 1}`)
    await phone.page.getByLabel('Organisation').fill('Kita Sonnenschein')
    await phone.page.getByLabel('Bereich').selectOption('stadtteil')
    const tapped = performance.now()
    await phone.page.getByRole('button', { name: 'Beitreten' }).tap()
    await visible(phone.page.getByRole('heading', { name: 'Karte schreiben' }), 'composer')
    await visible(phone.page.locator('.topbar .status-online'), 'online')
    const joined = performance.now()
    if (problems.length > 0) throw new Error(problems.join('\n'))
    rows.push({ form: formReady - opened, join: joined - tapped, total: joined - opened })
    await phone.context.close()
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const seconds = (ms) => (ms / 1000).toFixed(2)
  console.log('run  form(s)  join(s)  total(s)   [150 ms RTT, 2/1 Mbit/s, fresh phone]')
  rows.forEach((row, index) => console.log(`${String(index + 1).padStart(3)}  ${seconds(row.form).padStart(7)}  ${seconds(row.join).padStart(7)}  ${seconds(row.total).padStart(8)}`))
  console.log(`median form ${seconds(median(rows.map((r) => r.form)))} s, join ${seconds(median(rows.map((r) => r.join)))} s, app share ${seconds(median(rows.map((r) => r.form + r.join)))} s`)
} finally {
  await browser.close()
  await server.stop()
}
