// Hidden cards (docs/schema.md, "Hidden cards"): until the moderator
// reveals them, a card's text reaches only the moderators and the
// participants of the author's group. Unmodified y-websocket clients of
// another group and a viewer record every frame until the reveal; none
// holds the text. After the reveal both have it in their Y.Doc.
//
// Run: cd tests/node && npm ci && npm test

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import path from 'node:path'

import * as Y from 'yjs'

import { REPO } from '../harness/server.mjs'
import {
  Scope,
  TEST_TIMEOUT_MS,
  client,
  createBoard,
  frameToString,
  joinBoard,
  resyncBarrier,
  synced,
  waitFor
} from './harness.mjs'

const SECRET = 'Geheim: Kita-Plätze für Kinder aus der Sprachkurs-Gruppe'

/** The `json reveal-cards` block of docs/schema.md. */
async function revealCards () {
  const text = await readFile(path.join(REPO, 'docs', 'schema.md'), 'utf8')
  const block = text.match(/^```json reveal-cards\n([\s\S]*?)^```$/m)
  assert.ok(block, 'docs/schema.md has a `json reveal-cards` block')
  return JSON.parse(block[1])
}

/** Whether `needle` occurs in `haystack` (byte arrays). */
function holds (haystack, needle) {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer
    }
    return true
  }
  return false
}

const textOf = (c, id) => c.doc.getMap('cards').get(id)?.get('text')

test('a hidden card\'s text reaches the author\'s group and the moderator, no frame to another group or a viewer holds it, the reveal brings it to all',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const b = await createBoard(server, 'Verdeckte Karten', 'Sandow')
    const anna = await joinBoard(server, b.board, b.join_code, 'Anna', 'stadtteil')
    const ben = await joinBoard(server, b.board, b.join_code, 'Ben', 'behoerde')
    const carla = await joinBoard(server, b.board, b.join_code, 'Carla', 'traeger')
    const m = await synced(client(scope, server, b.board, b.moderator_token, 'moderator'))

    // Groups as the moderator forms them: Anna and Ben in one, Carla in another.
    m.doc.transact(() => {
      const groups = m.doc.getMap('groups')
      const participants = m.doc.getMap('participants')
      for (const [id, name] of [['gruppeEins01', 'Gruppe 1'], ['gruppeZwei01', 'Gruppe 2']]) {
        const group = new Y.Map()
        group.set('name', name)
        group.set('colour', 'yellow')
        groups.set(id, group)
      }
      for (const [p, group] of [[anna, 'gruppeEins01'], [ben, 'gruppeEins01'], [carla, 'gruppeZwei01']]) {
        const entry = new Y.Map()
        entry.set('name', p.participant_id)
        entry.set('group', group)
        participants.set(p.participant_id, entry)
      }
    })

    const author = await synced(client(scope, server, b.board, anna.token, 'anna'))
    const mate = await synced(client(scope, server, b.board, ben.token, 'ben'))
    const other = await synced(client(scope, server, b.board, carla.token, 'carla'))
    const viewer = await synced(client(scope, server, b.board, b.viewer_token, 'viewer'))
    for (const c of [author, mate, other, viewer]) {
      await waitFor(() => c.doc.getMap('participants').get(carla.participant_id)?.get('group') === 'gruppeZwei01',
        `${c.name} to receive the groups`)
    }

    author.doc.transact(() => {
      const card = new Y.Map()
      card.set('text', SECRET)
      card.set('kind', 'need')
      card.set('author', anna.participant_id)
      card.set('createdAt', Date.now())
      author.doc.getMap('cards').set('verdeckteKarte1', card)
    })
    for (const c of [m, mate]) {
      await waitFor(() => textOf(c, 'verdeckteKarte1') === SECRET, `${c.name} to receive the text before the reveal`)
    }
    for (const c of [other, viewer]) {
      await waitFor(() => c.doc.getMap('cards').has('verdeckteKarte1'), `${c.name} to receive the card`)
      assert.equal(textOf(c, 'verdeckteKarte1'), undefined, `${c.name} holds the card without its text`)
    }

    // Carla reconnects: her sync step 2 carries the hidden text as deleted.
    // That deletes nothing for anyone and is no refusal.
    other.provider.disconnect()
    await waitFor(() => !other.provider.wsconnected, 'carla to disconnect')
    other.syncEvents.length = 0
    other.provider.connect()
    await synced(other)
    await resyncBarrier(other)
    await resyncBarrier(m)
    assert.equal(textOf(m, 'verdeckteKarte1'), SECRET, 'the moderator still has the text after carla reconnected')
    const late = await synced(client(scope, server, b.board, b.moderator_token, 'late moderator'))
    assert.equal(textOf(late, 'verdeckteKarte1'), SECRET, 'the server still has the text after carla reconnected')

    const secret = new TextEncoder().encode(SECRET)
    for (const c of [other, viewer]) {
      assert.deepEqual(c.authFrames.map(frameToString), [], `${c.name} was refused nothing`)
      const holding = c.frames.filter((f) => holds(f.raw, secret))
      assert.deepEqual(holding.map(frameToString), [], `frames to ${c.name} that hold the hidden text`)
    }
    assert.ok(mate.frames.some((f) => holds(f.raw, secret)), 'a frame to the author\'s group holds the text')

    const reveal = await revealCards()
    m.doc.transact(() => {
      for (const [k, v] of Object.entries(reveal)) m.doc.getMap('meta').set(k, v)
    })
    for (const c of [other, viewer, author, mate, m]) {
      await waitFor(() => textOf(c, 'verdeckteKarte1') === SECRET, `${c.name} to have the text after the reveal`)
    }
  })
