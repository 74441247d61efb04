// Browser E2E: Blocks 2 and 3 of a Stadtteilkonferenz against the real
// binary, in Debian's Chromium. One moderator (laptop), one presenter
// (projector), three phones and a remote attendee (watch link), each in its
// own browser context:
//
//   the moderator plans the agenda (template + one phase by hand) and
//   inserts the two case templates → starts Block 1: every phone and the
//   projector switch phase, the countdown runs everywhere, a phone writes
//   a card → next phase (info): every lock closed → Block 2: phones show
//   the focal points by themselves; card writing and proposals are closed
//   by the phase change, placing is open, and people place themselves on
//   several at once → the countdown is paused, resumed and given a minute
//   more, seen on a phone and the projector → the projector's case map
//   shows who is where (name, organisation, sector) and the overlaps →
//   placing is locked → the moderator spotlights a focal point (projector
//   and phones follow) and notes in all five categories → the second case on
//   screen → Block 3: phones propose agreements, one is edited by its
//   author, the moderator confirms, edits, drops and adds one, everyone
//   sees the result → networks are created and joined → proposals are
//   locked → a remote attendee (watch link) follows, looks around on their
//   own and comes back; so does a remote attendee who joined as a
//   participant in a desktop browser ("Leinwand" screen); a phone leaves
//   its phase screen and comes back → the countdown is stopped.
//
// Along the way: axe-core on every view (no serious or critical
// violations) and a screenshot of each view in tests/e2e/artifacts/.
//
// Run: cd tests/e2e && npm ci && npm test   (binary: $KARTENWAND_BIN or
// <repo>/target/debug/kartenwand; KARTENWAND_TEST_LOG=1 shows server and
// browser logs, including refused edits).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  axeCollector,
  count,
  createConference,
  fillJoinForm,
  gone,
  openPage,
  screenshot,
  startServerAndBrowser,
  visible,
  waitFor
} from './harness.mjs'

const TEST_TIMEOUT_MS = 240_000

const PEOPLE = [
  { name: 'Aylin Demir', organisation: 'Kita Sonnenschein', sector: 'stadtteil' },
  { name: 'Jonas Weber', organisation: 'Jobcenter Cottbus', sector: 'behoerde' },
  { name: 'Mira Schulz', organisation: 'Wohnungsgesellschaft Sandow', sector: 'wirtschaft' }
]

const FAMILY = 'Familie A. (AsylbLG)'
const PERSON = 'Herr B. (SGB II)'
const BLOCK1 = 'Block 1 – Kennenlernen und Bedarfe sammeln'
const BLOCK2 = 'Block 2 – Fallbeispiele'
const BLOCK3 = 'Block 3 – Vernetzung und Verabredungen'

/** Which focal points each phone places itself on, per case. */
const PLACEMENTS = [
  { [FAMILY]: ['Kita und Schule', 'Sprachkurs'] },
  { [FAMILY]: ['Arbeit', 'Leistungen', 'Sprachkurs'] },
  { [FAMILY]: ['Wohnen'], [PERSON]: ['Wohnen'] }
]

const NOTE_LEGAL = 'Integrationskurs: Zulassung für Asylsuchende über das BAMF, Anspruch nach § 44 AufenthG'
const NOTE_OFFER = 'Sprachcafé mit Kinderbetreuung im Bürgerhaus'
const PROPOSAL_1 = 'Sprachkurs mit Kinderbetreuung im Bürgerhaus anbieten'
const PROPOSAL_2 = 'Sprechstunde des Jobcenters in der Gemeinschaftsunterkunft'
const OWN_AGREEMENT = 'Nächste Stadtteilkonferenz im Herbst vorbereiten'
const NETWORKS = ['Netzwerk Sandow', 'AG Migration']
const CARD = 'Kitaplätze für Kinder aus der Gemeinschaftsunterkunft fehlen'
const REMOTE = { name: 'Lena Koch', organisation: 'Migrationsberatung Cottbus', sector: 'traeger' }

