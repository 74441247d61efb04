// Conformance, sync: the real, unmodified npm `yjs` + `y-websocket` client
// (and raw y-websocket protocol frames) against the real `kartenwand`
// binary: the handshake, convergence of concurrent edits, late joiners,
// participants' tokens, awareness.
//
// Run: cd tests/node && npm ci && npm test
// Binary: $KARTENWAND_BIN, else <repo>/target/debug/kartenwand.
// Set KARTENWAND_TEST_LOG=1 to see the server's stderr.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import * as Y from 'yjs'

import {
  MSG_AWARENESS,
  MSG_SYNC,
  SYNC_STEP1,
  SYNC_STEP2,
  Scope,
  TEST_TIMEOUT_MS,
  addCard,
  assertGoodFrames,
  assertMeta,
  client,
  createBoard,
  frameToString,
  joinBoard,
  msgQueryAwareness,
  msgSyncStep1,
  msgUpdate,
  rawClient,
  snapshot,
  svKey,
  synced,
  waitFor
} from './harness.mjs'

test('raw protocol: server sync step 1, step 2 for an empty doc, one message per frame, echo to sender',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const b = await createBoard(server, 'Größe für Kitas – Roh', 'Südstadt')
    const raw = rawClient(scope, server, b.board, b.moderator_token)
    await waitFor(() => raw.opened || raw.closed || raw.httpStatus,
      'raw websocket open')
    assert.ok(raw.opened, `raw websocket not opened: status ${raw.httpStatus}, close ${JSON.stringify(raw.closed)}`)
    await waitFor(() => raw.frames.some((f) => f.type === MSG_SYNC && f.sub === SYNC_STEP1),
      () => `the server's own sync step 1 (frames: ${raw.frames.map(frameToString)})`)

    const doc = new Y.Doc()
    t.after(() => doc.destroy())
    raw.send(msgSyncStep1(doc)) // empty state vector
    const step2 = await waitFor(() => raw.frames.find((f) => f.type === MSG_SYNC && f.sub === SYNC_STEP2),
      () => `sync step 2 answering our step 1 (frames: ${raw.frames.map(frameToString)})`)
    Y.applyUpdate(doc, step2.payload)
    assertMeta(doc, 'Größe für Kitas – Roh', 'Südstadt', 'raw client')

    // Our update must be relayed back to us as well.
    let update = null
    doc.once('update', (u) => { update = u })
    addCard(doc, 'roh-1', 'Größe für Kitas')
    assert.ok(update)
    const before = raw.frames.length
    raw.send(msgUpdate(update))
    await waitFor(() => raw.frames.slice(before).some((f) => {
      if (f.type !== MSG_SYNC || f.sub === SYNC_STEP1) return false
      const probe = new Y.Doc()
      Y.applyUpdate(probe, step2.payload)
      Y.applyUpdate(probe, f.payload)
      const ok = probe.getMap('cards').get('roh-1')?.get('text') === 'Größe für Kitas'
      probe.destroy()
      return ok
    }), () => `echo of our own update to the sender (frames after send: ${raw.frames.slice(before).map(frameToString)})`)
    assertGoodFrames(raw)
  })

