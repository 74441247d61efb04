// Browser E2E: a person's rights on the phone (issue 17), against the real
// binary in Debian's Chromium.
//
//   the join form shows the privacy notice before its first field → the
//   phone joins with an e-mail address and consent, writes a card → the
//   moderator sees them in the participant list and their address in the
//   contact list → "Einwilligung widerrufen": the contact list is without
//   them at once → "Meine Daten herunterladen": the JSON has their name →
//   "Meine Daten löschen" (everything): a plain confirmation, the phone has
//   forgotten the board (no IndexedDB copy, no credentials) → the moderator
//   sees the person gone from the participant list and their card gone from
//   the wall, and the export holds neither. A second person is erased by
//   the moderator from the participant list, keeping the cards: his phone
//   says so and forgets the board too.
//   Artifacts: phone-my-data.png, phone-erased.png.
//
// Run: cd tests/e2e && node --test erasure.test.mjs   (binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'

import {
  confirming,
  createConference,
  fillJoinForm,
  gone,
  openPage,
  screenshot,
  startServerAndBrowser,
  visible,
  waitFor,
  writeCard
} from './harness.mjs'

const TEST_TIMEOUT_MS = 180_000

const ADA = { name: 'Ada Kanarienvogel', organisation: 'Kita Sonnenschein', sector: 'stadtteil', email: 'ada-kanarienvogel@example.org' }
const ADA_CARD = 'Kanarienvogel-Karte: Kitaplätze für Kinder in Sprachkursen'
const BEN = { name: 'Ben Erhalten', organisation: 'Jobcenter', sector: 'behoerde' }
const BEN_CARD = 'Eine Karte, die ohne Namen bleibt'

async function joinPhone (browser, problems, joinUrl, person, name) {
  const phone = await openPage(browser, 'phone', name, problems)
  const page = phone.page
  await page.goto(joinUrl)
  await visible(page.getByRole('heading', { name: 'Mitmachen' }), `${name}: join form`)
  await visible(page.locator('form .notice h2, form .notice [id=notice-heading]').first(), `${name}: the privacy notice`)
  return phone
}

