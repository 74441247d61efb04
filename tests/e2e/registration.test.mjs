// Browser E2E: a conference prepared in advance, against the real binary in
// Debian's Chromium.
//
//   the organiser's account is made on the command line (`kartenwand
//   organiser add`) → the organiser signs in on /organiser (a wrong password
//   first) and creates the conference on the desk → imports 30 participants from a
//   CSV as a spreadsheet exports it (byte order mark, semicolons, quotes,
//   umlauts) in "Ablauf" → they appear in the groups panel (in the board)
//   → downloads the material (PDF) → the test renders every page
//   (pdftoppm) and decodes its QR code (zbarimg, Debian's zbar-tools) →
//   three of the personal links open on phones, which show the person's
//   name, organisation and sector and join with one tap, no typing → the
//   moderator sees them online → the poster's QR code is the board's join
//   link. A broken file first: its rows are named and nobody is registered.
//   Artifacts: material-page.png, material-poster.png, phone-personal-join.png,
//   moderator-registration.png.
//
// Run: cd tests/e2e && node --test registration.test.mjs   (binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

import { BIN } from '../harness/server.mjs'
import {
  ARTIFACTS,
  axeViolations,
  count,
  formatViolations,
  openPage,
  screenshot,
  startServerAndBrowser,
  visible,
  waitFor
} from './harness.mjs'

const run = promisify(execFile)
const TEST_TIMEOUT_MS = 240_000
const ORGANISER_PASSWORD = 'Spreewald-Gurke-2026!'

const FIRST = ['Jürgen', 'Aylin', 'Dragan', 'Małgorzata', 'Sören', 'Zeynep', 'Hans-Peter', 'Ljudmila', 'Björn', 'Fatoumata']
const LAST = ['Weiß', 'Öztürk', 'Ilić', 'Müller', 'Kühn']
const SECTORS = ['Stadtteil', 'Behörde', 'freier Träger', 'Wirtschaft', 'Politik']
const ORGANISATIONS = ['Jobcenter Cottbus', 'Kita "Sonnenschein"', 'Quartiersmanagement; Süd', 'Diakonie', 'Stadtverordnete']