test('three+ providers converge after concurrent Map/Array/Text edits (several rounds)',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const title = 'Größe für Kitas'
    const b = await createBoard(server, title, 'Nordstadt')
    const N = 4
    const ROUNDS = 6
    const cs = []
    for (let i = 0; i < N; i++) cs.push(client(scope, server, b.board, b.moderator_token, `client${i}`))
    await Promise.all(cs.map(synced))
    for (const c of cs) assertMeta(c.doc, title, 'Nordstadt', c.name)

    for (let r = 0; r < ROUNDS; r++) {
      // All clients edit in the same tick: nothing from this round has been
      // delivered to anyone when the others make their edits.
      for (let i = 0; i < N; i++) {
        const doc = cs[i].doc
        doc.transact(() => {
          const cards = doc.getMap('cards')
          const list = doc.getArray('conformance_list')
          const text = doc.getText('conformance_text')
          const card = new Y.Map()
          card.set('text', `Größe für Kitas ${i}.${r} – Übergänge, Öffnungszeiten, Straße`)
          card.set('kind', 'need')
          card.set('author', 'moderator')
          cards.set(`c${i}-r${r}`, card)
          cards.set('gemeinsam', `zuletzt ${i}.${r} ä ö ü ß`) // conflicting key
          cards.set(`tmp${i}-r${r}`, 'wird gelöscht')
          if (r > 0) cards.delete(`tmp${i}-r${r - 1}`)
          if (r > 0) card.set('text', card.get('text') + ' (geändert)')
          // Array: own item at the front or the end, and a temporary item.
          if ((i + r) % 2 === 0) list.insert(0, [{ i, r, w: 'Größe' }])
          else list.push([{ i, r, w: 'für' }])
          list.insert(Math.min(list.length, i), [`tmp ${i}.${r}`])
          if (r > 0) {
            const k = list.toArray().indexOf(`tmp ${i}.${r - 1}`)
            assert.ok(k >= 0, `client${i} lost its own tmp ${i}.${r - 1}`)
            list.delete(k, 1)
          }
          // Text: tagged fragment at the start or the end, and a temporary one.
          const frag = `⟨${i}.${r} Größe für Kitas⟩`
          text.insert((i + r) % 2 === 0 ? 0 : text.length, frag)
          text.insert(text.length, `~tmp${i}.${r}~`)
          if (r > 0) {
            const tmp = `~tmp${i}.${r - 1}~`
            const k = text.toString().indexOf(tmp)
            assert.ok(k >= 0, `client${i} lost its own ${tmp}`)
            text.delete(k, tmp.length)
          }
        })
      }
      // Let deliveries interleave with the next round (a yield, not a wait).
      await new Promise((resolve) => setImmediate(resolve))
    }

    const expectComplete = (doc) => {
      const s = snapshot(doc)
      for (let i = 0; i < N; i++) {
        for (let r = 0; r < ROUNDS; r++) {
          if (!s.cards[`c${i}-r${r}`]) return false
          if (!s.text.includes(`⟨${i}.${r} Größe für Kitas⟩`)) return false
        }
        if (!s.text.includes(`~tmp${i}.${ROUNDS - 1}~`)) return false
      }
      return s.list.filter((x) => typeof x === 'object').length === N * ROUNDS
    }
    const describe = () => cs.map((c) => {
      const s = snapshot(c.doc)
      return `${c.name}: cards=${Object.keys(s.cards).length} list=${s.list.length} text=${s.text.length} sv=${svKey(c.doc)}`
    }).join('; ')
    await waitFor(() => cs.every((c) => expectComplete(c.doc)) &&
      cs.every((c) => svKey(c.doc) === svKey(cs[0].doc)),
    () => `all ${N} docs to contain every edit with equal state vectors (${describe()})`)

    const ref = snapshot(cs[0].doc)
    for (const c of cs.slice(1)) {
      assert.deepEqual(snapshot(c.doc), ref, `${c.name} differs from client0`)
      assert.equal(svKey(c.doc), svKey(cs[0].doc), `${c.name} state vector differs`)
    }
    // Deletions converged too.
    assert.equal(ref.list.filter((x) => typeof x === 'string').length, N, 'one tmp list item per client left')
    for (let i = 0; i < N; i++) {
      for (let r = 0; r < ROUNDS - 1; r++) {
        assert.equal(ref.cards[`tmp${i}-r${r}`], undefined)
        assert.ok(!ref.text.includes(`~tmp${i}.${r}~`))
      }
      assert.match(ref.cards[`c${i}-r${ROUNDS - 1}`].text, /Größe für Kitas .*\(geändert\)$/)
    }
    assert.deepEqual(ref.meta.title, title)
    assertGoodFrames(...cs)
  })

test('late joiner gets the full state, including the server-written meta, at sync',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const title = 'Größe für Kitas – Spätankömmling'
    const b = await createBoard(server, title, 'Ost')
    const a = await synced(client(scope, server, b.board, b.moderator_token, 'A'))
    const w = await synced(client(scope, server, b.board, b.moderator_token, 'witness'))
    for (let k = 0; k < 20; k++) addCard(a.doc, `spät-${k}`, `Größe für Kitas Nr. ${k}`)
    a.doc.getText('conformance_text').insert(0, 'Größe für Kitas')
    a.doc.getArray('conformance_list').push(['ä', 'ö', 'ü'])
    // The server relays only what it has applied and stored: once another
    // client has everything, the server has it too.
    await waitFor(() => svKey(w.doc) === svKey(a.doc), 'witness to receive all of A\'s edits')

    const late = client(scope, server, b.board, b.moderator_token, 'late')
    let atSync = null
    late.provider.on('sync', (s) => { if (s && !atSync) atSync = { snap: snapshot(late.doc), sv: svKey(late.doc) } })
    await synced(late)
    // Must be complete the moment 'sync' fires, without waiting for more.
    assert.deepEqual(atSync.snap, snapshot(a.doc), 'late joiner state at its sync event')
    assert.equal(atSync.sv, svKey(a.doc), 'late joiner state vector at its sync event')
    assertMeta(late.doc, title, 'Ost', 'late joiner')
    assertGoodFrames(a, w, late)
  })