test('Blocks 2 and 3 with a moderator, a projector, three phones and a remote attendee', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)

  const { axeFindings, checkAxe } = axeCollector()

  // ------------------------------------------------ conference, presenter, phones
  const { moderator, mod } = await createConference(browser, server, problems, { title: 'Stadtteilkonferenz Schmellwitz', district: 'Schmellwitz' })
  const joinUrl = await (await visible(mod.locator('a[href*="/join/"]'), 'join link')).getAttribute('href')
  const presenterUrl = await mod.getByRole('link', { name: 'Leinwand-Ansicht öffnen' }).getAttribute('href')
  const watchUrl = await mod.getByRole('link', { name: 'Link zum Zuschauen' }).getAttribute('href')

  const presenter = await openPage(browser, 'projector', 'presenter', problems)
  const screen = presenter.page
  await screen.goto(presenterUrl)
  await visible(screen.getByRole('heading', { name: 'Stadtteilkonferenz Schmellwitz' }), 'projector shows the conference')

  const phones = []
  for (const [index, person] of PEOPLE.entries()) {
    const phone = await openPage(browser, 'phone', `phone ${index + 1}`, problems)
    phones.push({ ...phone, person, placements: PLACEMENTS[index] })
    const page = phone.page
    await page.goto(joinUrl)
    await fillJoinForm(page, person)
    await page.getByRole('button', { name: 'Beitreten' }).tap()
    await visible(page.getByRole('heading', { name: 'Karte schreiben' }), `${phone.name}: joined`)
    await visible(page.locator('.topbar .status-online'), `${phone.name}: online`)
  }
  await visible(mod.getByText(`${PEOPLE.length} Teilnehmende`), 'moderator sees every participant')

  // ------------------------------------------------ agenda and case templates
  await mod.getByRole('button', { name: 'Ablauf', exact: true }).click()
  await mod.getByRole('button', { name: 'Ablauf einer Stadtteilkonferenz einfügen' }).click()
  const agendaRows = mod.locator('ol.agenda-editor > li')
  await count(agendaRows, 6, 'phases from the agenda template')
  await mod.getByLabel('Titel der Phase', { exact: true }).fill('Kurzinput Sozialamt')
  await mod.getByLabel('Art', { exact: true }).selectOption('info')
  await mod.getByLabel('Beginn (geplant)').fill('13:00')
  await mod.getByLabel('Dauer in Minuten', { exact: true }).fill('5')
  await mod.getByRole('button', { name: 'Phase hinzufügen' }).click()
  await count(agendaRows, 7, 'phases after adding one by hand')
  await hasValue(agendaRows.nth(6).locator('input').first(), 'Kurzinput Sozialamt', 'the added phase is last')
  await checkAxe('moderator (agenda)', mod)
  await screenshot(mod, 'moderator-agenda')

  await mod.getByRole('button', { name: 'Fallbeispiele (Block 2)' }).click()
  await mod.getByRole('button', { name: 'Beide Vorlagen einfügen (AsylbLG und SGB II)' }).click()
  const caseTabs = mod.getByRole('group', { name: 'Fallbeispiel wählen' })
  await visible(caseTabs.getByRole('button', { name: FAMILY }), 'AsylbLG template')
  await visible(caseTabs.getByRole('button', { name: PERSON }), 'SGB II template')
  await count(mod.locator('.focal-rows > li'), 8, 'focal points of the AsylbLG template')
  for (const title of ['Wohnen', 'Sprachkurs', 'Arbeit', 'Leistungen', 'Gesundheit', 'Kita und Schule', 'Aufenthaltsstatus', 'Beratung']) {
    await visible(mod.locator(`.focal-rows [data-focal-row="${title}"]`), `focal point "${title}" in the template`)
  }

  // ------------------------------------------------ Block 1: phase and countdown everywhere
  await mod.getByRole('button', { name: 'Ablauf', exact: true }).click()
  await mod.getByRole('button', { name: `${BLOCK1} starten` }).click()
  await visible(mod.locator('.run-panel').getByText(BLOCK1), 'moderator: Block 1 running')
  await visible(mod.getByRole('heading', { name: 'Kartenwand' }), 'moderator switched to the card wall by itself')
  await visible(screen.locator('.phase-bar').getByText(BLOCK1), 'projector shows the phase')
  for (const phone of phones) {
    await visible(phone.page.locator('.phase-bar').getByText(BLOCK1), `${phone.name}: phase shown`)
    await visible(phone.page.getByRole('heading', { name: 'Karte schreiben' }), `${phone.name}: card screen in Block 1`)
  }
  await countsDown(mod.locator('.run-panel'), 'moderator')
  await countsDown(screen.locator('.phase-bar'), 'projector')
  for (const phone of phones) await countsDown(phone.page.locator('.phase-bar'), phone.name)
  // Writing is open in the cards phase: a phone writes a card (locked in Block 2, below).
  await phones[0].page.getByLabel('Text der Karte').fill(CARD)
  await phones[0].page.getByRole('button', { name: 'Senden' }).tap()
  await visible(phones[0].page.getByText('Karte gespeichert.'), 'phone 1: card saved in Block 1')
  await visible(phones[0].page.locator('.card', { hasText: CARD }).getByRole('button', { name: 'Bearbeiten' }),
    'phone 1: own card editable while writing is open')

  // ------------------------------------------------ info phase: phones show the agenda
  await mod.getByRole('button', { name: 'Weiter: Pause' }).click()
  await visible(screen.getByRole('heading', { name: 'Ablauf', level: 1 }), 'projector shows the agenda in an info phase')
  await visible(screen.locator('.agenda-item.current').getByText('Pause'), 'projector marks the running phase')
  for (const phone of phones) {
    await visible(phone.page.locator('.agenda-item.current').getByText('Pause'), `${phone.name}: agenda in the info phase`)
    await gone(phone.page.getByRole('heading', { name: 'Karte schreiben' }), `${phone.name}: card composer after the phase change`)
  }
  // An info phase closes every lock; the run panel offers all three by hand.
  for (const name of ['Schreiben öffnen', 'Zuordnen öffnen', 'Vorschläge öffnen']) {
    await visible(mod.locator('.run-panel').getByRole('button', { name }), `moderator: "${name}" offered in the info phase`)
  }
  await checkAxe('participant (info phase)', phones[0].page)
  await screenshot(phones[0].page, 'participant-info')
  await checkAxe('presenter (agenda)', screen)
  await screenshot(screen, 'presenter-agenda')

  // ------------------------------------------------ Block 2: phones switch to the focal points
  await mod.getByRole('button', { name: `Weiter: ${BLOCK2}` }).click()
  await visible(screen.getByRole('heading', { name: FAMILY, level: 1 }), 'projector shows the first case map')
  await visible(mod.getByRole('heading', { name: 'Fallbeispiele', level: 2 }), 'moderator switched to the cases')
  for (const phone of phones) {
    await visible(phone.page.getByRole('heading', { name: 'Wo arbeiten Sie mit?' }), `${phone.name}: focal points by itself`)
    await visible(phone.page.locator('.phase-bar').getByText(BLOCK2), `${phone.name}: Block 2 in the phase bar`)
  }
  await countsDown(screen.locator('.phase-bar'), 'projector in Block 2')

  // Starting Block 2 closed card writing and proposals: a phone that looks
  // at those screens cannot write there (placing oneself is open: below).
  const aylin = phones[0].page
  await aylin.getByLabel('Ansicht').selectOption('cards')
  await visible(aylin.getByText('Das Schreiben ist gerade geschlossen.'), 'phone 1: card writing closed in Block 2')
  await gone(aylin.getByRole('heading', { name: 'Karte schreiben' }), 'phone 1: no card composer in Block 2')
  await visible(aylin.locator('.card', { hasText: CARD }), 'phone 1: own card still listed')
  await gone(aylin.locator('.card', { hasText: CARD }).getByRole('button', { name: 'Bearbeiten' }), 'phone 1: own card no longer editable')
  await aylin.getByLabel('Ansicht').selectOption('agreements')
  await visible(aylin.getByText('Vorschläge sind gerade geschlossen.'), 'phone 1: proposals closed in Block 2')
  await gone(aylin.getByRole('heading', { name: 'Verabredung vorschlagen' }), 'phone 1: no proposal form in Block 2')
  await aylin.getByRole('button', { name: 'Zur aktuellen Phase' }).tap()
  await visible(aylin.getByRole('heading', { name: 'Wo arbeiten Sie mit?' }), 'phone 1 back on the focal points')

  // The countdown paused, resumed and given a minute more: seen on a phone and the projector.
  const timerViews = [[screen.locator('.phase-bar'), 'projector'], [phones[1].page.locator('.phase-bar'), phones[1].name]]
  await mod.locator('.run-panel').getByRole('button', { name: 'Anhalten' }).click()
  for (const [bar, name] of timerViews) await visible(bar.getByText('(angehalten)'), `${name}: countdown paused`)
  await mod.locator('.run-panel').getByRole('button', { name: 'Weiter', exact: true }).click()
  for (const [bar, name] of timerViews) {
    await gone(bar.getByText('(angehalten)'), `${name}: countdown resumed`)
    await countsDown(bar, `${name} after resuming`)
  }
  await jumps(timerViews, +1, () => mod.locator('.run-panel').getByRole('button', { name: '+1 Minute' }).click(), 'a minute more')

  // Several focal points at once, from each phone.
  for (const phone of phones) {
    for (const [caseTitle, titles] of Object.entries(phone.placements)) {
      for (const title of titles) {
        const box = focalCheckbox(phone.page, caseTitle, title)
        await box.check()
        await waitFor(() => box.isChecked(), `${phone.name}: "${title}" checked`)
      }
    }
  }
  await checkAxe('participant (cases)', phones[1].page)
  await screenshot(phones[1].page, 'participant-cases')

  // The projector's map: who is at each focal point, with organisation and sector.
  const language = mapPoint(screen, 'Sprachkurs')
  await visible(language.getByText('Aylin Demir'), 'projector: Aylin at Sprachkurs')
  await visible(language.getByText('Jonas Weber'), 'projector: Jonas at Sprachkurs')
  await visible(language.getByText('Jobcenter Cottbus'), 'projector: organisation shown')
  await visible(language.getByText('2 Personen'), 'projector: two people at Sprachkurs')
  await visible(language.getByText('2 Bereiche'), 'projector: the overlap of two sectors at Sprachkurs')
  assert.match(await language.getAttribute('class'), /\bshared\b/, 'Sprachkurs is marked as shared by several sectors')
  await visible(mapPoint(screen, 'Wohnen').getByText('Mira Schulz'), 'projector: Mira at Wohnen')
  await visible(mapPoint(screen, 'Kita und Schule').getByText('Aylin Demir'), 'projector: Aylin at Kita und Schule')
  await visible(mapPoint(screen, 'Arbeit').getByText('Jonas Weber'), 'projector: Jonas at Arbeit')
  await visible(mapPoint(screen, 'Gesundheit').getByText('0 Personen'), 'projector: nobody at Gesundheit')
  const overlaps = screen.locator('.overlaps')
  await visible(overlaps.getByText('Sprachkurs – Kita und Schule'), 'projector lists the overlap Sprachkurs – Kita und Schule')
  assert.ok(await screen.locator('.case-map-lines .overlap-line').count() >= 2, 'overlap lines drawn on the map')
  await visible(mod.locator('[data-focal-row="Sprachkurs"]').getByText('2 Personen: Aylin Demir, Jonas Weber'), 'moderator sees the placements')
  await checkAxe('presenter (case map)', screen)
  await screenshot(screen, 'presenter-case-map')

  // A placement taken back reaches the projector too.
  await focalCheckbox(phones[1].page, FAMILY, 'Leistungen').uncheck()
  await visible(mapPoint(screen, 'Leistungen').getByText('0 Personen'), 'projector: placement taken back')

  // Lock placing.
  await mod.locator('.run-panel').getByRole('button', { name: 'Zuordnen schließen' }).click()
  for (const phone of phones) {
    await visible(phone.page.getByText('Das Zuordnen ist gerade geschlossen.'), `${phone.name}: placing closed`)
    assert.ok(await focalCheckbox(phone.page, FAMILY, 'Gesundheit').isDisabled(), `${phone.name}: checkboxes disabled`)
  }

  // ------------------------------------------------ spotlight and notes
  await mod.getByRole('button', { name: /^In den Fokus\W+Sprachkurs$/ }).click()
  await visible(screen.getByRole('heading', { name: 'Sprachkurs', level: 1 }), 'projector follows the spotlight')
  await visible(screen.locator('.spotlight').getByText('Jonas Weber'), 'projector: who works at the spotlighted focal point')
  for (const phone of phones) {
    await visible(phone.page.locator('.spotlight-panel').getByRole('heading', { name: 'Sprachkurs' }), `${phone.name}: follows the spotlight`)
  }
  // One note in each of the five categories of seed 000.
  const notes = [
    ['legal', 'Rechtsrahmen und Verfahren', NOTE_LEGAL],
    ['steering', 'Steuerungsinstrumente', 'Fallkonferenz Sprache im Sozialraum'],
    ['needs', 'Weitere Bedarfe', 'Kinderbetreuung während der Kurszeiten'],
    ['offers', 'Vorhandene Angebote', NOTE_OFFER],
    ['planned', 'Geplante Angebote', 'Abendkurs ab Herbst in der Stadtteilbibliothek']
  ]
  for (const [category, , text] of notes) {
    await mod.getByLabel('Kategorie').selectOption(category)
    await mod.getByLabel('Notiz', { exact: true }).fill(text)
    await mod.getByRole('button', { name: 'Notiz hinzufügen' }).click()
  }
  await visible(mod.getByRole('region', { name: 'Geplante Angebote' }).locator(`textarea`), 'moderator: the last note is listed')
  const spot = screen.locator('.spotlight')
  for (const [, heading, text] of notes) {
    await visible(spot.getByRole('heading', { name: heading }), `projector: category heading "${heading}"`)
    await visible(spot.getByText(text, { exact: true }), `projector: note "${text}"`)
  }
  for (const phone of phones) {
    for (const [, heading, text] of notes) {
      await visible(phone.page.locator('.spotlight-panel').getByText(text, { exact: true }), `${phone.name}: note in "${heading}"`)
    }
  }
  await checkAxe('moderator (cases)', mod)
  await screenshot(mod, 'moderator-cases')
  await checkAxe('presenter (spotlight)', screen)
  await screenshot(screen, 'presenter-spotlight')
  await checkAxe('participant (spotlight)', phones[0].page)
  await screenshot(phones[0].page, 'participant-spotlight')

  // The second case on screen.
  await caseTabs.getByRole('button', { name: PERSON }).click()
  await mod.getByRole('button', { name: 'Fallkarte auf Leinwand' }).click()
  await visible(screen.getByRole('heading', { name: PERSON, level: 1 }), 'projector shows the second case')
  await visible(mapPoint(screen, 'Wohnen').getByText('Mira Schulz'), 'projector: Mira at Wohnen in the second case')
  await visible(mapPoint(screen, 'Anerkennung des Berufsabschlusses'), 'projector: SGB II focal point')

  // ------------------------------------------------ Block 3: agreements and networks
  await mod.getByRole('button', { name: `Weiter: ${BLOCK3}` }).click()
  await visible(screen.getByRole('heading', { name: 'Verabredungen', level: 1 }), 'projector shows the agreements')
  await visible(mod.getByRole('heading', { name: 'Verabredungen', level: 2 }), 'moderator switched to the agreements')
  for (const phone of phones) {
    await visible(phone.page.getByRole('heading', { name: 'Verabredung vorschlagen' }), `${phone.name}: agreements screen by itself`)
  }

  for (const title of NETWORKS) {
    await mod.getByLabel('Neues Netzwerk').fill(title)
    await mod.getByRole('button', { name: 'Hinzufügen', exact: true }).click()
    await hasValue(mod.locator('.network-rows > li').last().locator('input'), title, `moderator: network "${title}"`)
  }
  const joins = [[NETWORKS[0], NETWORKS[1]], [NETWORKS[1]], [NETWORKS[0]]]
  for (const [index, phone] of phones.entries()) {
    for (const title of joins[index]) {
      const box = phone.page.getByRole('checkbox', { name: new RegExp(`^${title}`) })
      await box.check()
      await waitFor(() => box.isChecked(), `${phone.name}: joined "${title}"`)
    }
  }
  await visible(mod.locator('.network-rows').getByText('2 dabei: Aylin Demir, Mira Schulz'), 'moderator: members of Netzwerk Sandow')

  await propose(phones[0], { what: PROPOSAL_1, who: 'Kita Sonnenschein, Jobcenter', due: '2026-03-31' })
  await propose(phones[1], { what: PROPOSAL_2, who: 'Jobcenter Cottbus' })
  for (const what of [PROPOSAL_1, PROPOSAL_2]) {
    await visible(screenAgreement(screen, what).getByText('Vorschlag'), `projector: "${what}" as a proposal`)
    await visible(phones[2].page.locator('.agreement').getByText(what), `phone 3 sees "${what}"`)
    await visible(mod.locator(`[data-agreement-row="${what}"]`), `moderator: proposal "${what}"`)
  }
  await visible(screenAgreement(screen, PROPOSAL_1).getByText('31. März 2026'), 'projector: due date')

  // The author edits their own proposal.
  const own = phones[0].page.locator('.agreement', { hasText: PROPOSAL_1 })
  await own.getByRole('button', { name: 'Bearbeiten' }).tap()
  await phones[0].page.locator(`.agreement form`).getByLabel('Wer').fill('Kita Sonnenschein, Jobcenter Cottbus')
  await phones[0].page.locator(`.agreement form`).getByRole('button', { name: 'Speichern' }).tap()
  await visible(screenAgreement(screen, PROPOSAL_1).getByText('Kita Sonnenschein, Jobcenter Cottbus'), 'projector: the author\'s edit')
  await hasValue(mod.locator(`[data-agreement-row="${PROPOSAL_1}"] input`).nth(1), 'Kita Sonnenschein, Jobcenter Cottbus',
    'moderator: the author\'s edit')

  // The moderator confirms one, drops one, edits one and adds one.
  await mod.getByRole('button', { name: `Bestätigen: ${PROPOSAL_1}` }).click()
  await visible(screenAgreement(screen, PROPOSAL_1).getByText('vereinbart'), 'projector: confirmed')
  await visible(phones[0].page.locator('.agreement', { hasText: PROPOSAL_1 }).getByText('vereinbart'), 'phone 1: confirmed')
  await gone(phones[0].page.locator('.agreement', { hasText: PROPOSAL_1 }).getByRole('button', { name: 'Bearbeiten' }),
    'phone 1: no editing once confirmed')
  await mod.getByRole('button', { name: `Verwerfen: ${PROPOSAL_2}` }).click()
  await gone(screenAgreement(screen, PROPOSAL_2), 'projector: dropped agreement')
  for (const phone of phones) await gone(phone.page.locator('.agreement', { hasText: PROPOSAL_2 }), `${phone.name}: dropped agreement`)
  const whoField = mod.getByRole('textbox', { name: `Wer: ${PROPOSAL_1}` })
  await whoField.fill('Kita Sonnenschein, Jobcenter Cottbus, Bürgerhaus')
  await whoField.press('Enter')
  await visible(screenAgreement(screen, PROPOSAL_1).getByText('Kita Sonnenschein, Jobcenter Cottbus, Bürgerhaus'), 'projector: moderator\'s edit')
  await mod.locator('#agreement-what').fill(OWN_AGREEMENT)
  await mod.locator('#agreement-who').fill('Koordinierungsstelle')
  await mod.getByRole('button', { name: 'Verabredung eintragen' }).click()
  await visible(screenAgreement(screen, OWN_AGREEMENT).getByText('vereinbart'), 'projector: the moderator\'s agreement')
  for (const phone of phones) {
    await visible(phone.page.locator('.agreement', { hasText: OWN_AGREEMENT }).getByText('vereinbart'), `${phone.name}: the moderator's agreement`)
  }
  await checkAxe('presenter (agreements)', screen)
  await screenshot(screen, 'presenter-agreements')
  await checkAxe('participant (agreements)', phones[0].page)
  await screenshot(phones[0].page, 'participant-agreements')

  // Lock proposals.
  await mod.locator('.run-panel').getByRole('button', { name: 'Vorschläge schließen' }).click()
  for (const phone of phones) {
    await visible(phone.page.getByText('Vorschläge sind gerade geschlossen.'), `${phone.name}: proposals closed`)
    await gone(phone.page.getByRole('heading', { name: 'Verabredung vorschlagen' }), `${phone.name}: no proposal form`)
  }

  // Networks on screen.
  await mod.getByRole('button', { name: 'Netzwerke auf Leinwand' }).click()
  await visible(screen.getByRole('heading', { name: 'Netzwerke im Stadtteil', level: 1 }), 'projector shows the networks')
  const sandow = screen.getByRole('region', { name: NETWORKS[0] })
  await visible(sandow.getByText('Aylin Demir'), 'projector: Aylin in Netzwerk Sandow')
  await visible(sandow.getByText('Mira Schulz'), 'projector: Mira in Netzwerk Sandow')
  await visible(screen.getByRole('region', { name: NETWORKS[1] }).getByText('Jonas Weber'), 'projector: Jonas in AG Migration')
  await checkAxe('presenter (networks)', screen)
  await screenshot(screen, 'presenter-networks')
  await checkAxe('moderator (agreements)', mod)
  await screenshot(mod, 'moderator-agreements')

  // ------------------------------------------------ follow mode
  const attendee = await openPage(browser, 'desktop', 'remote attendee', problems)
  const watch = attendee.page
  await watch.goto(watchUrl)
  await visible(watch.getByRole('heading', { name: 'Netzwerke im Stadtteil', level: 1 }), 'remote attendee follows the moderator')
  await visible(watch.locator('.phase-bar').getByText(BLOCK3), 'remote attendee sees the phase')
  await countsDown(watch.locator('.phase-bar'), 'remote attendee')
  await watch.getByRole('button', { name: 'Selbst umsehen' }).click()
  await watch.getByLabel('Ansehen').selectOption({ label: FAMILY })
  await visible(watch.getByRole('heading', { name: FAMILY, level: 1 }), 'remote attendee looks at the first case on their own')
  await mod.getByRole('button', { name: 'Verabredungen auf Leinwand' }).click()
  await visible(screen.getByRole('heading', { name: 'Verabredungen', level: 1 }), 'projector follows the moderator')
  // The focus change has reached the watch once a later change (a minute
  // more on the countdown) shows there: only then can it stay put or not.
  await jumps([[watch.locator('.phase-bar'), 'remote attendee']], +1,
    () => mod.locator('.run-panel').getByRole('button', { name: '+1 Minute' }).click(), 'a minute more')
  assert.equal(await watch.getByRole('heading', { name: 'Verabredungen', level: 1 }).count(), 0,
    'the exploring attendee stays where they are')
  await visible(watch.getByRole('heading', { name: FAMILY, level: 1 }), 'still on the first case')
  await checkAxe('watch (exploring)', watch)
  await screenshot(watch, 'watch')
  await watch.getByRole('button', { name: 'Der Moderation folgen' }).click()
  await visible(watch.getByRole('heading', { name: 'Verabredungen', level: 1 }), 'back in follow mode: the moderator\'s screen')

  // A remote attendee with participant rights (join link, desktop browser) follows the moderation too.
  const remote = await openPage(browser, 'desktop', 'remote participant', problems)
  const lena = remote.page
  await lena.goto(joinUrl)
  await lena.getByLabel('Name', { exact: true }).fill(REMOTE.name)
  await lena.getByLabel('Organisation').fill(REMOTE.organisation)
  await lena.getByLabel('Bereich').selectOption(REMOTE.sector)
  await lena.getByRole('button', { name: 'Beitreten' }).click()
  await visible(lena.getByText('Vorschläge sind gerade geschlossen.'), 'remote participant: joined, on the Block 3 screen')
  await visible(lena.locator('.topbar .status-online'), 'remote participant: online')
  await lena.getByLabel('Ansicht').selectOption('screen')
  const followed = lena.locator('.follow-display')
  await visible(followed.getByRole('heading', { name: 'Verabredungen', level: 1 }), 'remote participant: what the moderation shows')
  await mod.getByRole('button', { name: 'Netzwerke auf Leinwand' }).click()
  await visible(followed.getByRole('heading', { name: 'Netzwerke im Stadtteil', level: 1 }), 'remote participant follows a focus change')
  await lena.getByRole('button', { name: 'Selbst umsehen' }).click()
  await lena.getByLabel('Ansehen').selectOption({ label: FAMILY })
  await visible(followed.getByRole('heading', { name: FAMILY, level: 1 }), 'remote participant looks at the first case on their own')
  await mod.getByRole('button', { name: 'Verabredungen auf Leinwand' }).click()
  await visible(screen.getByRole('heading', { name: 'Verabredungen', level: 1 }), 'projector follows the moderator again')
  await jumps([[lena.locator('.phase-bar'), 'remote participant']], -1,
    () => mod.locator('.run-panel').getByRole('button', { name: '−1 Minute' }).click(), 'a minute less')
  assert.equal(await followed.getByRole('heading', { name: 'Verabredungen', level: 1 }).count(), 0,
    'the exploring remote participant stays where they are')
  await visible(followed.getByRole('heading', { name: FAMILY, level: 1 }), 'remote participant still on the first case')
  await checkAxe('participant (following the moderation, exploring)', lena)
  await screenshot(lena, 'participant-follow')
  await lena.getByRole('button', { name: 'Der Moderation folgen' }).click()
  await visible(followed.getByRole('heading', { name: 'Verabredungen', level: 1 }), 'remote participant back in follow mode')

  // A phone leaves its phase screen and comes back.
  const mira = phones[2].page
  await mira.getByLabel('Ansicht').selectOption('cases')
  await visible(mira.getByRole('heading', { name: 'Wo arbeiten Sie mit?' }), 'phone 3 looks at the case examples')
  await mira.getByRole('button', { name: 'Zur aktuellen Phase' }).tap()
  await visible(mira.getByText('Vorschläge sind gerade geschlossen.'), 'phone 3 back on the current phase')

  // The moderator stops the countdown: it goes from a phone and the projector; the phase stays.
  await mod.locator('.run-panel').getByRole('button', { name: 'Timer beenden' }).click()
  for (const [page, name] of [[screen, 'projector'], [mira, 'phone 3']]) {
    await gone(page.locator('.phase-bar [role="timer"]'), `${name}: countdown stopped`)
    await visible(page.locator('.phase-bar').getByText(BLOCK3), `${name}: Block 3 still shown`)
  }

  assert.deepEqual(problems, [], 'no uncaught page errors or dialogs in any view')
  assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
  // No edit was refused by the server along the way.
  for (const { name, page } of [moderator, attendee, remote, ...phones]) {
    const refused = await page.locator('.status-denied').allTextContents()
    assert.deepEqual(refused, [], `${name}: no refused edit\nserver log:\n${server.log()}`)
  }
})

