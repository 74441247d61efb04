// Browser E2E: the problem–solution tree of the Kassel format (issue 14)
// against the real binary in Debian's Chromium.
//
//   an event with three reflection groups, each a tree board (made through
//   the API: the event's own E2E drives the organiser's pages) → six phones
//   join through the event's link and land in their groups → each group's
//   moderator opens the morning part ("Herausforderungen sammeln") → the
//   phones add challenges, one a sub-challenge → a solution sent before the
//   afternoon part (by a stock y-websocket client with a participant's
//   token) is refused: it reaches nobody → the moderators close the
//   challenges and open the solutions → the phones add solutions → group
//   A's moderator merges two challenges (both texts stay, the author's
//   phone does not get it back as lost) and undoes and redoes it → group
//   A's projector draws the tree live → a fourth tree with 30 challenges
//   and 60 solutions fills a 1920×1080 projector without scrolling, and
//   the test prints the type size it reached.
//   Artifacts: tree-phone.png, tree-moderator.png, tree-projector.png,
//   tree-projector-full.png.
//
// Run: cd tests/e2e && node --test tree.test.mjs   (binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { api } from '../harness/server.mjs'
import { connect, newId, putEntry } from './writer.mjs'
import {
  axeCollector,
  count,
  fillJoinForm,
  openPage,
  screenshot,
  startServerAndBrowser,
  visible,
  waitFor
} from './harness.mjs'

const TEST_TIMEOUT_MS = 300_000
const QUESTION = 'Was erschwert die Zusammenarbeit mit externen Partnern?'
const GROUPS = ['Reflexion A', 'Reflexion B', 'Reflexion C']

const PEOPLE = [
  ['Lena Nzume', 'Stadt Oldenburg', 'Behörde'],
  ['Cemalettin Özer', 'MOZAIK gGmbH', 'freier Träger'],
  ['Iris Lopatta', 'Transferagentur', 'Stadtteil'],
  ['Katja Schöne', 'Stadt Kassel', 'Politik'],
  ['Muhammet Karatas', 'KAUSA Stuttgart', 'Wirtschaft'],
  ['Ulrike Keller', 'Landkreis Offenbach', 'Behörde']
].map(([name, organisation, sector]) => ({ name, organisation, sector }))

/** Two challenges per person, in their own words. */
function challengesOf (person) {
  const first = person.name.split(' ')[0]
  return [
    `${first}: Ansprechpartner beim Jobcenter wechseln ständig`,
    `${first}: Keine Zeit für gemeinsame Fallbesprechungen`
  ]
}

/** The challenges and solutions the full projector shows: 30 and 60 of realistic length. */
const FULL_CHALLENGES = [
  'Datenschutz bremst den Austausch zwischen Ämtern',
  'Zuständigkeiten zwischen Rechtskreisen sind unklar',
  'Migrantenorganisationen werden zu spät einbezogen',
  'Förderprogramme laufen nach zwei Jahren aus',
  'Sprachkursträger planen nicht gemeinsam',
  'Ehrenamtliche fühlen sich nicht ernst genommen'
]
const FULL_SOLUTIONS = [
  'Einwilligung gleich beim Erstgespräch einholen',
  'Feste Ansprechperson pro Träger benennen',
  'Gemeinsamer Kalender aller Kurse im Landkreis',
  'Runder Tisch einmal im Quartal'
]

const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A challenge's entry on a phone or the moderator's page, by its name
 * (texts of a merged one in order): what a screen reader announces.
 */
function challengeRow (page, ...texts) {
  return page.getByRole('listitem', { name: new RegExp(`^(Teil-)?Herausforderung: ${texts.map(escapeRe).join('\\s+')}$`) })
}

function solutionRow (scope, text) {
  return scope.getByRole('listitem', { name: `Lösung: ${text}`, exact: true })
}