test('participant token (from the join endpoint) syncs and receives live edits',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const title = 'Größe für Kitas – Teilnahme'
    const b = await createBoard(server, title, 'West')
    const m = await synced(client(scope, server, b.board, b.moderator_token, 'moderator'))
    addCard(m.doc, 'vorher', 'Größe für Kitas (vorher)')
    const joined = await joinBoard(server, b.board, b.join_code)
    const p = await synced(client(scope, server, b.board, joined.token, 'participant'))
    assertMeta(p.doc, title, 'West', 'participant')
    await waitFor(() => p.doc.getMap('cards').get('vorher')?.get('text') === 'Größe für Kitas (vorher)',
      'participant to have the moderator\'s earlier card')
    addCard(m.doc, 'live', 'Größe für Kitas (live)')
    await waitFor(() => p.doc.getMap('cards').get('live')?.get('text') === 'Größe für Kitas (live)',
      'participant to receive the moderator\'s live card')
    assert.deepEqual(p.authFrames.map(frameToString), [], 'participant got auth messages')
    assertGoodFrames(m, p)
  })

test('awareness: relayed, sent to newcomers, answered on query, removed when a connection closes',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const b = await createBoard(server, 'Größe für Kitas – Präsenz', 'Mitte')
    const a = await synced(client(scope, server, b.board, b.moderator_token, 'A'))
    a.awareness.setLocalStateField('user', { name: 'Aylin' })
    const aId = a.doc.clientID

    // B connects after A set its state: the server must hand it over.
    const bc = await synced(client(scope, server, b.board, b.moderator_token, 'B'))
    const removedSeenByB = []
    bc.awareness.on('change', ({ removed }) => removedSeenByB.push(...removed))
    await waitFor(() => bc.awareness.getStates().get(aId)?.user?.name === 'Aylin',
      'B to see A\'s awareness (set before B connected)')

    // Relay of a change made while both are connected.
    bc.awareness.setLocalStateField('user', { name: 'Bärbel' })
    await waitFor(() => a.awareness.getStates().get(bc.doc.clientID)?.user?.name === 'Bärbel',
      'A to see B\'s awareness')
    a.awareness.setLocalStateField('user', { name: 'Aylin Öztürk' })
    await waitFor(() => bc.awareness.getStates().get(aId)?.user?.name === 'Aylin Öztürk',
      'B to see A\'s updated awareness')

    // Query-awareness, answered by the server (asked twice so an answer cannot
    // be confused with the states a newcomer gets on connect).
    const raw = rawClient(scope, server, b.board, b.moderator_token, 'raw-query')
    await waitFor(() => raw.frames.some((f) => f.type === MSG_SYNC && f.sub === SYNC_STEP1),
      () => `raw client: server sync step 1 (open=${raw.opened} status=${raw.httpStatus})`)
    const awarenessWithB = () => raw.frames.filter((f) => f.type === MSG_AWARENESS &&
      f.states.some((s) => s.clientID === bc.doc.clientID && s.state?.user?.name === 'Bärbel'))
    raw.send(msgQueryAwareness())
    await waitFor(() => awarenessWithB().length >= 1,
      () => `awareness with B's state in answer to query-awareness (frames: ${raw.frames.map(frameToString)})`)
    const n = awarenessWithB().length
    raw.send(msgQueryAwareness())
    await waitFor(() => awarenessWithB().length >= n + 1,
      () => `a second awareness answer to a second query-awareness (frames: ${raw.frames.map(frameToString)})`)
    assertGoodFrames(raw)
    raw.ws.close()

    // A's socket dies without A saying goodbye: the server must remove A.
    a.provider.shouldConnect = false
    a.provider.ws.terminate()
    await waitFor(() => removedSeenByB.includes(aId) && !bc.awareness.getStates().has(aId),
      'B to see A\'s awareness removed after A\'s socket was terminated')

    // Clean goodbye: C sets a state, then its provider is destroyed.
    const c = await synced(client(scope, server, b.board, b.moderator_token, 'C'))
    c.awareness.setLocalStateField('user', { name: 'Çelik' })
    const cId = c.doc.clientID
    await waitFor(() => bc.awareness.getStates().get(cId)?.user?.name === 'Çelik', 'B to see C\'s awareness')
    c.provider.destroy()
    await waitFor(() => removedSeenByB.includes(cId) && !bc.awareness.getStates().has(cId),
      'B to see C\'s awareness removed after C\'s provider was destroyed')
    assertGoodFrames(a, bc, c)
  })

