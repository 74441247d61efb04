// Conformance, erasure: the real, unmodified npm `yjs` + `y-websocket`
// client against the real `kartenwand` binary. A laptop that still holds a
// person's card (it was offline when the person was erased, and edited
// meanwhile) reconnects: its own edit arrives, the erased card does not
// come back, neither in the server's files nor in a fresh client, and the
// laptop's copy loses it too (docs/protocol.md, "Erasing a person").
//
// Run: cd tests/node && node --test erasure.test.mjs
// Binary: $KARTENWAND_BIN, else <repo>/target/debug/kartenwand.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

import {
  Scope,
  TEST_TIMEOUT_MS,
  addCard,
  api,
  client,
  createBoard,
  joinBoard,
  synced,
  waitFor
} from './harness.mjs'

const CANARY = 'Kanarienvogel-im-Laptop-5f0b2e'

/** The files below `dir` whose bytes hold `needle`. */
async function filesHolding (dir, needle) {
  const found = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath ?? entry.path, entry.name)
    const bytes = await readFile(file).catch(() => Buffer.alloc(0))
    if (bytes.includes(Buffer.from(needle))) found.push(file)
  }
  return found
}

test('a stale y-websocket client that holds an erased card brings nothing of it back', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const scope = new Scope(t)
  const server = await scope.server()
  const b = await createBoard(server, 'Stadtteilkonferenz Sandow', 'Sandow')
  const ada = await joinBoard(server, b.board, b.join_code, 'Ada Kanarienvogel', 'stadtteil')

  const phone = await synced(client(scope, server, b.board, ada.token, 'phone'))
  addCard(phone.doc, 'cardOfAda001', CANARY, ada.participant_id)
  const laptop = await synced(client(scope, server, b.board, b.moderator_token, 'laptop'))
  await waitFor(() => laptop.doc.getMap('cards').has('cardOfAda001'), 'the card on the laptop')
  assert.ok((await filesHolding(server.dataDir, CANARY)).length > 0, 'before: the card is in the data directory')

  // The laptop goes offline and writes a card of its own meanwhile.
  laptop.provider.disconnect()
  addCard(laptop.doc, 'cardOffline01', 'Offline geschrieben')

  const erased = await api(server, 'DELETE', `/api/boards/${b.board}/participants/${ada.participant_id}`, undefined,
    { authorization: `Bearer ${b.moderator_token}` })
  assert.equal(erased.status, 204, erased.text)
  await waitFor(() => phone.closes.some((c) => c?.code === 4401), () => `the phone closed with 4401: ${JSON.stringify(phone.closes)}`)
  phone.provider.disconnect()

  laptop.provider.connect()
  await synced(laptop)
  const fresh = await synced(client(scope, server, b.board, b.viewer_token, 'fresh'))
  await waitFor(() => fresh.doc.getMap('cards').has('cardOffline01'), 'the laptop\'s offline card reaches a fresh client')
  assert.ok(!fresh.doc.getMap('cards').has('cardOfAda001'), 'the erased card is not back for a fresh client')
  await waitFor(() => !laptop.doc.getMap('cards').has('cardOfAda001'), 'the laptop loses the erased card too')
  const files = await filesHolding(server.dataDir, CANARY)
  assert.deepEqual(files, [], 'no file of the data directory holds the erased card')
})
