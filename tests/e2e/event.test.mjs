// Browser E2E: a Kassel day (issue 13, "Events") against the real binary in
// Debian's Chromium.
//
//   the organiser creates the event on the start page (a plenary, four
//   workshops, one with two places, three reflection groups; the attribute
//   "Gemeindegröße" from its preset; groups of equal size) → the organiser's
//   event page shows one join code and its QR code → twelve phones join
//   through that one link, four small towns, four medium towns, four large
//   cities, and land in the plenary → the organiser moves the event to the
//   workshops → each phone chooses a workshop (the full one is no longer
//   offered to those after it filled) and writes a card there → a
//   workshop's own projector shows only its workshop's cards → the plenary
//   projector shows all four workshops with their cards → the organiser
//   moves the event to the reflection → every phone lands in its group's
//   board without a reload (a marker set on window survives), 4 + 4 + 4 by
//   municipality size → a phone writes with the Wi-Fi down, reloads and is
//   still in its group, the card arrives once it is back → the organiser
//   ends the event → the phones offer the results, a participant downloads
//   them (Markdown), the organiser the PDF.
//   Artifacts: event-create.png, event-organise.png, event-poster.png,
//   event-phone-*.png, event-workshop-presenter.png,
//   event-plenary-projector.png.
//
// A second, shorter test: the organiser's desk lists the event and makes a
// new organiser link (the old one stops working); a phone joins in English.
//
// Twelve phones are twelve contexts of one browser; the shared screens are
// closed when their part is done.
//
// Run: cd tests/e2e && node --test event.test.mjs   (binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

import { BIN, api } from '../harness/server.mjs'
import { connect } from './writer.mjs'
import {
  axeCollector,
  backOnline,
  confirming,
  count,
  fillJoinForm,
  gone,
  openPage,
  reloadOffline,
  screenshot,
  startServerAndBrowser,
  visible,
  waitFor
} from './harness.mjs'

const run = promisify(execFile)
const TEST_TIMEOUT_MS = 420_000
const ORGANISER_PASSWORD = 'Kulturbahnhof-Kassel-2027!'

const WORKSHOPS = [
  { title: 'Workshop 1: Netzwerk Ehrenamt', capacity: '2', location: 'Raum 1', description: 'Netzwerk mit Mehrwert im Bereich Ehrenamt-Hauptamt' },
  { title: 'Workshop 2: Migrantenorganisationen', capacity: '', location: 'Raum 2', description: 'Ehrenamtliche Bildungsbeauftragte aus Migrantenorganisationen' },
  { title: 'Workshop 3: Förderkette', capacity: '', location: 'Raum 3', description: 'Eine rechtskreisübergreifende Förderkette für Neuzugewanderte' },
  { title: 'Workshop 4: Sprachkursträger', capacity: '', location: 'Raum 4', description: 'Gemeinsame Kompetenzorientierung der Sprachkursträger' }
]
const GROUPS = ['Reflexion A', 'Reflexion B', 'Reflexion C']
const SIZES = { small: 'Kleinstadt', medium: 'Mittelstadt', large: 'Großstadt' }

/** Twelve coordinators: four of each municipality size. */
const PEOPLE = [
  ['Lena Nzume', 'Stadt Oldenburg', 'Behörde', 'large'],
  ['Volker Grendel', 'Stadt Emden', 'Behörde', 'medium'],
  ['Ulrike Keller', 'Landkreis Offenbach', 'Behörde', 'small'],
  ['Cemalettin Özer', 'MOZAIK gGmbH', 'freier Träger', 'large'],
  ['Katja Schöne', 'Stadt Kassel', 'Politik', 'large'],
  ['Matthias Riesterer', 'VHS Offenbach', 'freier Träger', 'small'],
  ['Iris Lopatta', 'Transferagentur', 'Stadtteil', 'medium'],
  ['Hadrien Segond', 'Transferagentur', 'Stadtteil', 'small'],
  ['Muhammet Karatas', 'KAUSA Stuttgart', 'Wirtschaft', 'large'],
  ['Daniel März', 'Transferagentur', 'Stadtteil', 'medium'],
  ['Lukas Röber', 'Transferagentur', 'Stadtteil', 'small'],
  ['Aylin Demir', 'Stadt Hanau', 'Behörde', 'medium']
].map(([name, organisation, sector, size]) => ({ name, organisation, sector, size }))

