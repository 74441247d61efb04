// The authorization scene of the conformance suite: one illegal edit per
// attempt from an unmodified client (a participant's or a viewer's), each
// checked the same way: the sender gets a permission-denied message; neither
// the moderator's nor Alice's document ever shows the change, and no frame
// they receive holds its values; a legal edit on the same connection still
// arrives; the sender converges back; and after SIGKILL and a restart on the
// same data directory the document lacks it and no database file holds its
// values. The same catalogue for a modified client: tests/system/common/rights.rs.

import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'

import * as Y from 'yjs'

import {
  Scope,
  addCard,
  client,
  createBoard,
  frameToString,
  joinBoard,
  synced,
  waitFor
} from './harness.mjs'

const ROOTS = ['meta', 'cards', 'clusters', 'votes', 'participants', 'placements', 'agreements', 'focalPoints', 'cases']
export const boardJSON = (doc) => Object.fromEntries(ROOTS.map((r) => [r, doc.getMap(r).toJSON()]))
export const RIGHTS = {
  cluster: 'clusterKinder01',
  aliceCard: 'cardAlice0001',
  bobCard: 'cardBob00001',
  phase: 'phaseKarten0001',
  timerEndsAt: 1741087800000
}

/** Keeps the board's JSON after every change of `c`'s document. */
function recordHistory (c) {
  c.history = [boardJSON(c.doc)]
  c.doc.on('update', () => c.history.push(boardJSON(c.doc)))
}

export const frameHolds = (f, text) => f.payload !== undefined && Buffer.from(f.payload).includes(Buffer.from(text))

export async function rightsScene (t) {
  const scope = new Scope(t)
  const dir = await scope.dataDir()
  const server = await scope.server(dir)
  const b = await createBoard(server, 'Größe für Kitas – Rechte', 'Sandow')
  const alice = await joinBoard(server, b.board, b.join_code, 'Alice')
  const bob = await joinBoard(server, b.board, b.join_code, 'Bob')
  const m = await synced(client(scope, server, b.board, b.moderator_token, 'moderator'))
  m.doc.transact(() => {
    const cluster = new Y.Map()
    cluster.set('title', 'Kinderbetreuung')
    m.doc.getMap('clusters').set(RIGHTS.cluster, cluster)
    const meta = m.doc.getMap('meta')
    meta.set('votingOpen', true)
    meta.set('voteBudget', 3)
    meta.set('phase', RIGHTS.phase)
    meta.set('timerEndsAt', RIGHTS.timerEndsAt)
    // Revealed, so each participant reads the other's card (before the
    // reveal a card's text reaches only its author's group:
    // hidden-cards.test.mjs).
    meta.set('revealed', true)
  })
  const a = await synced(client(scope, server, b.board, alice.token, 'Alice'))
  await waitFor(() => a.doc.getMap('meta').get('phase') === RIGHTS.phase, 'Alice to have the set-up')
  addCard(a.doc, RIGHTS.aliceCard, 'Kita-Plätze fehlen', alice.participant_id)
  const p = await synced(client(scope, server, b.board, bob.token, 'Bob'))
  p.doc.transact(() => {
    const me = new Y.Map()
    me.set('name', 'Bob')
    me.set('organisation', 'Kita Sonnenschein')
    me.set('sector', 'stadtteil')
    me.set('joinedAt', 1741078800000)
    p.doc.getMap('participants').set(bob.participant_id, me)
  })
  addCard(p.doc, RIGHTS.bobCard, 'Sprachkurs am Abend', bob.participant_id)
  const ready = (c) => c.doc.getMap('cards').get(RIGHTS.aliceCard)?.get('text') === 'Kita-Plätze fehlen' &&
    c.doc.getMap('cards').get(RIGHTS.bobCard)?.get('author') === bob.participant_id &&
    c.doc.getMap('meta').get('phase') === RIGHTS.phase
  for (const c of [m, a, p]) await waitFor(() => ready(c), `${c.name} to have the whole set-up`)
  for (const c of [m, a, p]) assert.deepEqual(c.authFrames.map(frameToString), [], `${c.name}: set-up refused`)
  recordHistory(m)
  recordHistory(a)
  return { scope, dir, server, b, m, a, p, alice, bob, markers: 0, guards: [] }
}

