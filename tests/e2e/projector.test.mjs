// Browser E2E: a full wall on the projector, against the real binary in
// Debian's Chromium.
//
//   create the conference → four clusters → the moderator adds sixty cards
//   (what forty to fifty phones write in Block 1) → reveal →
//   the projector (1920×1080) shows every card without scrolling: nobody
//   scrolls a projector, so the type shrinks until the wall fits.
//
// Prints the type size the projector chose (a measurement, not an
// assertion of speed). Screenshot: tests/e2e/artifacts/presenter-full-wall.png.
//
// Run: cd tests/e2e && node --test projector.test.mjs   (binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  axeCollector,
  count,
  createConference,
  openPage,
  screenshot,
  startServerAndBrowser,
  visible
} from './harness.mjs'

const TEST_TIMEOUT_MS = 120_000
const CARDS = 60
const CLUSTERS = ['Kinderbetreuung', 'Wohnen', 'Sprache', 'Arbeit']

/** Sixty different needs of realistic length (30–90 characters). */
function cardText (index) {
  const needs = [
    'Kitaplätze für Kinder von Eltern in Sprachkursen',
    'Bezahlbare große Wohnungen für Familien mit vielen Kindern',
    'Sprachkurse am Abend für Berufstätige',
    'Begleitung zu Terminen beim Jobcenter und bei der Ausländerbehörde',
    'Treffpunkt für Jugendliche am Abend',
    'Hausaufgabenhilfe im Quartier'
  ]
  return `${index + 1}. ${needs[index % needs.length]}`
}

test('A full wall fits the projector without scrolling', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const problems = []
  const { server, browser } = await startServerAndBrowser(t)
  const { axeFindings, checkAxe } = axeCollector()

  const { mod } = await createConference(browser, server, problems, { title: 'Stadtteilkonferenz Sachsendorf', district: 'Sachsendorf' })
  const presenterUrl = await mod.getByRole('link', { name: 'Leinwand-Ansicht öffnen' }).getAttribute('href')

  const presenter = await openPage(browser, 'projector', 'presenter', problems)
  const screen = presenter.page
  await screen.goto(presenterUrl)
  await visible(screen.locator('.join-screen'), 'projector shows the join screen')

  for (const title of CLUSTERS) {
    await mod.getByLabel('Name des neuen Clusters').fill(title)
    await mod.getByRole('button', { name: 'Cluster anlegen' }).click()
  }
  const field = mod.getByLabel('Eigene Karte')
  for (let index = 0; index < CARDS; index++) {
    await field.fill(cardText(index))
    await field.press('Enter')
  }
  await count(mod.locator('.wall [data-card-id]'), CARDS, 'cards on the moderator wall')
  // Unsorted, as right after the reveal: the longest wall (the empty
  // clusters show too).
  await mod.getByRole('button', { name: 'Karten aufdecken' }).click()
  await count(screen.locator('.card-text'), CARDS, 'every card on the projector')

  const layout = await screen.evaluate(() => {
    const viewport = window.innerHeight
    const bottoms = [...document.querySelectorAll('.card-text')].map((el) => el.getBoundingClientRect().bottom)
    const card = document.querySelector('.card-text')
    return {
      viewport,
      scrollHeight: document.documentElement.scrollHeight,
      lowest: Math.max(...bottoms),
      fontPx: card ? parseFloat(getComputedStyle(card).fontSize) : 0
    }
  })
  console.log(`projector 1920×1080 with ${CARDS} cards: card text ${layout.fontPx.toFixed(1)} px, page ${layout.scrollHeight} of ${layout.viewport} px`)
  assert.ok(layout.scrollHeight <= layout.viewport, `the projector page does not scroll (${layout.scrollHeight} > ${layout.viewport} px)`)
  assert.ok(layout.lowest <= layout.viewport, `every card is on the screen (the lowest ends at ${layout.lowest} px)`)
  await checkAxe('presenter (full wall)', screen)
  await screenshot(screen, 'presenter-full-wall')

  assert.deepEqual(problems, [], 'no uncaught page errors or dialogs in any view')
  assert.deepEqual(axeFindings, [], 'axe-core: no serious or critical violations\n' + axeFindings.join('\n'))
})
