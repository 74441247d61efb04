// Browser E2E: a whole Block 1 of a Stadtteilkonferenz against the real
// binary, in Debian's Chromium. One moderator (laptop), one presenter
// (projector), three phones, each in its own browser context (separate
// storage, like separate devices):
//
//   create the conference on the start page → phones join by the join link
//   (name, organisation, sector, consent choice) → mixed small group →
//   situation / need / offer cards, sent with the Enter key → hidden until
//   the moderator reveals them → clusters → cards clustered by mouse drag
//   and by keyboard → an offer linked to a need cluster → dot voting with a
//   budget → the result on the projector → a phone goes offline, writes a
//   card, reloads (the service worker serves the app), comes back, and the
//   card reaches the projector.
//
// Along the way: axe-core on every view (no serious or critical
// violations), card text rendered as text (no markup injection), and a
// screenshot of each view in tests/e2e/artifacts/.
//
// Run: cd tests/e2e && npm ci && npm test   (binary: $KARTENWAND_BIN or
// <repo>/target/debug/kartenwand; KARTENWAND_TEST_LOG=1 shows server and
// browser logs).

import { test } from 'node:test'
import assert from 'node:assert/strict'

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

const TEST_TIMEOUT_MS = 180_000
const MARKUP = '<img src=x onerror=alert(1)>'

/** The three phones: who they are, what they write. */
const PEOPLE = [
  {
    name: 'Aylin Demir',
    organisation: 'Kita Sonnenschein',
    sector: 'stadtteil',
    contact: { email: 'aylin@example.de', consent: true },
    cards: [
      { kind: 'Situation', text: 'Viele Familien warten seit Monaten auf einen Kitaplatz.' },
      { kind: 'Bedarf', text: 'Kinderbetreuung während der Sprachkurse' }
    ]
  },
  {
    name: 'Jonas Weber',
    organisation: 'Jobcenter Cottbus',
    sector: 'behoerde',
    contact: { phone: '0355 123456', consent: false },
    cards: [
      { kind: 'Bedarf', text: 'Mehr Kitaplätze für Eltern in Maßnahmen' },
      { kind: 'Angebot', text: 'Sprachkurs mit Kinderbetreuung im Bürgerhaus' }
    ]
  },
  {
    name: 'Mira Schulz',
    organisation: 'Wohnungsgesellschaft Sandow',
    sector: 'wirtschaft',
    contact: null,
    cards: [
      { kind: 'Bedarf', text: 'Bezahlbare große Wohnungen für Familien' },
      { kind: 'Bedarf', text: MARKUP }
    ]
  }
]

const BUDGET = 2
const KITA = 'Kinderbetreuung'
const WOHNEN = 'Wohnen'

