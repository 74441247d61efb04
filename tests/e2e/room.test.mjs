// Browser E2E: the screens the whole room depends on, measured in Debian's
// Chromium against the real binary.
//
//   the projector (1920×1080): a wall of 12, 40 and 60 cards in clusters
//     with linked offers, and a case map of 8 focal points and 12 people:
//     computed type sizes, everything inside the viewport, no scrolling,
//     each card once;
//   the moderator's laptop (1366×768): the running phase's actions above
//     the fold, every cluster a drop target without scrolling the page (the
//     wall scrolls by itself while a card is dragged), undo in reach, no
//     control twice, drag and drop by keyboard, axe-core clean;
//   a phone (360×640) in German and English: no horizontal scroll on any
//     screen, every tap target at least 44 px, axe-core clean.
//
// The boards are filled through the real y-websocket client (writer.mjs);
// everything measured is the browser. Screenshots: tests/e2e/artifacts/room-*.png.
// The sizes are printed too (docs/benchmarks.md, "Room views").
//
// Run: cd tests/e2e && node --test room.test.mjs   (binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  axeCollector,
  count,
  createConference,
  fillJoinForm,
  openPage,
  screenshot,
  startServerAndBrowser,
  visible,
  waitFor
} from './harness.mjs'
import { createBoard, join, newId, openBoard, putEntry } from './writer.mjs'

const TEST_TIMEOUT_MS = 180_000

const CLUSTERS = [
  ['Kinderbetreuung & Integration', 'yellow', 'district'],
  ['Wohnen', 'blue', 'overarching'],
  ['Sprache', 'green', undefined],
  ['Arbeit und Ausbildung', 'pink', 'district'],
  ['Beratung', 'orange', undefined],
  ['Gesundheit', 'purple', 'overarching']
]

const NEEDS = [
  'Kitaplätze für Kinder von Eltern in Sprachkursen',
  'Bezahlbare große Wohnungen für Familien mit vielen Kindern',
  'Sprachkurse am Abend für Berufstätige',
  'Begleitung zu Terminen beim Jobcenter und bei der Ausländerbehörde',
  'Treffpunkt für Jugendliche am Abend',
  'Hausaufgabenhilfe im Quartier',
  'Dolmetscher für Arztbesuche',
  'Mehr Ausbildungsplätze im Handwerk für junge Geflüchtete'
]

const PEOPLE = [
  ['Aylin Demir', 'Quartiersmanagement Schmellwitz', 'stadtteil'],
  ['Jonas Weber', 'Jobcenter Cottbus', 'behoerde'],
  ['Mira Schulz', 'Handwerkskammer Cottbus', 'wirtschaft'],
  ['Karl-Heinz Obermüller', 'Caritasverband für das Bistum Görlitz e. V.', 'traeger'],
  ['Fatima Al-Hassan', 'Migrationsberatung', 'traeger'],
  ['Sven Lehmann', 'Stadtverordnetenversammlung', 'politik'],
  ['Olena Kovalenko', 'Integrationskursträger Sprachwerk', 'traeger'],
  ['Peter Nowak', 'Ausländerbehörde', 'behoerde'],
  ['Lea Fischer', 'Familienzentrum Sachsendorf', 'stadtteil'],
  ['Ahmad Rahimi', 'Bürgerverein Ströbitz', 'stadtteil'],
  ['Birgit Krause', 'Wohnungsbaugesellschaft', 'wirtschaft'],
  ['Tomasz Zielinski', 'Gesundheitsamt', 'behoerde']
]

const FOCAL_POINTS = ['Wohnen', 'Sprachkurs', 'Arbeit', 'Leistungen', 'Gesundheit', 'Kita und Schule', 'Aufenthaltsstatus', 'Beratung']

/** The projector's targets (issue: the room views). */
const PROJECTOR = { cardPx: { 12: 28, 40: 28, 60: 22 }, labelPx: 18, casePeoplePx: 24 }