// ---------------------------------------------------------------- steps

/** "74:59" or "1:14:59" → seconds. */
function seconds (text) {
  const parts = (text ?? '').trim().split(':').map(Number)
  if (parts.length < 2 || parts.some((n) => !Number.isFinite(n))) return NaN
  return parts.reduce((total, n) => total * 60 + n, 0)
}

/**
 * The countdown inside `scope` shows a value, then a smaller one: two
 * observations, the second waited for by condition (bounded), no sleep.
 */
async function countsDown (scope, what) {
  const timer = await visible(scope.locator('[role="timer"]'), `${what}: countdown`)
  const first = seconds(await timer.textContent())
  assert.ok(first > 0, `${what}: countdown shows a time (${await timer.textContent()})`)
  let last = first
  await waitFor(async () => {
    last = seconds(await timer.textContent())
    return last < first
  }, () => `${what}: countdown to go below ${first} s (last ${last} s)`)
}

/**
 * Does `action` (a change of about a minute) and waits, bounded, until the
 * countdown of every view in `views` ([scope, name] pairs) has moved by
 * more than half a minute in `direction` (+1 up, -1 down): a change the
 * running countdown itself can never make.
 */
async function jumps (views, direction, action, what) {
  const before = []
  for (const [scope, name] of views) {
    const timer = await visible(scope.locator('[role="timer"]'), `${name}: countdown`)
    before.push(seconds(await timer.textContent()))
  }
  await action()
  for (const [index, [scope, name]] of views.entries()) {
    const timer = scope.locator('[role="timer"]')
    let last = before[index]
    await waitFor(async () => {
      last = seconds(await timer.textContent())
      return direction > 0 ? last > before[index] + 30 : last < before[index] - 30
    }, () => `${name}: countdown to show ${what} (${before[index]} s before, last ${last} s)`)
  }
}