/**
 * `sender` makes one illegal edit (`illegal(doc)`); `intact(json)` holds for
 * every board JSON without it; `forbidden` are values only it writes.
 */
export async function attempt (s, sender, label, illegal, intact, forbidden = []) {
  const mark = {
    auth: sender.authFrames.length,
    history: [s.m.history.length, s.a.history.length],
    frames: [s.m.frames.length, s.a.frames.length]
  }
  illegal(sender.doc)
  await waitFor(() => sender.authFrames.length > mark.auth, () =>
    `${label}: a permission-denied message for ${sender.name} (frames: ${sender.frames.slice(-5).map(frameToString)})`)
  const denial = sender.authFrames[mark.auth]
  assert.ok(denial.sub === 0 && denial.reason.length > 0, `${label}: a denial with a reason: ${frameToString(denial)}`)

  // A legal edit on the same connection (a viewer has none: it must keep receiving).
  const marker = `Marke ${++s.markers}`
  let seenMarker
  if (sender.viewer) {
    s.m.doc.getMap('meta').set('title', marker)
    seenMarker = (c) => c.doc.getMap('meta').get('title') === marker
  } else {
    sender.doc.getMap('participants').get(s.bob.participant_id).set('organisation', marker)
    seenMarker = (c) => c.doc.getMap('participants').get(s.bob.participant_id)?.get('organisation') === marker
  }
  for (const c of [s.m, s.a, sender]) await waitFor(() => seenMarker(c), `${label}: ${c.name} to have the legal edit after it`)

  for (const [n, c] of [s.m, s.a].entries()) {
    for (const shown of c.history.slice(mark.history[n])) {
      assert.ok(intact(shown), `${label}: ${c.name}'s document showed it: ${JSON.stringify(shown)}`)
    }
    for (const text of forbidden) {
      assert.ok(!c.frames.slice(mark.frames[n]).some((f) => frameHolds(f, text)), `${label}: a frame to ${c.name} held ${text}`)
    }
  }
  await waitFor(() => isDeepStrictEqual(boardJSON(sender.doc), boardJSON(s.m.doc)), () =>
    `${label}: ${sender.name}'s document to converge back to the server's:\n${JSON.stringify(boardJSON(sender.doc))}\n${JSON.stringify(boardJSON(s.m.doc))}`)
  s.guards.push({ label, intact, forbidden })
}

/** SIGKILL, restart on the same data directory: nothing of any attempt was stored. */
export async function assertNothingStored (s) {
  await s.server.kill9()
  const stored = Buffer.concat(await Promise.all(['kartenwand.db', 'kartenwand.db-wal']
    .map((name) => readFile(path.join(s.dir, name)).catch(() => Buffer.alloc(0)))))
  const restarted = await s.scope.server(s.dir)
  const fresh = await synced(client(s.scope, restarted, s.b.board, s.b.moderator_token, 'after-restart'))
  const json = boardJSON(fresh.doc)
  assert.equal(json.cards[RIGHTS.aliceCard]?.text, 'Kita-Plätze fehlen', `the set-up after the restart: ${JSON.stringify(json)}`)
  for (const { label, intact, forbidden } of s.guards) {
    assert.ok(intact(json), `${label}: stored, it is there after a restart: ${JSON.stringify(json)}`)
    for (const text of forbidden) assert.ok(!stored.includes(Buffer.from(text)), `${label}: the database holds ${text}`)
  }
}

/**
 * Every attempt of a table, in order, from `sender`: each row is
 * `[label, illegal, intact, forbidden]` as for `attempt`.
 */
export async function attemptEach (s, sender, attempts) {
  for (const [label, illegal, intact, forbidden] of attempts) {
    await attempt(s, sender, label, illegal, intact, forbidden)
  }
}