/** Cards of the length phones write (27–98 characters, 51 on average). */
function cardText (index) {
  const text = NEEDS[index % NEEDS.length]
  return index % 5 === 4 ? `${text}, besonders für Alleinerziehende` : text
}

/**
 * A board with six participants who wrote `cards` cards, six clusters
 * holding most of them, and three offers linked to clusters.
 */
async function wallBoard (server, created = null) {
  const board = created ?? await createBoard(server, { title: 'Stadtteilkonferenz Schmellwitz', district: 'Schmellwitz' })
  const { moderator } = board
  const participants = []
  for (const [name, organisation, sector] of PEOPLE.slice(0, 6)) {
    participants.push(await join(server, moderator, board.board, board.join_code, { name, organisation, sector }))
  }
  const clusters = []
  moderator.transact(() => {
    moderator.map('meta').set('revealed', true)
    CLUSTERS.forEach(([title, colour, scope], order) => {
      clusters.push(putEntry(moderator, 'clusters', newId(), { title, colour, scope, order, createdAt: Date.now() }))
    })
  })
  let written = 0
  /** Adds cards until the wall has `total`; about four in five land in a cluster. */
  const growTo = (total) => moderator.transact(() => {
    for (; written < total; written++) {
      const author = participants[written % participants.length]
      const id = putEntry(moderator, 'cards', newId(), {
        text: cardText(written),
        kind: written % 7 === 3 ? 'offer' : written % 7 === 5 ? 'situation' : 'need',
        author: author.participant_id,
        createdAt: Date.now() + written,
        cluster: written % 5 === 2 ? undefined : clusters[written % clusters.length]
      })
      if (written % 7 === 3 && written < 21) {
        // An offer in no cluster, linked to one: shown once, under the cluster.
        moderator.map('cards').get(id).delete('cluster')
        moderator.map('offerLinks').set(`${id}:${clusters[written % 3]}`, true)
      }
    }
  })
  return { ...board, growTo }
}

/**
 * Text sizes and boxes on the page: the card texts' smallest size, every
 * text's smallest size (the labels), anything outside the viewport, the
 * page's scroll size, and cards shown more than once.
 */
function measure (page, { cardSelector = '.card-text' } = {}) {
  return page.evaluate((cardSelector) => {
    const viewport = { width: window.innerWidth, height: window.innerHeight }
    const visibleText = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement
      if (!element || node.textContent.trim() === '' || element.closest('.sr-only, .skip-link, [aria-hidden="true"], svg')) continue
      const box = element.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) continue
      visibleText.push({ element, box, text: node.textContent.trim() })
    }
    const size = (element) => parseFloat(getComputedStyle(element).fontSize)
    const cards = [...document.querySelectorAll(cardSelector)]
    const smallest = (list) => list.reduce((min, item) => (item.px < min.px ? item : min), { px: Infinity, text: '' })
    const outside = visibleText
      .filter(({ box }) => box.left < -0.5 || box.top < -0.5 || box.right > viewport.width + 0.5 || box.bottom > viewport.height + 0.5)
      .map(({ text, box }) => `${text.slice(0, 40)} @ ${Math.round(box.left)},${Math.round(box.top)}–${Math.round(box.right)},${Math.round(box.bottom)}`)
    // Covered: another element is on top of the text's middle.
    const covered = visibleText
      .filter(({ element, box }) => {
        const x = Math.min(viewport.width - 1, box.left + box.width / 2)
        const y = Math.min(viewport.height - 1, box.top + box.height / 2)
        const top = document.elementFromPoint(x, y)
        return top !== null && top !== element && !element.contains(top) && !top.contains(element)
      })
      .map(({ text }) => text.slice(0, 40))
    const ids = [...document.querySelectorAll('[data-card]')].map((el) => el.getAttribute('data-card'))
    return {
      viewport,
      scroll: { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight },
      cardPx: smallest(cards.map((el) => ({ px: size(el), text: el.textContent.slice(0, 40) }))).px,
      label: smallest(visibleText.map(({ element, text }) => ({ px: size(element), text: text.slice(0, 40) }))),
      outside,
      covered,
      shownTwice: ids.filter((id, index) => ids.indexOf(id) !== index)
    }
  }, cardSelector)
}