test('Block 1 with a moderator, a projector and three phones', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = [] // uncaught page errors and dialogs, from every page
  const { server, browser } = await startServerAndBrowser(t)

  const { axeFindings, checkAxe } = axeCollector()

  // ------------------------------------------------ start page → moderator
  const moderator = await openPage(browser, 'desktop', 'moderator', problems)
  const mod = moderator.page
  await mod.goto(server.url + '/')
  await visible(mod.getByRole('heading', { name: 'Neue Konferenz anlegen' }), 'start page heading')
  await checkAxe('start', mod)
  await screenshot(mod, 'start')

  await mod.getByLabel('Titel').fill('Stadtteilkonferenz Sandow')
  await mod.getByLabel('Stadtteil').fill('Sandow')
  await mod.getByLabel('Datum').fill('2026-03-04')
  await mod.getByRole('button', { name: 'Konferenz anlegen' }).click()
  await mod.waitForURL(/\/b\/[0-9a-f]+\/moderate#token=/, { timeout: 15_000 })
  await visible(mod.getByRole('heading', { name: 'Stadtteilkonferenz Sandow · Sandow · 4. März 2026' }), 'title, district and date in the moderator view')
  const board = /\/b\/([0-9a-f]+)\//.exec(mod.url())[1]
  await visible(mod.locator('.topbar .status-online'), 'moderator connected')
  const joinLink = await visible(mod.locator('a[href*="/join/"]'), 'join link on the moderator view')
  const joinUrl = await joinLink.getAttribute('href')
  const code = /\/join\/([A-Z0-9]+)$/.exec(joinUrl)?.[1]
  assert.ok(code, `join URL ends with a code: ${joinUrl}`)
  // Shown in groups of four, as people read it aloud.
  const grouped = code.match(/.{1,4}/g).join(' ')
  await visible(mod.getByText(`Code: ${grouped}`), 'join code on the moderator view')
  await visible(mod.locator('svg.qr'), 'QR code on the moderator view')
  const presenterUrl = await mod.getByRole('link', { name: 'Leinwand-Ansicht öffnen' }).getAttribute('href')
  assert.match(presenterUrl, new RegExp(`/b/${board}/present#token=`))

  // ------------------------------------------------ presenter (projector)
  const presenter = await openPage(browser, 'projector', 'presenter', problems)
  const screen = presenter.page
  await screen.goto(presenterUrl)
  await visible(screen.locator('.join-screen').getByText(grouped, { exact: true }), 'join code on the projector')
  await visible(screen.getByRole('heading', { name: 'Stadtteilkonferenz Sandow' }), 'conference title on the projector')
  await checkAxe('presenter (join screen)', screen)

  // ------------------------------------------------ phones join
  const phones = []
  for (const [index, person] of PEOPLE.entries()) {
    const phone = await openPage(browser, 'phone', `phone ${index + 1}`, problems)
    phones.push({ ...phone, person })
    const page = phone.page
    await page.goto(joinUrl)
    await visible(page.getByRole('heading', { name: 'Mitmachen' }), `${phone.name}: join form`)
    await fillJoinForm(page, person)
    if (person.contact?.email) await page.getByLabel('E-Mail').fill(person.contact.email)
    if (person.contact?.phone) await page.getByLabel('Telefon').fill(person.contact.phone)
    const consent = page.getByRole('checkbox', { name: /Kontaktdaten dürfen/ })
    if (person.contact?.consent) await consent.check()
    assert.equal(await consent.isChecked(), Boolean(person.contact?.consent), `${phone.name}: consent choice`)
    if (index === 0) {
      await checkAxe('participant (join form)', page)
      await screenshot(page, 'participant-join')
    }
    await page.getByRole('button', { name: 'Beitreten' }).tap()
    await visible(page.getByRole('heading', { name: 'Karte schreiben' }), `${phone.name}: composer after joining`)
    await visible(page.locator('.topbar .status-online'), `${phone.name}: online`)
    await visible(page.getByText('Sie sind noch keiner Gruppe zugeordnet.'), `${phone.name}: no group yet`)
  }
  await visible(mod.getByText(`${PEOPLE.length} Teilnehmende`), 'moderator sees every participant live')
  await visible(screen.getByText(`${PEOPLE.length} Teilnehmende`), 'projector counts the participants live')

  // ------------------------------------------------ small groups
  await mod.getByRole('button', { name: 'Gemischte Gruppen bilden' }).click()
  for (const phone of phones) {
    await visible(phone.page.getByText('Ihre Gruppe: Gruppe 1'), `${phone.name}: put into a group`)
    const others = PEOPLE.filter((p) => p !== phone.person).map((p) => p.name)
    for (const other of others) {
      await visible(phone.page.locator('.group-info').getByText(other, { exact: false }), `${phone.name}: sees group member ${other}`)
    }
  }
  await mod.getByRole('button', { name: 'Gruppen auf Leinwand' }).click()
  await visible(screen.getByRole('heading', { name: 'Kleingruppen' }), 'projector shows the groups')
  for (const person of PEOPLE) {
    await visible(screen.locator('.group-grid').getByText(person.name), `projector lists ${person.name} in a group`)
  }
  await mod.getByRole('button', { name: 'Übersicht auf Leinwand' }).click()
  await visible(screen.locator('.join-screen'), 'projector back on the overview (join screen while hidden)')

  // ------------------------------------------------ cards, sent with Enter
  for (const phone of phones) {
    for (const [n, card] of phone.person.cards.entries()) {
      await writeCard(phone, card)
      await visible(phone.page.getByRole('heading', { name: `Ihre Karten (${n + 1})` }), `${phone.name}: own card count ${n + 1}`)
    }
  }
  const allCards = PEOPLE.flatMap((p) => p.cards)
  for (const card of allCards) {
    await visible(wallCard(mod, card.text), `moderator sees "${card.text}" live`)
  }
  await count(mod.locator('.wall [data-card-id]'), allCards.length, 'cards on the moderator wall')
  await visible(mod.locator('.hidden-tag'), 'cards marked hidden before the reveal')
  // Hidden on the projector: it has every card (it counts them) but shows no text.
  let projectorText = ''
  await waitFor(async () => {
    projectorText = await screen.locator('.join-screen').innerText()
    return projectorText.includes(`${allCards.length} Karten geschrieben`)
  }, () => `the projector to count ${allCards.length} cards (it shows: ${projectorText})`)
  await visible(screen.getByText('Die Karten werden gleich aufgedeckt.'), 'projector waits for the reveal')
  assert.equal(await screen.locator('.card-text').count(), 0, 'no card on the projector before the reveal')
  for (const card of allCards) {
    assert.equal(await screen.getByText(card.text, { exact: false }).count(), 0, `projector shows nothing of "${card.text}" before the reveal`)
  }

  // A participant edits their own card; everyone sees the new text.
  const aylin = phones[0]
  const edited = 'Viele Familien warten seit Monaten auf einen Kitaplatz im Stadtteil.'
  const ownCard = aylin.page.locator('.card-list li', { hasText: PEOPLE[0].cards[0].text })
  await ownCard.getByRole('button', { name: 'Bearbeiten' }).tap()
  const editor = aylin.page.getByLabel('Karte bearbeiten')
  await editor.fill(edited)
  await editor.press('Enter')
  await visible(aylin.page.locator('.card-list .card-text', { hasText: edited }), 'edited card on the phone')
  await visible(wallCard(mod, edited), 'moderator sees the edit live')
  PEOPLE[0].cards[0].text = edited

  // ------------------------------------------------ reveal
  await mod.getByRole('button', { name: 'Karten aufdecken' }).click()
  await visible(mod.getByText('Karten sind für alle sichtbar'), 'moderator: revealed')
  await gone(mod.locator('.hidden-tag'), 'hidden marks after the reveal')
  for (const card of allCards) {
    await visible(screen.locator('.card-text').getByText(card.text, { exact: true }), `projector shows "${card.text}" after the reveal`)
  }
  for (const phone of phones) {
    await visible(phone.page.getByText('Alle Karten'), `${phone.name}: all cards after the reveal`)
  }

  // Card text is text: the markup shows literally and creates no element.
  await visible(screen.locator('.card-text').getByText(MARKUP, { exact: true }), 'markup card shown literally on the projector')
  await visible(wallCard(mod, MARKUP), 'markup card shown literally on the moderator wall')
  await visible(phones[2].page.locator('.card-list .card-text').getByText(MARKUP, { exact: true }), 'markup card shown literally on the phone')
  for (const { name, page } of [moderator, presenter, ...phones]) {
    assert.equal(await page.locator('img').count(), 0, `${name}: card text created no <img>`)
  }
  assert.deepEqual(problems, [], 'no dialogs or page errors after rendering markup')

  // ------------------------------------------------ clusters
  for (const title of [KITA, WOHNEN]) {
    await mod.getByLabel('Name des neuen Clusters').fill(title)
    await mod.getByRole('button', { name: 'Cluster anlegen' }).click()
    await visible(zone(mod, title), `cluster "${title}" on the moderator wall`)
    await visible(screen.getByRole('heading', { name: title }), `cluster "${title}" on the projector`)
  }

  // Mouse: real press, moves and release, from the unsorted wall to a cluster.
  await mouseDrag(mod, PEOPLE[0].cards[1].text, KITA)
  await visible(zone(mod, KITA).locator('.card-text').getByText(PEOPLE[0].cards[1].text, { exact: true }),
    'card dragged into the cluster with the mouse')
  await visible(screenCluster(screen, KITA).getByText(PEOPLE[0].cards[1].text, { exact: true }),
    'projector shows the mouse-clustered card in its cluster')
  // Grouping can be undone and redone (Ctrl+Z / Ctrl+Shift+Z work too).
  await mod.getByRole('button', { name: 'Rückgängig' }).click()
  await visible(zone(mod, 'Noch nicht zugeordnet').locator('.card-text').getByText(PEOPLE[0].cards[1].text, { exact: true }),
    'undo puts the card back on the unsorted wall')
  await visible(screen.locator('section.unsorted').getByText(PEOPLE[0].cards[1].text, { exact: true }), 'projector follows the undo')
  await mod.getByRole('button', { name: 'Wiederholen' }).click()
  await visible(zone(mod, KITA).locator('.card-text').getByText(PEOPLE[0].cards[1].text, { exact: true }), 'redo clusters it again')
  await visible(screenCluster(screen, KITA).getByText(PEOPLE[0].cards[1].text, { exact: true }), 'projector follows the redo')

  // Keyboard: focus the handle, Space, arrows to the cluster, Space.
  await keyboardDrag(mod, PEOPLE[1].cards[0].text, KITA)
  await visible(zone(mod, KITA).locator('.card-text').getByText(PEOPLE[1].cards[0].text, { exact: true }),
    'card moved into the cluster with the keyboard')
  await keyboardDrag(mod, PEOPLE[2].cards[0].text, WOHNEN)
  await visible(zone(mod, WOHNEN).locator('.card-text').getByText(PEOPLE[2].cards[0].text, { exact: true }),
    'second card moved with the keyboard')
  await visible(screenCluster(screen, WOHNEN).getByText(PEOPLE[2].cards[0].text, { exact: true }),
    'projector shows the keyboard-clustered card')

  // Touch: a second moderator on a tablet drags a card by its handle with a finger.
  const tablet = await openPage(browser, 'tablet', 'moderator tablet', problems)
  await tablet.page.goto(mod.url())
  await visible(tablet.page.locator('.topbar .status-online'), 'tablet moderator connected')
  await touchDrag(tablet.page, PEOPLE[0].cards[0].text, KITA)
  await visible(zone(tablet.page, KITA).locator('.card-text').getByText(PEOPLE[0].cards[0].text, { exact: true }),
    'card dragged into the cluster by touch')
  await visible(zone(mod, KITA).locator('.card-text').getByText(PEOPLE[0].cards[0].text, { exact: true }),
    'the laptop moderator sees the touch-clustered card')
  await visible(screenCluster(screen, KITA).getByText(PEOPLE[0].cards[0].text, { exact: true }),
    'projector shows the touch-clustered card')
  await tablet.context.close()

  // District-specific or overarching, shown on the projector.
  await zone(mod, KITA).getByLabel('Bezug').selectOption('overarching')
  await visible(screenCluster(screen, KITA).getByText('übergeordnet', { exact: true }), 'projector shows the cluster scope')

  // Which sectors share the need.
  const kitaSectors = zone(mod, KITA).locator('.cluster-meta')
  await visible(kitaSectors.getByText('Stadtteil'), 'cluster shows the sector Stadtteil')
  await visible(kitaSectors.getByText('Behörde'), 'cluster shows the sector Behörde')

  // Link the offer card to the need cluster.
  const offer = PEOPLE[1].cards[1].text
  await wallCard(mod, offer).getByLabel('Angebot verknüpfen mit …').selectOption({ label: KITA })
  await visible(wallCard(mod, offer).getByRole('button', { name: `Verknüpfung mit ${KITA} lösen` }), 'offer link chip')
  await visible(zone(mod, KITA).locator('.offers').getByText(offer), 'moderator: offer listed under the cluster')
  await visible(screenCluster(screen, KITA).locator('.offers').getByText(offer, { exact: true }), 'projector: offer under the need cluster')
  await phones[1].page.getByText('Alle Karten').tap()
  await visible(phones[1].page.locator('details').getByRole('heading', { name: KITA }), 'phone sees the clusters')
  await visible(phones[1].page.locator('details').getByText(PEOPLE[0].cards[1].text), 'phone sees the clustered cards')

  await checkAxe('moderator', mod)
  await screenshot(mod, 'moderator')
  await checkAxe('presenter (overview)', screen)
  await screenshot(screen, 'presenter')

  // ------------------------------------------------ dot voting
  await mod.getByLabel('Punkte pro Person').fill(String(BUDGET))
  await mod.getByRole('button', { name: 'Abstimmung starten' }).click()
  await visible(mod.getByText('Abstimmung läuft'), 'moderator: voting open')
  for (const phone of phones) {
    await visible(phone.page.getByText(`Sie haben noch ${BUDGET} von ${BUDGET} Punkten.`), `${phone.name}: budget shown`)
  }
  await vote(phones[0], [KITA, KITA])
  await vote(phones[1], [KITA, WOHNEN])
  await vote(phones[2], [KITA])
  await visible(phones[0].page.getByText(`Sie haben noch 0 von ${BUDGET} Punkten.`), 'phone 1: budget used up')
  assert.ok(await phones[0].page.getByRole('button', { name: `Punkt für ${WOHNEN} geben` }).isDisabled(),
    'phone 1: no vote beyond the budget')
  await visible(phones[2].page.getByText(`Sie haben noch 1 von ${BUDGET} Punkten.`), 'phone 3: one point left')
  await checkAxe('participant (board, voting)', phones[2].page)
  await screenshot(phones[2].page, 'participant')

  await visible(zone(mod, KITA).locator('.votes-badge').getByText('4 Punkte', { exact: true }), 'moderator: votes of the first cluster')
  await visible(zone(mod, WOHNEN).locator('.votes-badge').getByText('1 Punkt', { exact: true }), 'moderator: votes of the second cluster')
  await mod.getByRole('button', { name: 'Ergebnis auf Leinwand' }).click()
  await visible(screen.getByRole('heading', { name: 'Ergebnis der Abstimmung' }), 'projector shows the result')
  const ranking = screen.locator('ol.ranking > li')
  await count(ranking, 2, 'clusters in the ranking')
  await visible(ranking.nth(0).getByText(KITA), 'winner first in the ranking')
  await visible(ranking.nth(0).getByText('4 Punkte', { exact: true }), 'winner has 4 points')
  await visible(ranking.nth(1).getByText('1 Punkt', { exact: true }), 'second cluster has 1 point')
  await checkAxe('presenter (result)', screen)
  await screenshot(screen, 'presenter-result')
  await mod.getByRole('button', { name: 'Übersicht auf Leinwand' }).click()
  await visible(screenCluster(screen, KITA), 'projector back on the overview')

  // ------------------------------------------------ offline phone
  const mira = phones[2]
  const offlineText = 'Offline geschrieben: Hausaufgabenhilfe im Quartier fehlt'
  await waitFor(() => mira.page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready
    return registration.active !== null
  }), 'the service worker to be active on phone 3')
  await mira.context.setOffline(true)
  await visible(mira.page.locator('.topbar .status-offline'), 'phone 3 shows that it is offline')
  const stored = await storedUpdates(mira.page, board)
  await writeCard(mira, { kind: 'Bedarf', text: offlineText })
  await visible(mira.page.locator('.card-list .card-text').getByText(offlineText, { exact: true }), 'offline card in the own list')
  // The phone says "saved" only once IndexedDB holds the card: no polling here.
  await visible(mira.page.locator('.composer [role=status]').getByText('Karte gespeichert.', { exact: true }), 'phone 3 says the offline card is saved')
  assert.ok((await storedUpdates(mira.page, board)) > stored, 'the card is in IndexedDB when the phone says it is saved')

  const reloaded = await reloadOffline(mira.page)
  assert.ok(reloaded?.fromServiceWorker(), 'the offline reload was answered by the service worker')
  await visible(mira.page.getByRole('heading', { name: 'Karte schreiben' }), 'phone 3: app loaded offline after the reload')
  await visible(mira.page.locator('.card-list .card-text').getByText(offlineText, { exact: true }), 'offline card survived the reload')
  await visible(mira.page.locator('.topbar .status-offline'), 'phone 3 still offline after the reload')
  assert.equal(await screen.getByText(offlineText).count(), 0, 'offline card not on the projector while the phone is offline')

  await backOnline(mira.page)
  await visible(mira.page.locator('.topbar .status-online'), 'phone 3 back online')
  await visible(screen.locator('.card-text').getByText(offlineText, { exact: true }), 'offline card reached the projector')
  await visible(wallCard(mod, offlineText), 'offline card reached the moderator')

  // ------------------------------------------------ a refused card is never lost
  // Mira writes offline while the moderator closes writing: the server
  // refuses the card when she is back, and her phone keeps its text.
  const lateText = 'Nach Schluss geschrieben: Ferienangebote für Jugendliche'
  await mira.context.setOffline(true)
  await visible(mira.page.locator('.topbar .status-offline'), 'phone 3 offline again')
  await mod.locator('section[aria-labelledby=run-heading]').getByRole('button', { name: 'Schreiben schließen' }).click()
  await visible(phones[0].page.getByText('Das Schreiben ist gerade geschlossen.'), 'the server has closed writing (phone 1 sees it)')
  await writeCard(mira, { kind: 'Bedarf', text: lateText })
  await backOnline(mira.page)
  const returned = mira.page.locator('section.returned')
  await visible(returned.getByText(lateText, { exact: true }), 'phone 3 keeps the text of the refused card')
  await visible(mira.page.getByText('Das Schreiben ist gerade geschlossen: Ihre Karte wurde nicht angenommen.'), 'phone 3 says why, in plain German')
  await gone(mira.page.locator('section[aria-labelledby=mine-heading] .card-text').getByText(lateText, { exact: true }), 'the refused card left the own list')
  await checkAxe('participant (refused card)', mira.page)
  await screenshot(mira.page, 'participant-returned-card')
  await mira.page.reload()
  await visible(returned.getByText(lateText, { exact: true }), 'the refused text survives a reload')
  await mod.locator('section[aria-labelledby=run-heading]').getByRole('button', { name: 'Schreiben öffnen' }).click()
  await mira.page.getByRole('button', { name: 'Noch einmal schreiben' }).tap()
  const composer = mira.page.getByLabel('Text der Karte')
  await waitFor(async () => (await composer.inputValue()) === lateText, 'the refused text back in the composer')
  await gone(returned, 'the returned list is empty once the text is written again')
  await composer.press('Enter')
  await visible(wallCard(mod, lateText), 'the card written again reaches the moderator')
  await count(wallCard(mod, lateText), 1, 'the card once on the wall')

  // ------------------------------------------------ contact list only with consent
  const moderatorToken = decodeURIComponent(new URL(mod.url()).hash.replace(/^#token=/, ''))
  const report = await fetch(`${server.url}/api/boards/${board}/export.md`, { headers: { Authorization: `Bearer ${moderatorToken}` } })
  assert.equal(report.status, 200, 'the moderator downloads the report')
  const markdown = await report.text()
  assert.ok(markdown.includes('aylin@example.de'), 'Aylin consented: her e-mail is in the contact list')
  assert.ok(!markdown.includes('0355 123456'), 'Jonas did not consent: his phone number is nowhere in the report')

  // ------------------------------------------------ the moderator manages access
  const jonas = phones[1]
  await mod.getByText('Zugang verwalten').click()
  await confirming(mod, 'neuen Beitrittscode', () => mod.getByRole('button', { name: 'Neuen Beitrittscode erzeugen' }).click())
  const newCode = await waitFor(async () => {
    const shown = /Code: ([A-Z0-9 ]+)/.exec(await mod.locator('.join-code').innerText())?.[1]?.replace(/ /g, '')
    return shown && shown !== code ? shown : null
  }, 'a new join code on the moderator view')
  const oldLookup = await fetch(`${server.url}/api/codes/${code}`)
  assert.equal(oldLookup.status, 404, 'the old join code no longer works')
  const newLookup = await fetch(`${server.url}/api/codes/${newCode}`)
  assert.equal(newLookup.status, 200, 'the new join code works')
  await mod.getByRole('button', { name: 'Jonas Weber löschen' }).click()
  await mod.getByLabel('Karten und Vorschläge ohne Namen behalten').check()
  await mod.getByRole('button', { name: 'Endgültig löschen' }).click()
  await visible(jonas.page.getByRole('heading', { name: 'Ihre Daten sind gelöscht' }), 'the erased phone is told, in words')
  await gone(mod.locator('.member-list').getByText('Jonas Weber'), 'the removed participant left the moderator list')
  await visible(wallCard(mod, PEOPLE[1].cards[0].text), 'the erased participant\'s cards stay without his name')

  assert.deepEqual(problems, [], 'no uncaught page errors or dialogs in any view')
  assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
})

