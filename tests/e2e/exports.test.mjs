// Browser E2E: the conference documentation from the moderator's laptop,
// against the real binary in Debian's Chromium.
//
//   create the conference on the start page → a phone joins by the join
//   link and writes a card → the moderator fills the city's handout in the
//   "Dokumentation" area (written when a field is left) → a second laptop
//   with fresh storage opens the moderator link and sees the handout (so it
//   reached the server) → Markdown download: conference title, handout,
//   card and its author → PDF download starts with %PDF → every other
//   format downloads → "Namen der Beteiligten weglassen": the request
//   carries authors=false and the author's name is gone → offline, a
//   download fails with a message instead of silently.
//
// Along the way: axe-core on the documentation area (no serious or
// critical findings), handout text rendered as text, a screenshot in
// tests/e2e/artifacts/.
//
// Run: cd tests/e2e && node --test exports.test.mjs   (binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'

import {
  axeViolations,
  createConference,
  fillJoinForm,
  formatViolations,
  openPage,
  screenshot,
  startServerAndBrowser,
  visible,
  waitFor,
  writeCard
} from './harness.mjs'

const TEST_TIMEOUT_MS = 120_000

const TITLE = 'Stadtteilkonferenz Schmellwitz'
const DISTRICT = 'Schmellwitz'
const AUTHOR = { name: 'Ingrid Kowalski', organisation: 'Nachbarschaftshaus Schmellwitz', sector: 'stadtteil' }
const CARD = 'Ein Treffpunkt für Jugendliche am Abend fehlt'

/** The handout as typed, field label → lines. Markup must stay text. */
const HANDOUT = {
  Ansprechpersonen: ['Koordinierungsstelle Asyl: Frau Schröder', 'Quartiersmanagement: Herr Nowak <b>vor Ort</b>'],
  Verfahrensabläufe: ['Anmeldung beim Jobcenter', 'Kita-Gutschein beantragen'],
  Steuerungsinstrumente: ['Fallkonferenz', 'Integrationsplan der Stadt']
}