function assertFits (layout, what) {
  assert.ok(layout.scroll.height <= layout.viewport.height && layout.scroll.width <= layout.viewport.width,
    `${what}: the page does not scroll (${layout.scroll.width}×${layout.scroll.height} in ${layout.viewport.width}×${layout.viewport.height})`)
  assert.deepEqual(layout.outside, [], `${what}: every text inside the viewport`)
  assert.deepEqual(layout.covered, [], `${what}: no text covered by another element`)
}

test('The projector: walls of 12, 40 and 60 cards and a case map, readable from the back row', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { axeFindings, checkAxe } = axeCollector()
  const board = await wallBoard(server)
  t.after(() => board.moderator.close())

  // Block 1 runs, with its countdown: the phase bar is on the projector too.
  const phase = putEntry(board.moderator, 'agenda', newId(), { title: 'Block 1 – Kennenlernen, Bedarfe sammeln', kind: 'cards', start: '09:15', minutes: 75, order: 0 })
  board.moderator.transact(() => {
    board.moderator.map('meta').set('phase', phase)
    board.moderator.map('meta').set('timerEndsAt', Date.now() + 20 * 60_000)
  })
  const { page: screen } = await openPage(browser, 'projector', 'projector', problems)
  await screen.goto(board.presenter_url)
  await visible(screen.locator('.phase-bar'), 'the phase bar on the projector')
  const sizes = []
  for (const cards of [12, 40, 60]) {
    board.growTo(cards)
    // Linked offers in no cluster are shown under their cluster only.
    await count(screen.locator('[data-card]'), cards, `${cards} cards on the projector`)
    const layout = await measure(screen)
    sizes.push(`${cards} cards: card text ${layout.cardPx.toFixed(1)} px, smallest label ${layout.label.px.toFixed(1)} px ("${layout.label.text}")`)
    console.log(`projector 1920×1080, ${sizes.at(-1)}`)
    await screenshot(screen, `room-projector-wall-${cards}`)
    assertFits(layout, `wall of ${cards}`)
    assert.deepEqual(layout.shownTwice, [], `wall of ${cards}: each card once`)
    assert.ok(layout.cardPx >= PROJECTOR.cardPx[cards], `wall of ${cards}: card text ${layout.cardPx} px ≥ ${PROJECTOR.cardPx[cards]} px`)
    assert.ok(layout.label.px >= PROJECTOR.labelPx, `wall of ${cards}: every label ≥ ${PROJECTOR.labelPx} px (smallest: ${layout.label.px} px, "${layout.label.text}")`)
  }
  await checkAxe('projector (wall of 60)', screen)

  // The case map: 8 focal points, 12 people (most on two or three).
  const { moderator } = board
  const people = []
  for (const [name, organisation, sector] of PEOPLE) {
    people.push(await join(server, moderator, board.board, board.join_code, { name, organisation, sector }))
  }
  const caseId = newId()
  moderator.transact(() => {
    putEntry(moderator, 'cases', caseId, {
      title: 'Familie A. (AsylbLG)',
      framework: 'asylblg',
      story: 'Familie A. kam vor acht Monaten nach Cottbus: die Eltern und drei Kinder (2, 6 und 11 Jahre). Das Asylverfahren läuft; sie erhalten Leistungen nach dem AsylbLG und leben in einer Gemeinschaftsunterkunft.',
      order: 0
    })
    const points = FOCAL_POINTS.map((title, order) => putEntry(moderator, 'focalPoints', newId(), { case: caseId, title, order }))
    people.forEach((person, index) => {
      for (const offset of index % 3 === 0 ? [0, 1, 3] : index % 3 === 1 ? [0, 2] : [0]) {
        moderator.map('placements').set(`${person.participant_id}:${points[(index + offset) % points.length]}`, true)
      }
    })
    moderator.map('meta').set('focus', `case:${caseId}`)
  })
  await count(screen.locator('.person-name'), 12 + 8 + 4, 'every placement on the case map')
  const map = await measure(screen, { cardSelector: '.person-name' })
  const caseSize = `case map (8 focal points, 12 people): names ${map.cardPx.toFixed(1)} px, smallest label ${map.label.px.toFixed(1)} px ("${map.label.text}")`
  console.log(`projector 1920×1080, ${caseSize}`)
  await screenshot(screen, 'room-projector-case-map')
  assertFits(map, 'case map')
  const overlapping = await screen.evaluate(() => {
    const boxes = [...document.querySelectorAll('.focal-point, .case-center')].map((el) => ({ name: el.querySelector('h1, h3')?.textContent, box: el.getBoundingClientRect() }))
    const apart = (a, b) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top
    return boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => !apart(a.box, b.box)).map((b) => `${a.name} / ${b.name}`))
  })
  assert.deepEqual(overlapping, [], 'case map: no focal point covers another or the case')
  assert.ok(map.cardPx >= PROJECTOR.casePeoplePx, `case map: names ${map.cardPx} px ≥ ${PROJECTOR.casePeoplePx} px`)
  assert.ok(map.label.px >= PROJECTOR.labelPx, `case map: every label ≥ ${PROJECTOR.labelPx} px (smallest: ${map.label.px} px, "${map.label.text}")`)
  await visible(screen.getByRole('heading', { name: 'Überschneidungen' }), 'the overlaps on the projector')
  await checkAxe('projector (case map)', screen)

  assert.deepEqual(problems, [], 'no uncaught page errors or dialogs')
  assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
})

