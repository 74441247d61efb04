// Conformance, durability: restarts after SIGTERM restore everything, and
// whatever any client received survives SIGKILL or SIGTERM, even while
// edits are still arriving.
//
// Run: cd tests/node && npm ci && npm test   (see harness.mjs)

import { test } from 'node:test'
import assert from 'node:assert/strict'

import * as Y from 'yjs'

import {
  MSG_SYNC,
  SYNC_STEP2,
  SYNC_UPDATE,
  Scope,
  TEST_TIMEOUT_MS,
  addCard,
  assertGoodFrames,
  assertMeta,
  client,
  createBoard,
  snapshot,
  svKey,
  synced,
  waitFor
} from './harness.mjs'

test('persistence: SIGTERM exits 0 within 5 s; restart on the same data dir restores everything',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const dir = await scope.dataDir()
    const s1 = await scope.server(dir)
    const title = 'Größe für Kitas – Neustart'
    const b = await createBoard(s1, title, 'Hafen')
    const a = await synced(client(scope, s1, b.board, b.moderator_token, 'A'))
    const w = await synced(client(scope, s1, b.board, b.moderator_token, 'witness'))
    for (let k = 0; k < 30; k++) addCard(a.doc, `n-${k}`, `Größe für Kitas ${k}`)
    a.doc.getText('conformance_text').insert(0, 'Größe für Kitas, Übergänge')
    a.doc.getArray('conformance_list').push([{ ü: 'ß' }])
    a.doc.getMap('cards').delete('n-3')
    await waitFor(() => svKey(w.doc) === svKey(a.doc) && JSON.stringify(snapshot(w.doc)) === JSON.stringify(snapshot(a.doc)),
      'witness to receive all edits before the restart')
    const before = snapshot(a.doc)
    const beforeSv = svKey(a.doc)

    const stopped = await s1.stop()
    assert.equal(stopped.forced, false, `server did not exit within 5 s of SIGTERM (${stopped.ms} ms, SIGKILLed)`)
    assert.equal(stopped.code, 0, `exit after SIGTERM: ${JSON.stringify(stopped)}\n${s1.stderrTail()}`)
    w.provider.destroy()

    const s2 = await scope.server(dir)
    assert.notEqual(s2.url, s1.url)
    const fresh = client(scope, s2, b.board, b.moderator_token, 'after-restart')
    let atSync = null
    fresh.provider.on('sync', (s) => { if (s && !atSync) atSync = { snap: snapshot(fresh.doc), sv: svKey(fresh.doc) } })
    await synced(fresh)
    assert.deepEqual(atSync.snap, before, 'state after restart, at sync')
    assert.equal(atSync.sv, beforeSv, 'state vector after restart, at sync')
    assertMeta(fresh.doc, title, 'Hafen', 'after restart')

    // The old provider A, pointed at the new port, syncs and can keep writing.
    a.provider.disconnect()
    a.provider.serverUrl = `${s2.wsBase}/ws`
    a.provider.connect()
    await synced(a)
    addCard(a.doc, 'nach-neustart', 'Größe für Kitas, danach')
    await waitFor(() => fresh.doc.getMap('cards').get('nach-neustart')?.get('text') === 'Größe für Kitas, danach',
      'a write after the restart to reach the fresh client')
    assertGoodFrames(a, w, fresh)
  })

test('durability: SIGKILL right after another client has seen an update loses nothing',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const dir = await scope.dataDir()
    const s1 = await scope.server(dir)
    const b = await createBoard(s1, 'Größe für Kitas – Absturz', 'Hafen')
    const a = await synced(client(scope, s1, b.board, b.moderator_token, 'A'))
    const w = await synced(client(scope, s1, b.board, b.moderator_token, 'witness'))
    for (let k = 0; k < 10; k++) addCard(a.doc, `k-${k}`, `Größe für Kitas ${k}`)
    await waitFor(() => svKey(w.doc) === svKey(a.doc), 'witness to receive all edits')
    const seen = snapshot(w.doc)
    await s1.kill9()
    a.provider.destroy()
    w.provider.destroy()
    const s2 = await scope.server(dir)
    const fresh = await synced(client(scope, s2, b.board, b.moderator_token, 'after-kill'))
    assert.deepEqual(snapshot(fresh.doc), seen, 'state after SIGKILL + restart, at sync')
  })