// ---------------------------------------------------------------- steps

/** Picks the kind, types the text and sends it with the Enter key. */
async function writeCard (phone, { kind, text }) {
  const page = phone.page
  await page.getByRole('radio', { name: kind, exact: true }).check()
  const field = page.getByLabel('Text der Karte')
  await field.fill(text)
  await field.press('Enter')
  await waitFor(async () => (await field.inputValue()) === '', `${phone.name}: composer cleared after sending "${text}"`)
  await visible(page.locator('.card-list .card-text').getByText(text, { exact: true }), `${phone.name}: own card "${text}"`)
}

async function vote (phone, clusters) {
  for (const cluster of clusters) {
    await phone.page.getByRole('button', { name: `Punkt für ${cluster} geben` }).tap()
  }
  const left = BUDGET - clusters.length
  await visible(phone.page.getByText(`Sie haben noch ${left} von ${BUDGET} Punkten.`), `${phone.name}: ${clusters.length} point(s) given`)
}

/** A card on the moderator's wall, by its exact text. */
function wallCard (page, text) {
  return page.locator('.wall [data-card-id]', { has: page.locator('.card-text').getByText(text, { exact: true }) })
}

/** A drop zone on the moderator's wall, by its label (cluster title). */
function zone (page, label) {
  return page.locator(`.wall [data-drop][data-drop-label="${label}"]`)
}