/** Names of the visible buttons and links inside `selector` that appear more than once. */
function duplicateControls (page, selector) {
  return page.evaluate((selector) => {
    const names = [...document.querySelectorAll(`${selector} button, ${selector} a[href]`)]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => (el.getAttribute('aria-label') ?? el.textContent ?? '').trim())
    return names.filter((name, index) => names.indexOf(name) !== index)
  }, selector)
}

/** Whether `locator`'s box lies inside the viewport, as it is now (nothing scrolled). */
async function inViewport (page, locator, what) {
  const box = await (await visible(locator, what)).boundingBox()
  const { width, height } = page.viewportSize()
  assert.ok(box && box.y >= 0 && box.x >= 0 && box.y + box.height <= height && box.x + box.width <= width,
    `${what}: inside the ${width}×${height} viewport (at ${box && `${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}×${Math.round(box.height)}`})`)
}

test('The moderator laptop: the phase at hand above the fold, the whole wall in reach', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { axeFindings, checkAxe } = axeCollector()
  // Created on the start page, as a moderator does: the laptop keeps the board's links.
  const { mod, board: id, token } = await createConference(browser, server, problems, { title: 'Stadtteilkonferenz Schmellwitz', district: 'Schmellwitz', device: 'laptop' })
  const board = await wallBoard(server, await openBoard(server, { board: id, token }))
  t.after(() => board.moderator.close())
  board.growTo(40)
  const { moderator } = board
  const phases = [['Ankommen', 'info', '09:00'], ['Block 1 – Bedarfe sammeln', 'cards', '09:15'], ['Pause', 'info', '10:30']]
  const ids = phases.map(([title, kind, start], order) => putEntry(moderator, 'agenda', newId(), { title, kind, start, minutes: 15, order }))
  moderator.transact(() => {
    const meta = moderator.map('meta')
    meta.set('phase', ids[1])
    meta.set('revealed', false)
  })

  await count(mod.locator('.wall [data-card-id]'), 40, 'cards on the moderator wall')
  await screenshot(mod, 'room-moderator-wall')

  for (const name of ['Karten aufdecken', 'Abstimmung starten', 'Gemischte Gruppen bilden', 'Leinwand-Ansicht öffnen']) {
    await inViewport(mod, mod.getByRole(name.startsWith('Leinwand') ? 'link' : 'button', { name, exact: true }), `"${name}" (phase Block 1)`)
  }
  for (const cluster of CLUSTERS) {
    await visible(mod.locator(`[data-drop-label="${cluster[0]}"]`), `the drop target of cluster ${cluster[0]}`)
  }
  const controls = await mod.evaluate(() => ({
    pageScrolls: document.documentElement.scrollHeight > window.innerHeight
      ? `${document.documentElement.scrollHeight} px tall: ` + [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().bottom > window.innerHeight && getComputedStyle(el).position !== 'static')
        .slice(0, 4).map((el) => `${el.tagName.toLowerCase()}.${el.className}`).join(', ')
      : false,
    primary: [...document.querySelectorAll('button.primary')].filter((el) => el.getClientRects().length > 0).map((el) => el.textContent.trim())
  }))
  assert.equal(controls.pageScrolls, false, 'the moderator page itself does not scroll: the wall and the sidebar scroll on their own')
  assert.deepEqual(controls.primary, ['Karten aufdecken'], 'the most prominent button is the phase\'s next step')
  assert.deepEqual(await duplicateControls(mod, '.sidebar'), [], 'no control twice in the sidebar')
  assert.equal(await mod.getByRole('button', { name: 'Schreiben schließen' }).count(), 1, '"Schreiben schließen" once')
  const titles = await mod.locator('.cluster-title-input').evaluateAll((inputs) => inputs
    .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1).map((el) => el.value))
  assert.deepEqual(titles, [], 'cluster titles are not cut')

  // Drag with the mouse to the last cluster: the wall scrolls by itself.
  const wall = mod.locator('.wall-scroll')
  const last = CLUSTERS.at(-1)[0]
  const card = mod.locator('.unsorted [data-card-id]').first()
  const cardId = await card.getAttribute('data-card-id')
  const from = await card.boundingBox()
  const area = await wall.boundingBox()
  await mod.mouse.move(from.x + 20, from.y + 10)
  await mod.mouse.down()
  await mod.mouse.move(from.x + 40, from.y + 30, { steps: 4 })
  const scrolled = await waitFor(async () => {
    await mod.mouse.move(area.x + area.width / 2, area.y + area.height - 4, { steps: 2 })
    const target = await mod.locator(`[data-drop-label="${last}"]`).boundingBox()
    return target && target.y > area.y && target.y + 80 < area.y + area.height - 70 ? target : null
  }, `the wall scrolls while the card is held at its lower edge, until "${last}" is in view`)
  await mod.mouse.move(scrolled.x + scrolled.width / 2, scrolled.y + 40, { steps: 4 })
  await mod.mouse.up()
  await visible(mod.locator(`[data-drop-label="${last}"] [data-card-id="${cardId}"]`), `the card dropped into ${last}`)
  assert.equal(await mod.evaluate(() => window.scrollY), 0, 'the page did not scroll, the wall did')
  await inViewport(mod, mod.getByRole('button', { name: 'Rückgängig' }), 'undo, with the wall scrolled')

  // And back by keyboard: pick up with Space, arrows to "Noch nicht zugeordnet", Space.
  const handle = mod.locator(`[data-drag-handle="${cardId}"]`)
  await handle.focus()
  await mod.keyboard.press('Space')
  for (let step = 0; step < CLUSTERS.length + 2; step++) {
    if (await mod.locator('[data-drop="wall"][data-drop-active]').count() === 1) break
    await mod.keyboard.press('ArrowLeft')
  }
  await mod.keyboard.press('Space')
  await visible(mod.locator(`.unsorted [data-card-id="${cardId}"]`), 'the card back in the unsorted column, by keyboard')
  await checkAxe('moderator (wall, 1366×768)', mod)

  assert.deepEqual(problems, [], 'no uncaught page errors or dialogs')
  assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
})