/** Waits until a form field shows `expected` (values are properties, not attributes). */
async function hasValue (locator, expected, what) {
  let last = null
  await waitFor(async () => {
    last = await locator.inputValue()
    return last === expected
  }, () => `${what}: value "${expected}" (last "${last}")`)
}

function focalCheckbox (page, caseTitle, title) {
  return page.getByRole('group', { name: new RegExp(`^${escape(caseTitle)}`) })
    .getByRole('checkbox', { name: new RegExp(`^${escape(title)}`) })
}

/** A focal point on the projector's case map, by its title. */
function mapPoint (page, title) {
  return page.locator('li.focal-point', { has: page.getByRole('heading', { name: title, exact: true }) })
}

function screenAgreement (page, what) {
  return page.locator('.agreement', { has: page.getByText(what, { exact: true }) })
}

async function propose (phone, { what, who, due }) {
  const page = phone.page
  await page.getByLabel('Was wird verabredet?').fill(what)
  await page.getByLabel('Wer', { exact: true }).fill(who)
  if (due) await page.getByLabel('Bis wann').fill(due)
  await page.getByRole('button', { name: 'Vorschlagen' }).tap()
  await visible(page.getByText('Vorschlag gespeichert.', { exact: false }), `${phone.name}: proposal saved`)
  await visible(page.locator('.agreement', { hasText: what }).getByText('Ihr Vorschlag'), `${phone.name}: own proposal listed`)
}

function escape (text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