function screenCluster (page, title) {
  return page.locator('section.cluster', { has: page.getByRole('heading', { name: title, exact: true }) })
}

/** Presses the mouse on the card's text, moves in steps to the zone and releases. */
async function mouseDrag (page, text, target) {
  const card = wallCard(page, text)
  const drop = zone(page, target)
  await drop.scrollIntoViewIfNeeded()
  await card.scrollIntoViewIfNeeded()
  const from = await card.locator('.card-text').boundingBox()
  const to = await drop.boundingBox()
  assert.ok(from && to, 'card and drop zone have boxes')
  const start = { x: from.x + from.width / 2, y: from.y + from.height / 2 }
  const end = { x: to.x + to.width / 2, y: to.y + Math.min(to.height / 2, 60) }
  await page.mouse.move(start.x, start.y)
  await page.mouse.down()
  await page.mouse.move(start.x + 12, start.y + 8, { steps: 3 })
  await visible(page.locator('.drag-ghost'), 'drag ghost follows the mouse')
  await page.mouse.move(end.x, end.y, { steps: 12 })
  await waitFor(() => drop.evaluate((el) => el.hasAttribute('data-drop-active')), `drop zone "${target}" highlighted under the mouse`)
  await page.mouse.up()
  await gone(page.locator('.drag-ghost'), 'drag ghost after the drop')
}