/**
 * Horizontal overflow and tap targets smaller than 44 px on the page as it
 * is (interactive elements only; links inside running text are exempt, as
 * in WCAG 2.5.8).
 */
function phoneProblems (page) {
  return page.evaluate(() => {
    const wide = document.documentElement.scrollWidth > window.innerWidth
    const small = [...document.querySelectorAll('button, input, select, textarea, summary, a[href], [role="button"]')]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('.sr-only, p, li.inline'))
      .filter((el) => el.type !== 'checkbox' && el.type !== 'radio')
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ el, box }) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? el.value ?? '').trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`)
    const overflowing = wide
      ? [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && !el.closest('.sr-only'))
        .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className} → ${Math.round(el.getBoundingClientRect().right)} px`)
      : []
    return { width: document.documentElement.scrollWidth, overflowing, small }
  })
}

for (const language of ['de', 'en']) {
  test(`The phone at 360×640 (${language}): no sideways scrolling, every tap target 44 px`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const problems = []
    const { server, browser } = await startServerAndBrowser(t)
    const { axeFindings, checkAxe } = axeCollector()
    const board = await wallBoard(server)
    t.after(() => board.moderator.close())
    board.growTo(12)
    const { moderator } = board
    const agenda = [
      ['Begrüßung und Ablauf', 'info', '09:00'],
      ['Block 1 – Kennenlernen, Bedarfe sammeln', 'cards', '09:15'],
      ['Block 2 – Fallbeispiele', 'cases', '10:45'],
      ['Block 3 – Vernetzung und Verabredungen', 'agreements', '12:00']
    ].map(([title, kind, start], order) => ({ id: putEntry(moderator, 'agenda', newId(), { title, kind, start, minutes: 75, order }), kind }))
    const caseId = putEntry(moderator, 'cases', newId(), { title: 'Herr B. (SGB II)', framework: 'sgb2', story: 'Herr B., 34, kam vor drei Jahren.', order: 0 })
    FOCAL_POINTS.forEach((title, order) => putEntry(moderator, 'focalPoints', newId(), { case: caseId, title, order }))
    putEntry(moderator, 'agreements', newId(), {
      what: 'Gemeinsame Sprechstunde von Jobcenter und Migrationsberatung im Bürgerhaus',
      who: 'Jobcenter Cottbus, Migrationsberatung',
      due: '2027-03-31',
      status: 'confirmed',
      author: 'moderator',
      createdAt: Date.now()
    })

    const { page: phone, context } = await openPage(browser, 'phone', `phone ${language}`, problems)
    await context.addInitScript((language) => localStorage.setItem('kartenwand.locale', language), language)
    await phone.goto(`${server.url}/join/${board.join_code}`)
    const found = []
    const check = async (screen) => {
      await screenshot(phone, `room-phone-${language}-${screen}`)
      const { width, overflowing, small } = await phoneProblems(phone)
      if (width > 360) found.push(`${screen}: the page is ${width} px wide (${overflowing.join('; ')})`)
      if (small.length > 0) found.push(`${screen}: tap targets under 44 px: ${small.join(', ')}`)
      await checkAxe(`phone ${language} (${screen})`, phone)
    }
    await visible(phone.locator('form.join-form, form'), 'the join form')
    await check('join')
    if (language === 'de') {
      await fillJoinForm(phone, { name: 'Lea Fischer', organisation: 'Familienzentrum Sachsendorf', sector: 'stadtteil' })
      await phone.getByRole('button', { name: 'Beitreten' }).click()
    } else {
      await phone.getByLabel('Name', { exact: true }).fill('Lea Fischer')
      await phone.getByLabel('Organisation').fill('Familienzentrum Sachsendorf')
      await phone.getByLabel('Sector').selectOption('stadtteil')
      await phone.getByRole('button', { name: 'Join' }).click()
    }
    for (const { id, kind } of agenda) {
      moderator.map('meta').set('phase', id)
      await visible(phone.locator(`main[data-screen="${kind}"]`), `the phone follows to the ${kind} phase`)
      await check(kind)
    }
    await phone.locator('#screen-choice').selectOption('screen')
    await visible(phone.locator('main[data-screen="screen"]'), 'the phone follows the projector')
    await check('screen')

    assert.deepEqual(found, [], `phone (${language}) problems`)
    assert.deepEqual(problems, [], 'no uncaught page errors or dialogs')
    assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
  })
}