test('Documentation: handout form and downloads in every format', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = [] // uncaught page errors and dialogs, from every page
  const { server, browser } = await startServerAndBrowser(t)

  // ------------------------------------------------ start page → moderator
  const { moderator, mod } = await createConference(browser, server, problems, { title: TITLE, district: DISTRICT })
  const moderatorUrl = mod.url()
  const joinUrl = await (await visible(mod.locator('a[href*="/join/"]'), 'join link')).getAttribute('href')

  // ------------------------------------------------ a phone writes a card
  const phone = await openPage(browser, 'phone', 'phone', problems)
  await phone.page.goto(joinUrl)
  await fillJoinForm(phone.page, AUTHOR)
  await phone.page.getByRole('button', { name: 'Beitreten' }).tap()
  await visible(phone.page.getByRole('heading', { name: 'Karte schreiben' }), 'phone: composer after joining')
  await writeCard(phone.page, CARD)
  // On the moderator's wall means it went through the server.
  await visible(mod.locator('.wall .card-text').getByText(CARD, { exact: true }), 'the card on the moderator wall')
  await phone.context.close()

  // ------------------------------------------------ the handout
  await mod.getByRole('button', { name: 'Dokumentation', exact: true }).click()
  await visible(mod.getByRole('heading', { name: 'Handreichung der Stadt' }), 'handout form')
  for (const [label, lines] of Object.entries(HANDOUT)) {
    const field = mod.getByLabel(label, { exact: true })
    await field.fill(lines.join('\n'))
    await field.blur()
  }
  assert.equal(await mod.locator('.handout-form b').count(), 0, 'handout markup rendered as text')

  // A laptop with empty storage sees only what the server has.
  const second = await openPage(browser, 'desktop', 'second laptop', problems)
  await second.page.goto(moderatorUrl)
  await visible(second.page.locator('.topbar .status-online'), 'second laptop connected')
  await second.page.getByRole('button', { name: 'Dokumentation', exact: true }).click()
  for (const [label, lines] of Object.entries(HANDOUT)) {
    const field = second.page.getByLabel(label, { exact: true })
    await waitFor(async () => (await field.inputValue()) === lines.join('\n'), `"${label}" synced to a second laptop`)
  }
  await second.context.close()

  const exports = mod.locator('section.exports')
  await visible(exports.getByRole('heading', { name: 'Dokumentation herunterladen' }), 'download panel')
  const axe = await axeViolations(mod)
  assert.deepEqual(axe, [], formatViolations('moderator (documentation)', axe))
  await screenshot(mod, 'moderator-documentation')

  // ------------------------------------------------ downloads
  const markdown = await readDownload(mod, 'Markdown')
  assert.match(markdown.name, /^kartenwand-schmellwitz.*\.md$/)
  const text = unescapeMarkdown(markdown.bytes.toString('utf8'))
  assert.ok(text.includes(TITLE), 'Markdown names the conference')
  assert.ok(text.includes('Handreichung der Stadt'), 'Markdown has the handout section')
  for (const line of Object.values(HANDOUT).flat()) assert.ok(text.includes(line), `Markdown holds the handout line "${line}"`)
  assert.ok(text.includes(CARD), 'Markdown holds the card')
  assert.ok(text.includes(AUTHOR.name), 'Markdown names the author by default')
  await visible(exports.getByRole('status').getByText(`Heruntergeladen: ${markdown.name}`), 'download announced')

  const pdf = await readDownload(mod, 'PDF')
  assert.match(pdf.name, /\.pdf$/)
  assert.equal(pdf.bytes.subarray(0, 4).toString('latin1'), '%PDF', 'the PDF download is a PDF')

  for (const [button, extension, check] of [
    ['HTML', 'html', (bytes) => bytes.toString('utf8').includes(TITLE)],
    ['Word (DOCX)', 'docx', (bytes) => bytes.subarray(0, 2).toString('latin1') === 'PK'],
    ['CSV (Karten)', 'csv', (bytes) => bytes.toString('utf8').includes(CARD)],
    ['JSON (alle Daten)', 'json', (bytes) => JSON.parse(bytes.toString('utf8')).document.handout.steering === HANDOUT.Steuerungsinstrumente.join('\n')]
  ]) {
    const file = await readDownload(mod, button)
    assert.ok(file.name.endsWith(`.${extension}`), `${button}: file name ${file.name}`)
    assert.ok(check(file.bytes), `${button}: content`)
  }

  // ------------------------------------------------ names left out
  await exports.getByLabel('Namen der Beteiligten weglassen').check()
  const asked = mod.waitForRequest((request) => request.url().includes('/export.md'))
  const anonymous = await readDownload(mod, 'Markdown')
  assert.match((await asked).url(), /\/export\.md\?authors=false$/, 'the request carries authors=false')
  const anonymousText = unescapeMarkdown(anonymous.bytes.toString('utf8'))
  assert.ok(anonymousText.includes(CARD), 'the card is still there')
  assert.ok(!anonymousText.includes(AUTHOR.name), 'the author is left out')

  // ------------------------------------------------ a failure is said, not swallowed
  await moderator.context.setOffline(true)
  await exports.getByRole('button', { name: 'CSV (Karten)' }).click()
  await visible(exports.getByRole('alert').getByText(/Der Server ist nicht erreichbar/), 'offline download error')
  await moderator.context.setOffline(false)

  assert.deepEqual(problems, [], 'no uncaught page errors or dialogs')
})

/** Clicks a download button and returns the file the browser saved. */
async function readDownload (page, button) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('section.exports').getByRole('button', { name: button, exact: true }).click()
  ])
  const failure = await download.failure()
  assert.equal(failure, null, `${button}: download failed`)
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) }
}

/** Markdown export escapes punctuation in board text (docs/protocol.md). */
function unescapeMarkdown (text) {
  return text.replace(/\\([\\`*_{}[\]<>#|~&!+=.)-])/g, '$1')
}