/** What `c` received from the server (sync step 2s and updates), as a document. */
function receivedDoc (c) {
  const doc = new Y.Doc()
  for (const f of c.frames) {
    if (f.type === MSG_SYNC && (f.sub === SYNC_STEP2 || f.sub === SYNC_UPDATE)) Y.applyUpdate(doc, f.payload)
  }
  return doc
}

/**
 * Two writers add cards without pause and two viewers read along; once a
 * viewer has 60 cards, `stop(server)` ends the process while edits are
 * still arriving. Returns the cards any client received (read to the end
 * of its connection), how many cards were written, and the clients.
 */
async function burstThen (scope, server, b, stop) {
  const witnesses = [0, 1].map((i) => client(scope, server, b.board, b.viewer_token, `witness${i}`))
  const writers = [0, 1].map((i) => client(scope, server, b.board, b.moderator_token, `writer${i}`))
  await Promise.all([...witnesses, ...writers].map(synced))
  let written = 0
  const writing = writers.map(async (w, i) => {
    for (let n = 0; w.provider.wsconnected; n++) {
      addCard(w.doc, `w${i}-${n}`, `Bedarf ${i}.${n}: Größe für Kitas`)
      written++
      await new Promise((resolve) => setImmediate(resolve))
    }
    w.provider.disconnect()
  })
  await waitFor(() => witnesses[0].doc.getMap('cards').size >= 60, 'the first witness to see part of the burst')
  const stopped = await stop()
  await Promise.all(writing)
  for (const c of witnesses) {
    await waitFor(() => c.closes.length > 0, `${c.name}: its connection to end`)
    c.provider.disconnect()
  }
  const received = {}
  for (const c of [...witnesses, ...writers]) {
    const doc = receivedDoc(c)
    Object.assign(received, doc.getMap('cards').toJSON())
    doc.destroy()
  }
  return { received, written, stopped, clients: [...witnesses, ...writers] }
}

async function assertEveryReceivedCardRestored (scope, dir, b, { received, written }) {
  const keys = Object.keys(received)
  assert.ok(keys.length >= 60, `only ${keys.length} cards received`)
  assert.ok(keys.length < written, `all ${written} cards came back: the server stopped after the burst, not during it`)
  const s2 = await scope.server(dir)
  const fresh = await synced(client(scope, s2, b.board, b.moderator_token, 'after-restart'))
  const restored = fresh.doc.getMap('cards').toJSON()
  for (const key of keys) {
    assert.deepEqual(restored[key], received[key], `card ${key} was received before the server stopped; after the restart it is ${JSON.stringify(restored[key])}`)
  }
}

test('durability: SIGKILL while edits are still arriving loses nothing any client received',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const dir = await scope.dataDir()
    const s1 = await scope.server(dir)
    const b = await createBoard(s1, 'Größe für Kitas – Absturz im Betrieb', 'Hafen')
    const burst = await burstThen(scope, s1, b, () => s1.kill9())
    await assertEveryReceivedCardRestored(scope, dir, b, burst)
  })

test('durability: SIGTERM while edits are still arriving exits 0 within 5 s, closes with 1001 and keeps everything received',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const dir = await scope.dataDir()
    const s1 = await scope.server(dir)
    const b = await createBoard(s1, 'Größe für Kitas – Feierabend', 'Hafen')
    const burst = await burstThen(scope, s1, b, () => s1.stop())
    assert.equal(burst.stopped.forced, false, `no exit within 5 s of SIGTERM (${burst.stopped.ms} ms, SIGKILLed)`)
    assert.equal(burst.stopped.code, 0, `exit after SIGTERM: ${JSON.stringify(burst.stopped)}\n${s1.stderrTail()}`)
    for (const c of burst.clients) {
      assert.equal(c.closes[0]?.code, 1001, `${c.name}: closed with ${JSON.stringify(c.closes)}`)
    }
    await assertEveryReceivedCardRestored(scope, dir, b, burst)
  })

