// Browser E2E of a series (issue 15): four Cottbus district conferences
// (./series-data.mjs: realistic needs, the same need worded differently
// across districts) are filled through the real y-websocket client; in
// Chromium the organiser creates the series on the start page, adds the
// four conferences with their moderation links, accepts two suggestions
// and dismisses one (undo brings it back, redo dismisses it again; after a
// reload it stays away), names a topic and marks it city-wide, and
// downloads the report for the council, which holds every district and
// the matrix of topics × districts.
//
// Run: cd tests/e2e && node --test series.test.mjs   (server binary:
// $KARTENWAND_BIN or <repo>/target/debug/kartenwand).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'

import { gone, openPage, startServerAndBrowser, visible, waitFor } from './harness.mjs'
import { DISTRICTS } from './series-data.mjs'
import { createBoard, join, newId, putEntry } from './writer.mjs'

const TEST_TIMEOUT_MS = 120_000

const SERIES = 'Stadtteilkonferenzen Cottbus 2026'

test('A series: four districts compared, suggestions accepted and dismissed, the report downloaded', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { server, browser } = await startServerAndBrowser(t)
  const problems = []

  // ------------------------------------------------ four district conferences
  const boards = []
  for (const { district, clusters } of DISTRICTS) {
    const created = await createBoard(server, { title: `Stadtteilkonferenz ${district}`, district })
    const writer = created.moderator
    const people = [
      await join(server, writer, created.board, created.join_code, { name: `Ines Jobst (${district})`, organisation: 'Jobcenter Cottbus', sector: 'behoerde' }),
      await join(server, writer, created.board, created.join_code, { name: `Kai Nachbar (${district})`, organisation: `Bürgerverein ${district}`, sector: 'stadtteil' })
    ]
    writer.transact(() => {
      clusters.forEach(([title, cards], order) => {
        const cluster = putEntry(writer, 'clusters', newId(), { title, colour: 'yellow', order })
        cards.forEach((text, index) => {
          putEntry(writer, 'cards', newId(), { text, kind: 'need', author: people[index % 2].participant_id, cluster, createdAt: Date.now() })
        })
      })
    })
    boards.push(created)
  }
  t.after(() => { for (const board of boards) board.moderator.close() })
  // Written through to the server: each board's clusters as another client sees them.
  for (const board of boards) {
    await waitFor(async () => {
      const response = await fetch(`${server.url}/api/boards/${board.board}/export.json`, { headers: { authorization: `Bearer ${board.moderator_token}` } })
      const file = await response.json()
      return Object.keys(file.document?.cards ?? {}).length === 4
    }, `${board.board}: its cards on the server`)
  }

  // ------------------------------------------------ the organiser creates the series
  const organiser = await openPage(browser, 'desktop', 'organiser', problems)
  const page = organiser.page
  await page.goto(server.url + '/')
  await page.getByLabel('Name der Reihe').fill(SERIES)
  await page.getByRole('button', { name: 'Reihe anlegen' }).click()
  await page.waitForURL(/\/s\/[0-9a-f]+$/)
  assert.ok(!page.url().includes('token'), `the token left the address bar: ${page.url()}`)
  await visible(page.getByRole('heading', { name: 'Konferenzen der Reihe' }), 'the series page')

  for (const board of boards) {
    await page.getByLabel('Moderationslink').fill(board.moderator_url)
    await page.getByRole('button', { name: 'Hinzufügen', exact: true }).click()
    await visible(page.locator(`.series-conferences tr[data-board="${board.board}"]`), `${board.board} listed in the series`)
  }
  for (const { district } of DISTRICTS) {
    await visible(page.getByRole('region', { name: district, exact: true }), `${district}: its column in the comparison`)
  }
  await visible(page.getByText('Sprachkurse nur ohne Kita-Plätze möglich'), 'the needs verbatim in the comparison')

  // ------------------------------------------------ suggestions: two accepted, one dismissed
  // Found by the clusters they hold (their labels are the engine's words).
  const suggestion = (cluster) => page.locator('.series-suggestion').filter({ hasText: cluster })
  const courses = suggestion('Schmellwitz: Deutsch lernen')
  const housing = suggestion('Sachsendorf: Wohnungen')
  const offices = suggestion('Schmellwitz: Behördengänge')
  await visible(courses, 'the language courses suggested across districts')
  for (const cluster of ['Ströbitz: Sprachkurse', 'Spremberger Vorstadt: Kinderbetreuung']) {
    await visible(courses.getByText(cluster), `the language courses' suggestion holds ${cluster}`)
  }
  await visible(housing, 'the housing suggested across two districts')
  await visible(offices, 'the job centre suggested across two districts')
  await courses.getByRole('button', { name: 'Als Thema übernehmen' }).click()
  await visible(page.locator('[data-topic]').first(), 'the first topic')
  await gone(courses, 'an accepted suggestion leaves the list')
  await housing.getByRole('button', { name: 'Als Thema übernehmen' }).click()
  await waitFor(async () => (await page.locator('[data-topic]').count()) === 2, 'two topics')
  await offices.getByRole('button', { name: 'Verwerfen' }).click()
  await gone(offices, 'a dismissed suggestion leaves the list')

  // Undo brings the dismissed one back, redo dismisses it again.
  await page.getByRole('button', { name: 'Rückgängig' }).click()
  await visible(offices, 'undo: the dismissed suggestion is back')
  await page.getByRole('button', { name: 'Wiederholen' }).click()
  await gone(offices, 'redo: dismissed again')

  // Name the language topic and mark it city-wide.
  const language = page.locator('[data-topic]').filter({ hasText: 'Schmellwitz: Deutsch lernen' })
  await language.getByLabel('Titel des Themas').fill('Sprachkurse mit Kinderbetreuung')
  await language.getByLabel('Titel des Themas').press('Enter')
  const renamed = page.getByRole('article', { name: 'Sprachkurse mit Kinderbetreuung' })
  await visible(renamed, 'the topic renamed')
  await renamed.getByLabel('Reichweite').selectOption('city')
  await waitFor(async () => (await renamed.getByLabel('Reichweite').inputValue()) === 'city', 'the topic is city-wide')
  await visible(renamed.getByText('Ströbitz, Spremberger Vorstadt, Schmellwitz'), 'the topic names its three districts')

  // After a reload the dismissed suggestion stays away.
  await page.reload()
  await visible(page.getByRole('article', { name: 'Sprachkurse mit Kinderbetreuung' }), 'the topics after a reload')
  await visible(page.getByRole('heading', { name: 'Vorschläge: Cluster, die dasselbe meinen' }), 'the suggestions after a reload')
  assert.equal(await offices.count(), 0, 'a dismissed suggestion does not come back')

  // ------------------------------------------------ the report for the council
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('group', { name: 'Herunterladen als' }).getByRole('button', { name: 'Markdown' }).click()
  ])
  assert.equal(await download.failure(), null, 'the report downloads')
  const report = await readFile(await download.path(), 'utf8')
  assert.match(download.suggestedFilename(), /^kartenwand-series-.*\.md$/)
  for (const { district } of DISTRICTS) assert.ok(report.includes(district), `the report holds ${district}`)
  assert.ok(report.includes('Themen und Stadtteile'), 'the report holds the matrix')
  const header = report.split('\n').find((line) => line.includes('| Thema |'))
  assert.ok(header && DISTRICTS.every(({ district }) => header.includes(district)), `the matrix has a column per district: ${header}`)
  assert.ok(report.includes('Sprachkurse mit Kinderbetreuung'), 'the report holds the named topic')
  assert.ok(report.includes('Sprachkurse nur ohne Kita-Plätze möglich'), 'the report quotes the needs verbatim')
  assert.ok(report.includes('stadtweit'), 'the report says the topic is city-wide')
  assert.ok(report.includes('Jobcenter Cottbus'), 'the report names the organisation active in several districts')
  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('group', { name: 'Herunterladen als' }).getByRole('button', { name: 'PDF' }).click()
  ])
  assert.equal((await readFile(await pdf.path())).subarray(0, 5).toString(), '%PDF-', 'the PDF report')

  await organiser.context.close()
  assert.deepEqual(problems, [], 'no uncaught errors or dialogs')
})