async function exportMarkdown (server, board, token) {
  const response = await fetch(`${server.url}/api/boards/${board}/export.md`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(response.status, 200, 'the moderator downloads the report')
  return response.text()
}

test('A person\'s rights: privacy notice first, withdrawing consent, their data as a file, erasing themself; the moderator erases on request', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { mod, board, token } = await createConference(browser, server, problems, { title: 'Stadtteilkonferenz Sandow', district: 'Sandow' })
  const joinUrl = await (await visible(mod.locator('a[href*="/join/"]'), 'join link on the moderator view')).getAttribute('href')

  // ------------------------------------------------ the notice comes before the first field
  const ada = await joinPhone(browser, problems, joinUrl, ADA, 'ada')
  const phone = ada.page
  const order = await phone.evaluate(() => {
    const form = document.querySelector('form.join-form')
    const notice = form?.querySelector('.notice')
    const first = form?.querySelector('input, select, textarea')
    if (!notice || !first) return 'missing'
    return notice.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING ? 'notice first' : 'field first'
  })
  assert.equal(order, 'notice first', 'the privacy notice precedes the first input of the join form')
  await fillJoinForm(phone, ADA)
  await phone.getByLabel('E-Mail').fill(ADA.email)
  await phone.getByRole('checkbox', { name: /Kontaktdaten dürfen/ }).check()
  await phone.getByRole('button', { name: 'Beitreten' }).tap()
  await visible(phone.getByRole('heading', { name: 'Karte schreiben' }), 'ada: composer after joining')
  await visible(phone.locator('.topbar .status-online'), 'ada: online')
  await writeCard(phone, ADA_CARD)

  const ben = await joinPhone(browser, problems, joinUrl, BEN, 'ben')
  await fillJoinForm(ben.page, BEN)
  await ben.page.getByRole('button', { name: 'Beitreten' }).tap()
  await visible(ben.page.getByRole('heading', { name: 'Karte schreiben' }), 'ben: composer after joining')
  await writeCard(ben.page, BEN_CARD)

  const memberList = mod.locator('.member-list')
  await visible(memberList.getByText(ADA.name), 'the moderator sees Ada in the participant list')
  await visible(memberList.getByText(BEN.name), 'the moderator sees Ben in the participant list')
  await visible(mod.getByText(ADA_CARD), 'Ada\'s card on the wall')
  await waitFor(async () => (await exportMarkdown(server, board, token)).includes(ADA.email), 'Ada\'s address in the contact list')

  // ------------------------------------------------ consent withdrawn from the phone
  await phone.getByText('Meine Daten', { exact: true }).click()
  await confirming(phone, 'Einwilligung widerrufen?', () => phone.getByRole('button', { name: 'Einwilligung widerrufen' }).click())
  await visible(phone.getByText('Widerrufen: Ihre Kontaktdaten sind gelöscht.'), 'the phone says the consent is withdrawn')
  const afterWithdrawal = await exportMarkdown(server, board, token)
  assert.ok(!afterWithdrawal.includes(ADA.email), 'the contact list is without Ada at once')
  assert.ok(afterWithdrawal.includes(ADA_CARD), 'her card is still there')

  // ------------------------------------------------ their data as a file
  const [download] = await Promise.all([
    phone.waitForEvent('download'),
    phone.getByRole('button', { name: 'Meine Daten herunterladen' }).click()
  ])
  assert.equal(await download.failure(), null, 'the download succeeded')
  const data = JSON.parse(await readFile(await download.path(), 'utf8'))
  assert.equal(data.participant.name, ADA.name, 'the file has her name')
  assert.equal(data.participant.email, null, 'and no more e-mail address')
  assert.deepEqual(data.cards.map((card) => card.text), [ADA_CARD])
  await screenshot(phone, 'phone-my-data')

  // ------------------------------------------------ Ada erases herself
  await phone.getByRole('button', { name: 'Meine Daten löschen' }).click()
  await visible(phone.getByText('Karten ohne meinen Namen behalten'), 'the choice to keep the cards')
  await phone.getByLabel('Alles löschen, auch die Karten und Vorschläge').check()
  await phone.getByRole('button', { name: 'Endgültig löschen' }).click()
  await visible(phone.getByRole('heading', { name: 'Ihre Daten sind gelöscht' }), 'a plain confirmation on the phone')
  await screenshot(phone, 'phone-erased')
  const kept = await waitFor(async () => {
    const left = await phone.evaluate(async (boardId) => {
      const databases = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : []
      return {
        copy: databases.some((db) => db.name === `kartenwand-board-${boardId}`),
        credentials: Object.keys(localStorage).filter((key) => key.includes(`participant.${boardId}`))
      }
    }, board)
    return !left.copy && left.credentials.length === 0 ? left : null
  }, 'the phone forgets the board: no offline copy, no credentials')
  assert.ok(kept)

  await gone(memberList.getByText(ADA.name), 'Ada left the moderator\'s participant list')
  await gone(mod.getByText(ADA_CARD), 'her card left the wall')
  const afterErasure = await exportMarkdown(server, board, token)
  assert.ok(!afterErasure.includes(ADA.name) && !afterErasure.includes(ADA_CARD), 'the report holds nothing of Ada')

  // A reload does not bring the board back on her phone.
  await phone.goto(joinUrl)
  await visible(phone.getByRole('heading', { name: 'Mitmachen' }), 'her phone shows the join form again')

  // ------------------------------------------------ the moderator erases Ben on request, keeping his card
  await mod.getByRole('button', { name: `${BEN.name} löschen` }).click()
  await mod.getByLabel('Karten und Vorschläge ohne Namen behalten').check()
  await mod.getByRole('button', { name: 'Endgültig löschen' }).click()
  await gone(memberList.getByText(BEN.name), 'Ben left the participant list')
  await visible(ben.page.getByRole('heading', { name: 'Ihre Daten sind gelöscht' }), 'Ben\'s phone is told, in words, and forgets the board')
  await visible(mod.getByText(BEN_CARD), 'his card stays on the wall')
  const report = await exportMarkdown(server, board, token)
  assert.ok(report.includes(BEN_CARD) && !report.includes(BEN.name), 'the report keeps his card without his name')

  assert.deepEqual(problems, [], 'no uncaught page errors or dialogs in any view')
})