/** 30 people as LibreOffice or Excel write them: BOM, `;`, quotes, CRLF. */
function spreadsheet () {
  const people = []
  for (let i = 0; i < 30; i++) {
    people.push({
      name: `${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]} ${i + 1}`,
      organisation: ORGANISATIONS[i % ORGANISATIONS.length],
      sector: SECTORS[i % SECTORS.length]
    })
  }
  const quote = (field) => /[;"\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field
  const lines = ['Name;Organisation;Bereich;E-Mail']
  for (const [i, person] of people.entries()) {
    lines.push([person.name, person.organisation, person.sector, i % 3 === 0 ? `person${i}@beispiel.de` : ''].map(quote).join(';'))
  }
  return { people, csv: '\uFEFF' + lines.join('\r\n') + '\r\n' }
}

test('Organiser and registration before the day: sign-in, CSV import, material with QR codes, joining without typing, links on the desk', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const work = await mkdtemp(path.join(os.tmpdir(), 'kartenwand-material-'))
  t.after(() => rm(work, { recursive: true, force: true }))

  // ------------------------------------------------ the organiser signs in
  await run(BIN, ['organiser', 'add', '--data-dir', server.dataDir, '--email', 'koordination@cottbus.example', '--name', 'Koordinationsstelle'], {
    env: { ...process.env, KARTENWAND_ORGANISER_PASSWORD: ORGANISER_PASSWORD }
  })
  const organiser = await openPage(browser, 'laptop', 'organiser', problems)
  const mod = organiser.page
  await mod.goto(server.url + '/organiser')
  await mod.getByLabel('E-Mail').fill('koordination@cottbus.example')
  await mod.getByLabel('Passwort').fill('falsch-falsch-falsch')
  await mod.getByRole('button', { name: 'Anmelden' }).click()
  await visible(mod.getByRole('alert').getByText('E-Mail oder Passwort stimmen nicht.'), 'a wrong password is said so')
  await mod.getByLabel('Passwort').fill(ORGANISER_PASSWORD)
  await mod.getByRole('button', { name: 'Anmelden' }).click()
  await visible(mod.getByText('Angemeldet als Koordinationsstelle (koordination@cottbus.example)'), 'the desk')
  const deskAxe = await axeViolations(mod)
  assert.deepEqual(deskAxe, [], formatViolations('organiser desk', deskAxe))
  await mod.getByLabel('Titel').fill('Stadtteilkonferenz Sachsendorf')
  await mod.getByLabel('Stadtteil').fill('Sachsendorf')
  await mod.getByRole('button', { name: 'Konferenz anlegen' }).click()
  await mod.waitForURL(/\/b\/[0-9a-f]+\/moderate#token=/)
  await visible(mod.locator('.topbar .status-online'), 'moderator connected')
  await mod.getByRole('button', { name: 'Ablauf', exact: true }).click()
  const panel = mod.locator('section.registration')
  await visible(panel.getByRole('heading', { name: 'Vorab anmelden' }), 'registration panel')

  // ------------------------------------------------ a broken file first
  await panel.getByLabel('CSV-Datei').setInputFiles({
    name: 'kaputt.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('\uFEFFName;Bereich\r\nEva Kaputt;Mars\r\n;Politik\r\nOtto Heil;Politik\r\n', 'utf8')
  })
  await visible(panel.getByRole('alert').getByText('Zeile 2: Bereich „Mars“ gibt es nicht', { exact: false }), 'broken row 2 named')
  await visible(panel.getByRole('alert').getByText('Zeile 3: kein Name.'), 'broken row 3 named')
  assert.ok(await panel.getByRole('button', { name: /Person(en)? anmelden/ }).isDisabled(), 'nobody is registered from a broken file')

  // ------------------------------------------------ the real list
  const { people, csv } = spreadsheet()
  await panel.getByLabel('CSV-Datei').setInputFiles({ name: 'teilnehmende.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
  await panel.getByRole('button', { name: '30 Personen anmelden' }).click()
  await visible(panel.getByRole('status').getByText('30 Personen angemeldet.'), 'registered')
  const axe = await axeViolations(mod)
  assert.deepEqual(axe, [], formatViolations('moderator (registration)', axe))
  await screenshot(mod, 'moderator-registration')
  // In the board too: the groups panel of Block 1 lists them for planning.
  await mod.getByRole('button', { name: 'Karten (Block 1)', exact: true }).click()
  await visible(mod.locator('.sidebar').getByText(people[1].name), 'a registered person in the groups panel')
  await mod.getByRole('button', { name: 'Ablauf', exact: true }).click()

  // ------------------------------------------------ the material
  const [download] = await Promise.all([
    mod.waitForEvent('download'),
    panel.getByRole('button', { name: 'Material herunterladen (PDF)' }).click()
  ])
  assert.equal(await download.failure(), null, 'the material downloads')
  const pdfPath = path.join(work, 'material.pdf')
  await writeFile(pdfPath, await readFile(await download.path()))
  const { stdout: info } = await run('pdfinfo', [pdfPath])
  assert.match(info, /^Pages:\s+31$/m, 'a page per person and the poster')
  const { stdout: text } = await run('pdftotext', [pdfPath, '-'])
  for (const person of people) assert.ok(text.includes(person.name), `${person.name} has a page`)

  await run('pdftoppm', ['-r', '110', '-png', pdfPath, path.join(work, 'page')])
  const pages = (await readdir(work)).filter((file) => /^page-\d+\.png$/.test(file)).sort()
  assert.equal(pages.length, 31)
  // For a look: a person's page and the poster.
  await mkdir(ARTIFACTS, { recursive: true })
  await copyFile(path.join(work, pages[0]), path.join(ARTIFACTS, 'material-page.png'))
  await copyFile(path.join(work, pages[30]), path.join(ARTIFACTS, 'material-poster.png'))
  const links = []
  for (const page of pages) {
    const { stdout } = await run('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', path.join(work, page)])
    const found = stdout.trim().split('\n').filter((line) => line.length > 0)
    assert.equal(found.length, 1, `${page}: one QR code (found ${found.length})`)
    links.push(found[0])
  }
  const personal = links.slice(0, 30)
  for (const link of personal) assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/b\/[0-9a-f]+\/join#code=[A-Z0-9]{16}$/, link)
  assert.equal(new Set(personal).size, 30, 'every person their own code')
  assert.match(links[30], /^http:\/\/127\.0\.0\.1:\d+\/join\/[A-Z0-9]{12}$/, 'the poster shows the board\'s join link')

  // ------------------------------------------------ phones join without typing
  // Pages are in the order of the names; each page says whose it is.
  const byName = [...people].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()))
  for (const index of [0, 7, 29]) {
    const person = byName.find((candidate) => text.split('\f')[index]?.includes(candidate.name))
    assert.ok(person, `page ${index + 1} names a registered person`)
    const phone = await openPage(browser, 'phone', `phone ${index}`, problems)
    await phone.page.goto(personal[index])
    await visible(phone.page.getByRole('heading', { name: `Willkommen, ${person.name}!` }), `${person.name}: the phone greets them`)
    await visible(phone.page.locator('.profile-summary').getByText(person.organisation, { exact: true }), 'organisation shown')
    await visible(phone.page.locator('.profile-summary').getByText(person.sector, { exact: true }), 'sector shown')
    if (index === 0) {
      const phoneAxe = await axeViolations(phone.page)
      assert.deepEqual(phoneAxe, [], formatViolations('phone (personal join)', phoneAxe))
      await screenshot(phone.page, 'phone-personal-join')
    }
    assert.equal(await phone.page.locator('input[type=text], input:not([type]), select').count(), 0, 'nothing to type')
    await phone.page.getByRole('button', { name: 'Ja, das bin ich – beitreten' }).tap()
    await visible(phone.page.locator('.topbar .status-online'), `${person.name}: the phone is on the board`)
    await phone.context.close()
  }
  // Their profiles stayed as registered (the phone only confirmed them).
  await mod.getByRole('button', { name: 'Karten (Block 1)', exact: true }).click()
  await count(mod.locator('.sidebar').getByText(byName[0].name, { exact: true }), 1, 'the first person listed once')

  // ------------------------------------------------ back on the desk
  await mod.goto(server.url + '/organiser')
  const conference = mod.locator('article.conference')
  await visible(conference.getByRole('heading', { name: 'Stadtteilkonferenz Sachsendorf' }), 'the conference on the desk')
  await conference.getByLabel('Für wen?').fill('Bea (Co-Moderation)')
  await conference.getByRole('button', { name: 'Zugang erstellen' }).click()
  const coLink = await (await visible(conference.getByRole('status').locator('code'), 'the new link shown once')).innerText()
  assert.match(coLink, /\/b\/[0-9a-f]+\/moderate#token=kwm_[0-9a-f]{64}$/)
  await visible(conference.getByText('Bea (Co-Moderation) · Co-Moderation'), 'the link listed')
  await screenshot(mod, 'organiser-desk')

  await waitFor(async () => problems.length === 0, () => `no page errors: ${problems.join('; ')}`, 1000)
})