/**
 * Which workshop each phone chooses, by index into WORKSHOPS: the first two
 * fill workshop 1 (two places); everyone after must not be offered it.
 */
const CHOICES = [0, 0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1]

function cardText (person, where) {
  return `${where}: ${person.name.split(' ')[0]} – Kooperation braucht Augenhöhe`
}

test('An event: a Kassel day with a plenary, four workshops and reflection groups, one join for all', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { axeFindings, checkAxe } = axeCollector()

  // ------------------------------------------------ the organiser creates the event
  const organiser = await openPage(browser, 'desktop', 'organiser', problems)
  const org = organiser.page
  await org.goto(server.url + '/')
  await org.getByRole('button', { name: 'Veranstaltung anlegen' }).click()
  const form = await visible(org.locator('form.event-create'), 'the event form')
  await form.getByLabel('Titel der Veranstaltung').fill('Kommunen im Dialog: Kooperation')
  await form.getByLabel('Datum der Veranstaltung').fill('2027-03-31')
  await form.getByLabel('Veranstaltungsort').fill('Kassel, Kulturbahnhof')
  // Rows: the plenary and one workshop are there; six more.
  for (let i = 0; i < 6; i++) await form.getByRole('button', { name: 'Bereich hinzufügen' }).click()
  const rows = form.locator('fieldset.board-row')
  await count(rows, 8, 'eight board rows')
  const boards = [
    { title: 'Plenum', kind: 'plenary', capacity: '', location: 'Saal', description: '' },
    ...WORKSHOPS.map((workshop) => ({ ...workshop, kind: 'workshop' })),
    ...GROUPS.map((title, i) => ({ title, kind: 'reflection', capacity: '', location: `Foyer ${i + 1}`, description: '' }))
  ]
  for (const [i, board] of boards.entries()) {
    const row = rows.nth(i)
    await row.getByLabel('Titel', { exact: true }).fill(board.title)
    await row.getByLabel('Art', { exact: true }).selectOption(board.kind)
    await row.getByLabel('Plätze', { exact: true }).fill(board.capacity)
    await row.getByLabel('Ort', { exact: true }).fill(board.location)
    await row.getByLabel('Beschreibung', { exact: true }).fill(board.description)
  }
  await form.getByRole('button', { name: 'Gemeindegröße (Kassel)' }).click()
  const attribute = await visible(form.getByRole('group', { name: 'Gemeindegröße' }), 'the preset attribute')
  assert.equal(await attribute.getByLabel('Bezeichnung (Englisch)').inputValue(), 'Municipality size')
  await form.getByLabel('Gruppen bilden').selectOption('equal')
  await form.getByLabel('Merkmal', { exact: true }).selectOption({ label: 'Gemeindegröße' })
  const programme = [
    ['09:00', 'Begrüßung, Impulsvortrag und Podium', 'plenary', 'Saal'],
    ['11:00', 'Parallele Workshops', 'workshops', 'Räume 1–4'],
    ['14:00', 'Reflexion im Problem-Lösungsbaum', 'reflection', 'Foyer'],
    ['16:30', 'Abschluss', 'ended', 'Saal']
  ]
  for (let i = 1; i < programme.length; i++) await form.getByRole('button', { name: 'Programmpunkt hinzufügen' }).click()
  for (const [i, [time, title, part, location]] of programme.entries()) {
    const row = form.locator('fieldset.programme-row').nth(i)
    await row.getByLabel('Uhrzeit').fill(time)
    await row.getByLabel('Programmpunkt', { exact: true }).fill(title)
    await row.getByLabel('Teil', { exact: true }).selectOption(part)
    await row.getByLabel('Ort', { exact: true }).fill(location)
  }
  await checkAxe('start page (event form)', org)
  await screenshot(org, 'event-create')
  // The creation answer holds the tokens and links the test checks the pages against;
  // the page navigates away at once, so it is read on its way through.
  let created = null
  await org.route('**/api/events', async (route) => {
    const response = await route.fetch()
    created = { status: response.status(), body: await response.json() }
    await route.fulfill({ response })
  })
  await form.getByRole('button', { name: 'Veranstaltung anlegen' }).click()
  await waitFor(() => created !== null, 'the answer of POST /api/events')
  assert.equal(created.status, 201, `POST /api/events: ${JSON.stringify(created.body)}`)
  created = created.body
  await org.unroute('**/api/events')
  assert.deepEqual(created.boards.map((board) => board.title), boards.map((board) => board.title), 'the boards in the order given')
  await org.waitForURL(/\/e\/[0-9a-f]+\/organise$/)
  assert.ok(!org.url().includes('token'), 'the organiser token is not left in the address bar')
  const eventId = created.event

  // ------------------------------------------------ the organiser's event page
  const joinSection = org.locator('section.event-join')
  const grouped = created.join_code.match(/.{1,4}/g).join(' ')
  await visible(joinSection.getByText(`Code: ${grouped}`), 'the join code in groups of four')
  const joinUrl = await (await visible(joinSection.locator('a[href*="/join/"]'), 'the join link')).getAttribute('href')
  assert.equal(joinUrl, created.join_url, 'one join link for the whole event')
  await visible(joinSection.getByRole('img', { name: `QR-Code zum Teilnehmen: ${joinUrl}` }), 'the QR code')
  const qrLink = await decodeQr(joinSection.locator('svg.qr'))
  if (qrLink !== null) assert.equal(qrLink, joinUrl, 'the QR code is the join link')
  for (const board of boards) await visible(org.locator('table').getByRole('rowheader', { name: board.title }), `${board.title} listed`)
  await visible(org.getByRole('button', { name: 'Plenum', pressed: true }), 'the plenary is the current part')
  await checkAxe('organiser (event page)', org)
  await screenshot(org, 'event-organise')
  // The poster for the door: printed alone, with the code and the QR code.
  await org.emulateMedia({ media: 'print' })
  const poster = await visible(org.locator('.event-poster'), 'the poster when printed')
  await visible(poster.getByText(created.join_code.match(/.{1,4}/g).join(' '), { exact: true }), 'the code on the poster')
  await visible(poster.getByRole('img', { name: `QR-Code zum Teilnehmen: ${joinUrl}` }), 'the QR code on the poster')
  await gone(joinSection, 'only the poster is printed')
  await screenshot(org, 'event-poster')
  await org.emulateMedia({ media: 'screen' })

  // ------------------------------------------------ twelve phones join through the one link
  const phones = []
  for (const [i, person] of PEOPLE.entries()) {
    const phone = await openPage(browser, 'phone', `phone ${i + 1} (${person.name})`, problems)
    phone.person = person
    const page = phone.page
    await page.goto(joinUrl)
    await visible(page.getByRole('heading', { name: 'Mitmachen' }), `${phone.name}: the join form`)
    await fillJoinForm(page, person)
    await page.getByLabel('Gemeindegröße').selectOption(person.size)
    if (i === 0) {
      await checkAxe('phone (event join form)', page)
      await screenshot(page, 'event-phone-join')
    }
    await page.getByRole('button', { name: 'Beitreten' }).tap()
    await page.waitForURL(new RegExp(`/e/${eventId}$`))
    await visible(page.locator('.event-banner').getByText('Plenum · Saal', { exact: true }), `${phone.name}: told to go to the plenary`)
    await visible(page.locator('.topbar .status-online'), `${phone.name}: on the plenary board`)
    // Everything from here on happens in this one document.
    await page.evaluate(() => { window.kartenwandMarker = 'joined' })
    phones.push(phone)
  }
  await checkAxe('phone (event, plenary)', phones[0].page)
  await assertPhoneFits(phones[0].page, 'phone in the plenary')
  await screenshot(phones[0].page, 'event-phone-plenary')
  await visible(org.getByRole('heading', { name: 'Teilnehmende (12)' }), 'the organiser sees twelve participants')
  const plenaryRow = org.locator('tr', { has: org.getByRole('rowheader', { name: 'Plenum', exact: true }) })
  await visible(plenaryRow.getByText('12', { exact: true }), 'twelve in the plenary')

  // ------------------------------------------------ the workshops: choose, write
  await org.getByRole('button', { name: 'Workshops', exact: true }).click()
  await visible(org.getByRole('button', { name: 'Workshops', pressed: true }), 'the workshops are the current part')
  for (const phone of phones) {
    await visible(phone.page.locator('.event-banner').getByText('Bitte wählen Sie Ihren Workshop.'), `${phone.name}: asked to choose, without a reload`)
  }
  await checkAxe('phone (choosing a workshop)', phones[0].page)
  await assertPhoneFits(phones[0].page, 'phone choosing a workshop')
  await screenshot(phones[0].page, 'event-phone-choose')
  const written = WORKSHOPS.map(() => [])
  for (const [i, phone] of phones.entries()) {
    const page = phone.page
    const workshop = WORKSHOPS[CHOICES[i]]
    const full = chooseButton(page, WORKSHOPS[0].title)
    if (i >= 2) {
      // Workshop 1 filled with the second phone: it is not offered any more.
      await count(full, 0, `${phone.name}: the full workshop is not offered`)
    } else {
      await visible(page.locator('.workshop', { hasText: WORKSHOPS[0].title }).getByText(`Noch ${2 - i} ${2 - i === 1 ? 'Platz' : 'Plätze'} frei`), `${phone.name}: the places left`)
    }
    await visible(page.locator('.workshop', { hasText: workshop.title }).getByText(workshop.description), `${phone.name}: the workshop's description`)
    await chooseButton(page, workshop.title).tap()
    await visible(page.locator('.event-banner').getByText(`${workshop.title} · ${workshop.location}`, { exact: true }), `${phone.name}: told where the workshop is`)
    await visible(page.getByRole('heading', { name: 'Karte schreiben' }), `${phone.name}: the workshop's composer`)
    await visible(page.locator('.topbar .status-online'), `${phone.name}: on the workshop's board`)
    await visible(page.locator('.topbar-board').getByText(workshop.title, { exact: true }), `${phone.name}: the workshop's board`)
    const text = cardText(phone.person, workshop.title.split(':')[0])
    await writeCard(phone, text)
    written[CHOICES[i]].push(text)
  }
  await screenshot(phones[2].page, 'event-phone-workshop')
  const w1Row = org.locator('tr', { has: org.getByRole('rowheader', { name: WORKSHOPS[0].title }) })
  await visible(w1Row.getByText('2 von 2'), 'workshop 1 full on the organiser page')

  // ------------------------------------------------ a workshop's own projector shows only its cards
  const w2 = created.boards[2]
  assert.equal(w2.title, WORKSHOPS[1].title)
  const moderateLink = await (await visible(org.getByRole('link', { name: `Moderation: ${w2.title}` }), 'the workshop\'s moderation link')).getAttribute('href')
  const presentLink = await (await visible(org.getByRole('link', { name: `Leinwand: ${w2.title}` }), 'the workshop\'s projector link')).getAttribute('href')
  assert.equal(moderateLink, w2.moderator_url)
  const workshopModerator = await openPage(browser, 'laptop', 'workshop 2 moderator', problems)
  await workshopModerator.page.goto(moderateLink)
  await visible(workshopModerator.page.locator('.topbar .status-online'), 'workshop 2 moderator connected')
  for (const text of written[1]) await visible(workshopModerator.page.getByText(text, { exact: true }), `"${text}" on workshop 2's wall`)
  await workshopModerator.page.getByRole('button', { name: 'Karten aufdecken' }).click()
  const workshopScreen = await openPage(browser, 'projector', 'workshop 2 projector', problems)
  await workshopScreen.page.goto(presentLink)
  for (const text of written[1]) await visible(workshopScreen.page.locator('[data-card]').getByText(text, { exact: true }), `"${text}" on workshop 2's projector`)
  await count(workshopScreen.page.locator('[data-card]'), written[1].length, 'workshop 2\'s projector: its cards only')
  for (const [index, texts] of written.entries()) {
    if (index === 1) continue
    for (const text of texts) assert.equal(await workshopScreen.page.getByText(text).count(), 0, `"${text}" (another workshop) is not on workshop 2's projector`)
  }
  await screenshot(workshopScreen.page, 'event-workshop-presenter')
  await workshopScreen.context.close()
  await workshopModerator.context.close()

  // ------------------------------------------------ the plenary projector shows all four workshops
  const projectorLink = await (await visible(org.getByRole('link', { name: 'Leinwand mit allen Workshops öffnen' }), 'the event projector link')).getAttribute('href')
  assert.equal(projectorLink, created.presenter_url)
  const plenaryScreen = await openPage(browser, 'projector', 'plenary projector', problems)
  const screen = plenaryScreen.page
  await screen.goto(projectorLink)
  const columns = screen.locator('.workshop-column')
  await count(columns, 4, 'four workshop columns')
  for (const [index, workshop] of WORKSHOPS.entries()) {
    const column = columns.nth(index)
    await visible(column.getByRole('heading', { name: workshop.title }), `${workshop.title} on the plenary projector`)
    const people = CHOICES.filter((choice) => choice === index).length
    await visible(column.getByText(`${workshop.location} · ${people} ${people === 1 ? 'Person' : 'Personen'}`), `${workshop.title}: ${people} there`)
    if (index === 1) {
      // Revealed above: the texts.
      for (const text of written[index]) await visible(column.getByText(text, { exact: true }), `"${text}" in its workshop's column`)
      await count(column.locator('[data-card]'), written[index].length, `${workshop.title}: its cards only`)
    } else {
      // Not revealed: the projector's viewer token receives no card text
      // (docs/schema.md, "Hidden cards"), only how many there are.
      const n = written[index].length
      if (n > 0) await visible(column.getByText(`${n} ${n === 1 ? 'Karte' : 'Karten'}, noch verdeckt`), `${workshop.title}: ${n} hidden cards`)
      for (const text of written[index]) assert.equal(await column.getByText(text).count(), 0, `"${text}" (not revealed) on the plenary projector`)
      await count(column.locator('[data-card]'), 0, `${workshop.title}: no card shown before the reveal`)
    }
  }
  const smallest = await screen.evaluate(() => {
    let min = Infinity
    const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.textContent.trim() === '' || !node.parentElement || node.parentElement.closest('.sr-only')) continue
      min = Math.min(min, parseFloat(getComputedStyle(node.parentElement).fontSize))
    }
    return min
  })
  assert.ok(smallest >= 18, `no text on the plenary projector under 18 px (smallest ${smallest} px)`)
  const scroll = await screen.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)
  assert.ok(scroll, 'the plenary projector does not scroll')
  await checkAxe('plenary projector', screen)
  await screenshot(screen, 'event-plenary-projector')
  // It is live: a card written now is counted in its column at once (its
  // text waits for that workshop's reveal).
  const late = cardText(phones[3].person, 'Nachtrag')
  await writeCard(phones[3], late)
  const before = written[CHOICES[3]].length
  await visible(columns.nth(CHOICES[3]).getByText(`${before + 1} ${before + 1 === 1 ? 'Karte' : 'Karten'}, noch verdeckt`), 'a new card appears on the plenary projector live')
  assert.equal(await columns.nth(CHOICES[3]).getByText(late).count(), 0, 'the new card\'s text is not on the plenary projector before the reveal')
  written[CHOICES[3]].push(late)
  await plenaryScreen.context.close()

  // ------------------------------------------------ the reflection: every phone lands in its group
  await org.getByRole('button', { name: 'Reflexion', exact: true }).click()
  await visible(org.getByRole('button', { name: 'Reflexion', pressed: true }), 'the reflection is the current part')
  const desk = await api(server, 'GET', `/api/events/${eventId}/desk`, undefined, { authorization: `Bearer ${created.organiser_token}` })
  assert.equal(desk.status, 200, desk.text)
  const groupOf = new Map(desk.json.participants.map((person) => [person.name, person.group]))
  const titleOf = new Map(created.boards.map((board) => [board.board, board.title]))
  for (const person of PEOPLE) assert.ok(groupOf.get(person.name), `${person.name} has a group`)
  const members = new Map()
  for (const person of PEOPLE) members.set(groupOf.get(person.name), [...(members.get(groupOf.get(person.name)) ?? []), person])
  assert.deepEqual([...members.values()].map((list) => list.length).sort(), [4, 4, 4], 'three groups of four')
  for (const list of members.values()) {
    assert.equal(new Set(list.map((person) => person.size)).size, 1, `one municipality size per group: ${list.map((p) => `${p.name} (${SIZES[p.size]})`).join(', ')}`)
  }
  for (const [i, phone] of phones.entries()) {
    const page = phone.page
    const group = titleOf.get(groupOf.get(phone.person.name))
    const location = boards.find((board) => board.title === group).location
    await visible(page.locator('.event-banner').getByText(`Bitte gehen Sie in Ihre Reflexionsgruppe: ${group} · ${location}`, { exact: true }), `${phone.name}: sent to ${group}`)
    await visible(page.locator('.topbar-board').getByText(group, { exact: true }), `${phone.name}: on ${group}'s board`)
    await visible(page.locator('.topbar .status-online'), `${phone.name}: connected to ${group}`)
    await visible(page.getByRole('heading', { name: 'Karte schreiben' }), `${phone.name}: the group's composer`)
    assert.equal(await page.evaluate(() => window.kartenwandMarker), 'joined', `${phone.name}: the page was not reloaded`)
    // The workshop's card is the workshop's: not on the group's board.
    await gone(page.locator('.card-list .card-text').getByText(cardText(phone.person, WORKSHOPS[CHOICES[i]].title.split(':')[0]), { exact: true }), `${phone.name}: the workshop's card stays in the workshop`)
  }
  await writeCard(phones[0], cardText(phones[0].person, 'Reflexion'))
  await checkAxe('phone (reflection group)', phones[0].page)
  await assertPhoneFits(phones[0].page, 'phone in its reflection group')
  await screenshot(phones[0].page, 'event-phone-reflection')

  // ------------------------------------------------ the venue Wi-Fi drops in the group
  // A phone writes offline and reloads: the group's board comes back from
  // the device (the last place is kept), the card is sent once online.
  const offline = phones[5]
  const offlineGroup = created.boards.find((board) => board.board === groupOf.get(offline.person.name))
  const offlineText = cardText(offline.person, 'Offline geschrieben')
  await waitFor(() => offline.page.evaluate(async () => (await navigator.serviceWorker.ready).active !== null), `${offline.name}: the service worker is active`)
  await offline.context.setOffline(true)
  await visible(offline.page.locator('.topbar .status-offline'), `${offline.name}: offline`)
  await writeCard(offline, offlineText)
  await visible(offline.page.locator('.composer [role=status]').getByText('Karte gespeichert.', { exact: true }), `${offline.name}: the offline card is saved on the phone`)
  const reloaded = await reloadOffline(offline.page)
  assert.ok(reloaded?.fromServiceWorker(), 'the offline reload was answered by the service worker')
  await visible(offline.page.locator('.topbar-board').getByText(offlineGroup.title, { exact: true }), `${offline.name}: still on ${offlineGroup.title} after an offline reload`)
  await visible(offline.page.locator('.card-list .card-text').getByText(offlineText, { exact: true }), `${offline.name}: the offline card survived the reload`)
  await backOnline(offline.page)
  await visible(offline.page.locator('.topbar .status-online'), `${offline.name}: back online`)
  const groupDoc = await connect(server, offlineGroup.board, offlineGroup.moderator_token, `${offlineGroup.title} (moderator)`)
  await waitFor(() => [...groupDoc.map('cards').values()].some((card) => card.get('text') === offlineText), `the offline card on ${offlineGroup.title}'s board on the server`)
  groupDoc.close()
  await offline.page.evaluate(() => { window.kartenwandMarker = 'joined' })

  // ------------------------------------------------ the end: the results to download
  await org.getByRole('button', { name: 'Beendet', exact: true }).click()
  await visible(org.getByRole('button', { name: 'Beendet', pressed: true }), 'the event has ended')
  for (const phone of phones) {
    await visible(phone.page.locator('.event-banner').getByText('Die Veranstaltung ist beendet. Danke fürs Mitmachen!'), `${phone.name}: told the event has ended`)
    assert.equal(await phone.page.evaluate(() => window.kartenwandMarker), 'joined', `${phone.name}: still not reloaded`)
  }
  const [results] = await Promise.all([
    phones[1].page.waitForEvent('download'),
    phones[1].page.getByRole('button', { name: 'Ergebnisse als Markdown' }).tap()
  ])
  assert.equal(await results.failure(), null, 'a participant downloads the results')
  const markdown = await readFile(await results.path(), 'utf8')
  assert.ok(markdown.includes('Kommunen im Dialog: Kooperation'), 'the results name the event')
  assert.ok(markdown.includes(written[0][0]), 'the results hold a workshop\'s cards')
  const [documentation] = await Promise.all([
    org.waitForEvent('download'),
    org.getByRole('group', { name: 'Herunterladen als' }).getByRole('button', { name: 'PDF' }).click()
  ])
  assert.equal(await documentation.failure(), null, 'the organiser downloads the event\'s PDF')
  assert.equal((await readFile(await documentation.path())).subarray(0, 5).toString(), '%PDF-', 'a PDF')
  await checkAxe('phone (event ended)', phones[1].page)
  await assertPhoneFits(phones[1].page, 'phone after the event')

  for (const phone of phones) await phone.context.close()
  await waitFor(async () => problems.length === 0, () => `no page errors: ${problems.join('; ')}`, 1000)
  assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
})