/**
 * A finger on the card's drag handle, moved in steps to the zone and lifted:
 * real touch input through the DevTools protocol (the page gets pointer
 * events of type "touch", as on a tablet).
 */
async function touchDrag (page, text, target) {
  const handle = wallCard(page, text).locator('[data-drag-handle]')
  const drop = zone(page, target)
  await drop.scrollIntoViewIfNeeded()
  await handle.scrollIntoViewIfNeeded()
  const from = await handle.boundingBox()
  const to = await drop.boundingBox()
  assert.ok(from && to, 'handle and drop zone have boxes')
  const start = { x: from.x + from.width / 2, y: from.y + from.height / 2 }
  const end = { x: to.x + to.width / 2, y: to.y + Math.min(to.height / 2, 60) }
  const cdp = await page.context().newCDPSession(page)
  const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y, id: 1 }] })
  await touch('touchStart', start.x, start.y)
  for (let step = 1; step <= 12; step++) {
    await touch('touchMove', start.x + (end.x - start.x) * step / 12, start.y + (end.y - start.y) * step / 12)
    if (step === 2) await visible(page.locator('.drag-ghost'), 'drag ghost follows the finger')
  }
  await waitFor(() => drop.evaluate((el) => el.hasAttribute('data-drop-active')), `drop zone "${target}" highlighted under the finger`)
  await touch('touchEnd')
  await gone(page.locator('.drag-ghost'), 'drag ghost after the touch drop')
  await cdp.detach()
}