test('The problem–solution tree: three groups, two parts, a merge, the projector', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { axeFindings, checkAxe } = axeCollector()

  // ------------------------------------------------ the event: a plenary and four trees
  const boards = [
    { title: 'Plenum', kind: 'plenary', location: 'Saal' },
    ...GROUPS.map((group, i) => ({ title: `${group}: ${QUESTION}`, kind: 'tree', location: `Foyer ${i + 1}` }))
  ]
  const made = await api(server, 'POST', '/api/events', { title: 'Kommunen im Dialog', date: '2027-03-31', venue: 'Kassel', boards })
  assert.equal(made.status, 201, made.text)
  const created = made.json
  const organiser = { authorization: `Bearer ${created.organiser_token}` }
  const trees = created.boards.filter((board) => board.kind === 'tree')
  const part = await api(server, 'POST', `/api/events/${created.event}/part`, { part: 'reflection' }, organiser)
  assert.equal(part.status, 200, part.text)

  // ------------------------------------------------ six phones join and land in their groups
  const phones = []
  for (const [i, person] of PEOPLE.entries()) {
    const phone = await openPage(browser, 'phone', `phone ${i + 1} (${person.name})`, problems)
    phone.person = person
    await phone.page.goto(created.join_url)
    await visible(phone.page.getByRole('heading', { name: 'Mitmachen' }), `${phone.name}: the join form`)
    await fillJoinForm(phone.page, person)
    await phone.page.getByRole('button', { name: 'Beitreten' }).tap()
    await visible(phone.page.getByText('Der Baum ist gerade geschlossen.', { exact: false }), `${phone.name}: the tree of its group, closed for now`)
    await visible(phone.page.locator('.topbar .status-online'), `${phone.name}: on its group's board`)
    phones.push(phone)
  }
  const desk = await api(server, 'GET', `/api/events/${created.event}/desk`, undefined, organiser)
  assert.equal(desk.status, 200, desk.text)
  const groupOf = new Map(desk.json.participants.map((person) => [person.name, person.group]))
  for (const phone of phones) {
    phone.board = trees.find((board) => board.board === groupOf.get(phone.person.name))
    assert.ok(phone.board, `${phone.person.name} is in one of the three groups`)
  }
  const inGroup = (board) => phones.filter((phone) => phone.board === board)
  for (const board of trees) assert.equal(inGroup(board).length, 2, `${board.title}: two phones`)

  // ------------------------------------------------ the morning: challenges
  const moderators = []
  for (const board of trees) {
    const moderator = await openPage(browser, 'laptop', `moderator of ${board.title.split(':')[0]}`, problems)
    await moderator.page.goto(board.moderator_url)
    await visible(moderator.page.locator('.topbar .status-online'), `${moderator.name}: connected`)
    await visible(moderator.page.getByRole('button', { name: 'Problem-Lösungs-Baum', pressed: true }), `${moderator.name}: the tree is the work area`)
    await moderator.page.getByRole('button', { name: 'Herausforderungen sammeln' }).click()
    await visible(moderator.page.getByRole('button', { name: 'Herausforderungen schließen' }), `${moderator.name}: the morning part is open`)
    moderator.board = board
    moderators.push(moderator)
  }
  const written = new Map(trees.map((board) => [board.board, []]))
  for (const phone of phones) {
    const page = phone.page
    await visible(page.getByText('Jetzt: Herausforderungen sammeln.', { exact: false }), `${phone.name}: told that challenges are collected now`)
    for (const text of challengesOf(phone.person)) {
      await page.getByLabel('Neue Herausforderung').fill(text)
      await page.getByLabel('Neue Herausforderung').press('Enter')
      await visible(challengeRow(page, text), `${phone.name}: "${text}" in its tree`)
      written.get(phone.board.board).push(text)
    }
  }
  // A sub-challenge, from the phone's own list, by keyboard.
  const first = phones[0]
  const parentText = challengesOf(first.person)[0]
  const subText = `${first.person.name.split(' ')[0]}: Vertretungen sind nirgends geregelt`
  await first.page.getByRole('button', { name: `Teil-Herausforderung zu „${parentText}“` }).click()
  await first.page.getByLabel(`Teil-Herausforderung zu „${parentText}“`).fill(subText)
  await first.page.getByLabel(`Teil-Herausforderung zu „${parentText}“`).press('Enter')
  await visible(challengeRow(first.page, parentText).getByRole('listitem', { name: `Teil-Herausforderung: ${subText}`, exact: true }), 'the sub-challenge hangs under its challenge')
  // Every phone of a group sees the other's challenges, live.
  for (const phone of phones) {
    for (const text of written.get(phone.board.board)) await visible(challengeRow(phone.page, text), `${phone.name}: "${text}" of its group`)
  }
  await checkAxe('phone (tree, challenges part)', first.page)
  await screenshot(first.page, 'tree-phone')

  // ------------------------------------------------ a solution before the afternoon is refused
  const groupA = first.board
  const early = await api(server, 'POST', `/api/events/${created.event}/join`, {
    join_code: created.join_code, name: 'Hadrien Segond', organisation: 'Transferagentur', sector: 'stadtteil', attributes: {}
  })
  assert.equal(early.status, 201, early.text)
  const placed = await api(server, 'POST', `/api/events/${created.event}/assignments`, { participant: early.json.participant_id, board: groupA.board }, organiser)
  assert.equal(placed.status, 200, placed.text)
  const stock = await connect(server, groupA.board, early.json.token, 'a stock y-websocket client in group A')
  t.after(() => stock.close())
  const challengeId = [...stock.map('cards').entries()].find(([, card]) => card.get('text') === parentText)?.[0]
  assert.ok(challengeId, 'the stock client sees the challenge')
  const tooEarly = 'Vor der Zeit: Patenschaften zwischen Ämtern'
  const refusedId = newId()
  putEntry(stock, 'cards', refusedId, { text: tooEarly, kind: 'solution', author: early.json.participant_id, parent: challengeId, createdAt: Date.now() })
  await waitFor(() => !stock.map('cards').has(refusedId), 'the server takes the early solution back (the solutions part is closed)')
  // The moderator and the group's phones have the challenge, never the refused solution.
  const moderatorA = moderators.find((moderator) => moderator.board === groupA)
  await visible(challengeRow(moderatorA.page, parentText), 'group A\'s moderator sees the challenge')
  for (const page of [moderatorA.page, ...inGroup(groupA).map((phone) => phone.page)]) {
    assert.equal(await page.getByText(tooEarly).count(), 0, 'the refused solution reached nobody')
  }

  // ------------------------------------------------ the afternoon: solutions
  for (const moderator of moderators) {
    await moderator.page.getByRole('button', { name: 'Herausforderungen schließen' }).click()
    await moderator.page.getByRole('button', { name: 'Lösungen sammeln' }).click()
    await visible(moderator.page.getByRole('button', { name: 'Lösungen schließen' }), `${moderator.name}: the afternoon part is open`)
  }
  const solutions = new Map(trees.map((board) => [board.board, []]))
  for (const [i, phone] of phones.entries()) {
    const page = phone.page
    await visible(page.getByText('Jetzt: Lösungen sammeln.', { exact: false }), `${phone.name}: told that solutions are collected now`)
    assert.equal(await page.getByLabel('Neue Herausforderung').count(), 0, `${phone.name}: no new challenges in the afternoon`)
    // A solution to the other phone's first challenge in the group.
    const other = inGroup(phone.board).find((p) => p !== phone)
    const target = challengesOf(other.person)[0]
    const text = `Lösung ${i + 1}: ${['Feste Ansprechperson benennen', 'Monatliche Fallkonferenz', 'Gemeinsame Kontaktliste'][i % 3]}`
    await page.getByRole('button', { name: `Lösung zu „${target}“` }).click()
    await page.getByLabel(`Lösung zu „${target}“`).fill(text)
    await page.getByLabel(`Lösung zu „${target}“`).press('Enter')
    await visible(solutionRow(challengeRow(page, target), text), `${phone.name}: its solution hangs under "${target}"`)
    solutions.get(phone.board.board).push({ text, target })
  }
  // The stock client's solution is taken now.
  const onTime = 'Zur rechten Zeit: Patenschaften zwischen Ämtern'
  const acceptedId = newId()
  putEntry(stock, 'cards', acceptedId, { text: onTime, kind: 'solution', author: early.json.participant_id, parent: challengeId, createdAt: Date.now() })
  await visible(solutionRow(challengeRow(moderatorA.page, parentText), onTime), 'the solution sent in the afternoon reaches the moderator')

  // ------------------------------------------------ group A's moderator merges two duplicates
  const [keep, duplicate] = inGroup(groupA).map((phone) => challengesOf(phone.person)[1])
  const keptRow = challengeRow(moderatorA.page, keep)
  await keptRow.getByLabel('Zusammenführen mit').first().selectOption({ label: duplicate })
  await keptRow.getByRole('button', { name: 'Zusammenführen' }).first().click()
  await visible(challengeRow(moderatorA.page, keep, duplicate), 'one challenge holds both texts')
  await count(challengeRow(moderatorA.page, duplicate), 0, 'the duplicate is gone as an entry of its own')
  await moderatorA.page.getByRole('button', { name: 'Rückgängig' }).click()
  await visible(challengeRow(moderatorA.page, duplicate), 'undo brings the duplicate back')
  await moderatorA.page.getByRole('button', { name: 'Wiederholen' }).click()
  await visible(challengeRow(moderatorA.page, keep, duplicate), 'redo merges again')
  const author = inGroup(groupA).find((phone) => challengesOf(phone.person)[1] === duplicate)
  await visible(challengeRow(author.page, keep, duplicate), 'the author of the duplicate sees the merged challenge')
  assert.equal(await author.page.getByRole('heading', { name: 'Nicht angenommene Einträge' }).count(), 0, 'a merged challenge is not given back as lost')
  await checkAxe('moderator (tree editor)', moderatorA.page)
  await screenshot(moderatorA.page, 'tree-moderator')

  // ------------------------------------------------ group A's projector draws the tree, live
  const screenA = await openPage(browser, 'projector', 'group A projector', problems)
  await screenA.page.goto(groupA.presenter_url)
  await visible(screenA.page.locator('.tree-question').getByText(groupA.title, { exact: true }), 'the question at the trunk')
  const drawn = screenA.page.locator('.display-tree')
  const challengesA = written.get(groupA.board).filter((text) => text !== keep && text !== duplicate).concat([subText])
  for (const text of challengesA) await visible(drawn.locator('.tree-challenge', { hasText: text }), `"${text}" drawn`)
  await visible(drawn.locator('.tree-challenge', { hasText: duplicate }).filter({ hasText: keep }), 'the merged challenge drawn with both texts')
  for (const { text } of solutions.get(groupA.board)) await visible(drawn.locator('.tree-solution', { hasText: text }), `the solution "${text}" drawn`)
  await visible(drawn.locator('.tree-branch', { hasText: parentText }).locator('.tree-solution', { hasText: onTime }), 'the afternoon solution on its branch')
  assert.equal(await drawn.getByText(tooEarly).count(), 0, 'the refused solution is not drawn')
  const late = 'Lösung 9: Gemeinsame Fortbildung der Fachkräfte'
  const lateTarget = challengesOf(inGroup(groupA)[1].person)[0]
  await inGroup(groupA)[0].page.getByRole('button', { name: `Lösung zu „${lateTarget}“` }).click()
  await inGroup(groupA)[0].page.getByLabel(`Lösung zu „${lateTarget}“`).fill(late)
  await inGroup(groupA)[0].page.getByLabel(`Lösung zu „${lateTarget}“`).press('Enter')
  await visible(drawn.locator('.tree-branch', { hasText: lateTarget }).locator('.tree-solution', { hasText: late }), 'a solution written now is drawn at once')
  await checkAxe('projector (tree)', screenA.page)
  await screenshot(screenA.page, 'tree-projector')
  await screenA.context.close()

  // ------------------------------------------------ a full tree on a 1920×1080 projector
  const alone = await api(server, 'POST', '/api/events', {
    title: 'Kommunen im Dialog, Nachlese', date: '2027-04-01', boards: [{ title: `Reflexion D: ${QUESTION}`, kind: 'tree' }]
  })
  assert.equal(alone.status, 201, alone.text)
  const full = alone.json.boards[0]
  const filler = await connect(server, full.board, full.moderator_token, 'the moderator of group D')
  t.after(() => filler.close())
  filler.transact(() => {
    const ids = []
    for (let i = 0; i < 30; i++) {
      const id = newId()
      ids.push(id)
      putEntry(filler, 'cards', id, { text: `${i + 1}. ${FULL_CHALLENGES[i % FULL_CHALLENGES.length]}`, kind: 'challenge', author: 'moderator', createdAt: 1_800_000_000_000 + i })
    }
    for (let i = 0; i < 60; i++) {
      putEntry(filler, 'cards', newId(), { text: FULL_SOLUTIONS[i % FULL_SOLUTIONS.length], kind: 'solution', author: 'moderator', parent: ids[i % 30], createdAt: 1_800_000_001_000 + i })
    }
  })
  const screenD = await openPage(browser, 'projector', 'group D projector', problems)
  await screenD.page.goto(full.presenter_url)
  await count(screenD.page.locator('.tree-challenge'), 30, 'thirty challenges drawn')
  await count(screenD.page.locator('.tree-solution'), 60, 'sixty solutions drawn')
  const layout = await screenD.page.evaluate(() => {
    const entries = [...document.querySelectorAll('.tree-challenge, .tree-solution')]
    const boxes = entries.map((el) => el.getBoundingClientRect())
    const size = (selector) => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)
    return {
      width: window.innerWidth,
      height: window.innerHeight,
      scrollHeight: document.documentElement.scrollHeight,
      scrollWidth: document.documentElement.scrollWidth,
      right: Math.max(...boxes.map((b) => b.right)),
      bottom: Math.max(...boxes.map((b) => b.bottom)),
      challengePx: size('.tree-challenge'),
      solutionPx: size('.tree-solution'),
      questionPx: size('.tree-question')
    }
  })
  console.log(`projector 1920×1080, a tree of 30 challenges and 60 solutions: challenges ${layout.challengePx.toFixed(1)} px, solutions ${layout.solutionPx.toFixed(1)} px, the question ${layout.questionPx.toFixed(1)} px`)
  assert.ok(layout.scrollHeight <= layout.height && layout.scrollWidth <= layout.width, `the projector does not scroll (${layout.scrollWidth}×${layout.scrollHeight})`)
  assert.ok(layout.right <= layout.width && layout.bottom <= layout.height, `every entry is on the screen (right ${layout.right}, bottom ${layout.bottom})`)
  assert.ok(layout.solutionPx >= 16, `solutions readable from the back of the room: ${layout.solutionPx} px`)
  await checkAxe('projector (full tree)', screenD.page)
  await screenshot(screenD.page, 'tree-projector-full')

  assert.deepEqual(problems, [], 'no uncaught page errors or dialogs in any view')
  assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
})