test('An event on the organiser\'s desk: listed, opened again with a new organiser link; the join form in English', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { axeFindings, checkAxe } = axeCollector()
  await run(BIN, ['organiser', 'add', '--data-dir', server.dataDir, '--email', 'koordination@kassel.example', '--name', 'Koordination Kassel'], {
    env: { ...process.env, KARTENWAND_ORGANISER_PASSWORD: ORGANISER_PASSWORD }
  })
  const organiser = await openPage(browser, 'laptop', 'organiser', problems)
  const org = organiser.page
  await org.goto(server.url + '/organiser')
  await org.getByLabel('E-Mail').fill('koordination@kassel.example')
  await org.getByLabel('Passwort').fill(ORGANISER_PASSWORD)
  await org.getByRole('button', { name: 'Anmelden' }).click()
  await visible(org.getByText('Noch keine Veranstaltung mit mehreren Workshops.'), 'the desk without events')

  // A small event, made on the desk: a plenary and two workshops, the Kassel attribute.
  await org.getByRole('button', { name: 'Veranstaltung anlegen' }).click()
  const form = await visible(org.locator('form.event-create'), 'the event form on the desk')
  await form.getByLabel('Titel der Veranstaltung').fill('Fachtag Integration')
  await form.getByRole('button', { name: 'Bereich hinzufügen' }).click()
  const rows = form.locator('fieldset.board-row')
  await rows.nth(1).getByLabel('Titel', { exact: true }).fill('Workshop A')
  await rows.nth(2).getByLabel('Titel', { exact: true }).fill('Workshop B')
  // An empty programme item and an unnamed board title are named as problems first.
  await rows.nth(2).getByLabel('Titel', { exact: true }).fill('')
  await rows.nth(2).getByLabel('Ort', { exact: true }).fill('Raum 7')
  await form.getByRole('button', { name: 'Veranstaltung anlegen' }).click()
  await visible(form.getByRole('alert').getByText('Bereich 3 braucht einen Titel.'), 'a board without a title is named')
  await rows.nth(2).getByLabel('Titel', { exact: true }).fill('Workshop B')
  await form.getByRole('button', { name: 'Gemeindegröße (Kassel)' }).click()
  await form.getByRole('button', { name: 'Veranstaltung anlegen' }).click()
  await org.waitForURL(/\/e\/[0-9a-f]+\/organise$/)
  const eventId = /\/e\/([0-9a-f]+)\//.exec(org.url())[1]
  await visible(org.getByRole('button', { name: 'Plenum', pressed: true }), 'the event page')
  const joinUrl = await (await visible(org.locator('section.event-join a[href*="/join/"]'), 'the join link')).getAttribute('href')

  // Back on the desk: the event is listed and opens with the token this browser keeps.
  await org.goto(server.url + '/organiser')
  const listed = org.locator('article', { has: org.getByRole('heading', { name: 'Fachtag Integration' }) })
  await visible(listed, 'the event on the desk')
  await checkAxe('organiser desk (with an event)', org)
  await listed.getByRole('link', { name: 'Veranstaltung öffnen' }).click()
  await visible(org.getByRole('heading', { name: 'Teilnehmen: ein Code für die ganze Veranstaltung' }), 'the event page opened from the desk')

  // Another device needs a new link; the old token stops working.
  await org.goto(server.url + '/organiser')
  const oldToken = await org.evaluate((event) => JSON.parse(localStorage.getItem(`kartenwand.event-organiser-token.${event}`)), eventId)
  await confirming(org, 'Organisationslink', () => listed.getByRole('button', { name: 'Neuen Organisationslink erzeugen' }).click())
  const newLink = await (await visible(listed.getByRole('status').getByRole('link'), 'the new organiser link')).getAttribute('href')
  assert.match(newLink, new RegExp(`/e/${eventId}/organise#token=kwo_[0-9a-f]{64}$`))
  const old = await api(server, 'GET', `/api/events/${eventId}/desk`, undefined, { authorization: `Bearer ${oldToken}` })
  assert.equal(old.status, 403, 'the old organiser token is refused')
  const laptop = await openPage(browser, 'laptop', 'second laptop', problems)
  await laptop.page.goto(newLink)
  await visible(laptop.page.getByRole('button', { name: 'Plenum', pressed: true }), 'the new link opens the event page on another laptop')
  await laptop.context.close()

  // A phone in English: the event's attribute in English, from the event.
  const phone = await openPage(browser, 'phone', 'phone (English)', problems)
  await phone.page.goto(joinUrl)
  await phone.page.getByRole('button', { name: 'Switch to English' }).tap()
  await visible(phone.page.getByRole('heading', { name: 'Join', exact: true }), 'the join form in English')
  await phone.page.getByLabel('Name', { exact: true }).fill('Lena Nzume')
  await phone.page.getByLabel('Sector').selectOption('behoerde')
  await phone.page.getByRole('button', { name: 'Join', exact: true }).tap()
  await visible(phone.page.getByRole('alert').getByText('Please also give: Municipality size.'), 'the missing attribute is named')
  await phone.page.getByLabel('Municipality size').selectOption({ label: 'Large city' })
  await checkAxe('phone (event join form, English)', phone.page)
  await phone.page.getByRole('button', { name: 'Join', exact: true }).tap()
  await visible(phone.page.locator('.event-banner').getByText('Plenum', { exact: true }), 'the English phone in the plenary (its title is the event\'s)')
  // A returning phone goes straight to the event.
  await phone.page.goto(joinUrl)
  await phone.page.waitForURL(new RegExp(`/e/${eventId}$`))
  await visible(phone.page.locator('.topbar .status-online'), 'back on the plenary board')
  await phone.context.close()

  await waitFor(async () => problems.length === 0, () => `no page errors: ${problems.join('; ')}`, 1000)
  assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
})