/** Space on the card's handle, arrow keys until the zone is active, Space. */
async function keyboardDrag (page, text, target) {
  const handle = wallCard(page, text).locator('[data-drag-handle]')
  await handle.focus()
  await page.keyboard.press('Space')
  const live = page.locator('[aria-live="assertive"]')
  await visible(live.getByText(/Karte aufgenommen/), 'pick-up announced')
  const zones = await page.locator('.wall [data-drop]').count()
  for (let step = 0; ; step++) {
    const active = await page.locator('.wall [data-drop][data-drop-active]').getAttribute('data-drop-label')
    if (active === target) break
    assert.ok(step <= zones, `keyboard drag never reached "${target}" (last: ${active})`)
    await page.keyboard.press('ArrowRight')
    await waitFor(async () => (await page.locator('.wall [data-drop][data-drop-active]').getAttribute('data-drop-label')) !== active,
      'the active drop zone to move on ArrowRight')
  }
  await page.keyboard.press('Space')
  await visible(live.getByText(`Karte abgelegt in ${target}`), `drop into "${target}" announced`)
}

/** Records in the board's y-indexeddb store (grows with every local update). */
function storedUpdates (page, board) {
  return page.evaluate((name) => new Promise((resolve, reject) => {
    const request = indexedDB.open(name)
    request.onerror = () => reject(request.error)
    request.onsuccess = () => {
      const db = request.result
      const counting = db.transaction('updates', 'readonly').objectStore('updates').count()
      counting.onsuccess = () => {
        db.close()
        resolve(counting.result)
      }
      counting.onerror = () => reject(counting.error)
    }
  }), `kartenwand-board-${board}`)
}