// ---------------------------------------------------------------- steps

/**
 * A phone's page fits 360 px: nothing scrolls sideways, and every tap
 * target is at least 44 px (the rule of room.test.mjs's phoneProblems;
 * links inside running text are exempt, as in WCAG 2.5.8).
 */
async function assertPhoneFits (page, what) {
  const found = await page.evaluate(() => {
    const wide = document.documentElement.scrollWidth > window.innerWidth
    const small = [...document.querySelectorAll('button, input, select, textarea, summary, a[href], [role="button"]')]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('.sr-only, p, li.inline'))
      .filter((el) => el.type !== 'checkbox' && el.type !== 'radio')
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ el, box }) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`)
    return { wide: wide ? document.documentElement.scrollWidth : 0, small }
  })
  assert.equal(found.wide, 0, `${what}: the page scrolls sideways (${found.wide} px)`)
  assert.deepEqual(found.small, [], `${what}: tap targets under 44 px`)
}

/** The button that chooses a workshop, by the workshop's title. */
function chooseButton (page, title) {
  return page.getByRole('button', { name: `„${title}“ wählen`, exact: true })
}

/** Types a card and sends it with the keyboard's send key; waits until it is listed as the phone's own. */
async function writeCard (phone, text) {
  const page = phone.page
  await page.getByRole('radio', { name: 'Situation', exact: true }).check()
  const field = page.getByLabel('Text der Karte')
  await field.fill(text)
  await field.press('Enter')
  await waitFor(async () => (await field.inputValue()) === '', `${phone.name}: composer cleared after sending "${text}"`)
  await visible(page.locator('.card-list .card-text').getByText(text, { exact: true }), `${phone.name}: own card "${text}"`)
}

/**
 * The link in a QR code on the page, read with zbarimg from a screenshot of
 * the code (Debian's zbar-tools, as the registration test does); null when
 * zbarimg is not installed.
 */
async function decodeQr (locator) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'kartenwand-qr-'))
  try {
    const file = path.join(work, 'qr.png')
    await locator.screenshot({ path: file })
    const { stdout } = await run('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file])
    return stdout.trim()
  } catch (error) {
    if (error.code === 'ENOENT') return null
    throw error
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
