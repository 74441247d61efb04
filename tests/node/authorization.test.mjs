// Conformance, authorization: what an unmodified y-websocket client may not
// do with a participant's or a viewer's token is refused, never relayed and
// never stored; tokens that do not belong are refused before the upgrade.
//
// Run: cd tests/node && npm ci && npm test   (see harness.mjs)

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'

import * as Y from 'yjs'

import {
  MSG_AWARENESS,
  MSG_SYNC,
  SYNC_STEP1,
  Scope,
  TEST_TIMEOUT_MS,
  addCard,
  assertGoodFrames,
  assertMeta,
  client,
  createBoard,
  frameToString,
  joinBoard,
  rawClient,
  resyncBarrier,
  synced,
  waitFor
} from './harness.mjs'
import { RIGHTS, assertNothingStored, attempt, attemptEach, boardJSON, frameHolds, rightsScene } from './rights.mjs'

test('ownership: a participant\'s own card goes through; deleting or editing the moderator\'s is refused and reverted',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const b = await createBoard(server, 'Größe für Kitas – Rechte', 'Süd')
    const m = await synced(client(scope, server, b.board, b.moderator_token, 'moderator'))
    addCard(m.doc, 'cardModerator1', 'Größe für Kitas (Moderation)')
    const joined = await joinBoard(server, b.board, b.join_code)
    const p = await synced(client(scope, server, b.board, joined.token, 'participant'))
    await waitFor(() => p.doc.getMap('cards').get('cardModerator1')?.get('text') === 'Größe für Kitas (Moderation)',
      'participant to have the moderator\'s card')

    // Illegal: edit and delete the moderator's card.
    const authBefore = p.authFrames.length
    p.doc.getMap('cards').get('cardModerator1').set('text', 'überschrieben')
    p.doc.getMap('cards').delete('cardModerator1')
    await waitFor(() => p.authFrames.length > authBefore, 'a permission-denied message for the participant')
    // Legal, on the same connection: a card of their own.
    addCard(p.doc, 'cardParticipant1', 'Sprachkurs am Abend', joined.participant_id)
    await waitFor(() => m.doc.getMap('cards').get('cardParticipant1')?.get('author') === joined.participant_id,
      'the moderator to receive the participant\'s own card')
    assert.equal(m.doc.getMap('cards').get('cardModerator1')?.get('text'), 'Größe für Kitas (Moderation)',
      'the moderator\'s card is untouched')
    // The participant's copy converges back to the server's.
    await waitFor(() => p.doc.getMap('cards').get('cardModerator1')?.get('text') === 'Größe für Kitas (Moderation)',
      'the participant\'s copy to show the moderator\'s card again')
    await waitFor(() => JSON.stringify(p.doc.getMap('cards').toJSON()) === JSON.stringify(m.doc.getMap('cards').toJSON()),
      'participant and moderator to agree on every card')
    const late = await synced(client(scope, server, b.board, b.moderator_token, 'late'))
    assert.deepEqual(late.doc.getMap('cards').toJSON(), m.doc.getMap('cards').toJSON(), 'stored state')
    assertGoodFrames(m, p, late)
  })

test('authorization: a participant\'s unmodified client cannot damage what is not theirs; nothing of it is relayed or stored',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const s = await rightsScene(t)
    const { p } = s
    const aliceCard = boardJSON(s.m.doc).cards[RIGHTS.aliceCard]
    const aliceIntact = (json) => isDeepStrictEqual(json.cards[RIGHTS.aliceCard], aliceCard)
    const cards = (doc) => doc.getMap('cards')
    // Over the budget of 3. No later edit touches this key: a stored 5
    // would be there after the restart, a relayed one in the histories.
    const overBudget = `${s.bob.participant_id}:${RIGHTS.cluster}`

    // [label, illegal edit, holds without it, values only it writes]
    await attemptEach(s, p, [
      ['delete another\'s card', (doc) => cards(doc).delete(RIGHTS.aliceCard), aliceIntact],
      ['edit another\'s card', (doc) => cards(doc).get(RIGHTS.aliceCard).set('text', 'überschrieben'),
        aliceIntact, ['überschrieben']],
      ['rename a cluster', (doc) => doc.getMap('clusters').get(RIGHTS.cluster).set('title', 'Umbenannt'),
        (json) => json.clusters[RIGHTS.cluster]?.title === 'Kinderbetreuung', ['Umbenannt']],
      ['move a card into a cluster', (doc) => cards(doc).get(RIGHTS.bobCard).set('cluster', RIGHTS.cluster),
        (json) => json.cards[RIGHTS.bobCard]?.cluster === undefined],
      ['change meta', (doc) => doc.getMap('meta').set('writingOpen', false),
        (json) => json.meta.writingOpen === undefined],
      ['change the phase', (doc) => doc.getMap('meta').set('phase', 'phaseFaelle0001'),
        (json) => json.meta.phase === RIGHTS.phase],
      ['change the timer', (doc) => doc.getMap('meta').set('timerEndsAt', RIGHTS.timerEndsAt + 600000),
        (json) => json.meta.timerEndsAt === RIGHTS.timerEndsAt],
      ['forge authorship', (doc) => addCard(doc, 'cardForged0001', 'Ich bin Alice', s.alice.participant_id),
        (json) => json.cards.cardForged0001 === undefined, ['Ich bin Alice']],
      ['vote over the budget', (doc) => doc.getMap('votes').set(overBudget, 5),
        (json) => json.votes[overBudget] === undefined],
      // Last: the legal part of it (Bob's own card) may go.
      ['clear the whole cards map', (doc) => cards(doc).clear(), aliceIntact]
    ])
    assert.equal(p.authFrames.length, 10)
    await assertNothingStored(s)
  })

test('authorization: an unmodified client cannot write under another participant\'s client id, as a viewer, or spoof awareness',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const s = await rightsScene(t)
    const aliceClient = s.a.doc.clientID

    // Bob's token; after the sync the document takes Alice's client id (a
    // modified client; stock Yjs only changes its id on a clash).
    const impostor = await synced(client(s.scope, s.server, s.b.board, s.bob.token, 'impostor'))
    impostor.doc.clientID = aliceClient
    await attempt(s, impostor, 'write under another participant\'s client id', (doc) => {
      addCard(doc, 'cardImpostor01', 'unter fremder Id', s.bob.participant_id)
      // What Yjs does when it notices a clash; the legal edit that
      // follows uses it.
      doc.clientID = Math.floor(Math.random() * 2 ** 31)
    }, (json) => json.cards.cardImpostor01 === undefined, ['unter fremder Id'])
    assert.match(impostor.authFrames.at(-1).reason, /client id/)

    const viewer = await synced(client(s.scope, s.server, s.b.board, s.b.viewer_token, 'viewer'))
    viewer.viewer = true
    await resyncBarrier(viewer)
    // Inserts only: what a viewer's own overwrites or deletions leave on
    // its screen is another matter.
    await attemptEach(s, viewer, [
      ['write a card as a viewer', (doc) => addCard(doc, 'cardBeamer0001', 'vom Beamer'),
        (json) => json.cards.cardBeamer0001 === undefined, ['vom Beamer']],
      ['add a meta field as a viewer', (doc) => doc.getMap('meta').set('focus', 'votes'),
        (json) => json.meta.focus === undefined]
    ])

    // Awareness: Alice is online; a connection with Bob's token claims her
    // awareness client id. Documented: such entries are ignored (stock
    // clients echo every state they receive), not refused.
    s.a.awareness.setLocalStateField('user', { name: 'Alice' })
    const aliceAwareness = s.a.awareness.clientID
    await waitFor(() => s.m.awareness.getStates().get(aliceAwareness)?.user?.name === 'Alice', 'the moderator to see Alice online')
    const shownForAlice = []
    s.m.awareness.on('change', () => shownForAlice.push(s.m.awareness.getStates().get(aliceAwareness)))
    const framesBefore = s.m.frames.length
    const spoofDoc = new Y.Doc()
    spoofDoc.clientID = aliceAwareness
    const spoofer = client(s.scope, s.server, s.b.board, s.bob.token, 'spoofer', { doc: spoofDoc })
    assert.equal(spoofer.awareness.clientID, aliceAwareness)
    spoofer.awareness.setLocalStateField('user', { name: 'Mallory' })
    await synced(spoofer)
    // A legal edit on the spoofer's connection, then Alice renews her state:
    // both arrive; Mallory never does.
    spoofer.doc.getMap('participants').get(s.bob.participant_id).set('organisation', 'nach dem Versuch')
    await waitFor(() => s.m.doc.getMap('participants').get(s.bob.participant_id)?.get('organisation') === 'nach dem Versuch',
      'the spoofer\'s legal edit at the moderator\'s')
    s.a.awareness.setLocalStateField('user', { name: 'Alice again' })
    await waitFor(() => s.m.awareness.getStates().get(aliceAwareness)?.user?.name === 'Alice again', 'Alice\'s renewed state')
    assert.ok(shownForAlice.every((state) => state?.user?.name !== 'Mallory'), JSON.stringify(shownForAlice))
    assert.ok(!s.m.frames.slice(framesBefore).some((f) => frameHolds(f, 'Mallory')), 'a frame to the moderator held Mallory')
    assert.ok(!s.a.frames.some((f) => frameHolds(f, 'Mallory')), 'a frame to Alice held Mallory')
    await assertNothingStored(s)
  })

test('viewer token cannot write: edit rejected with an auth message, never relayed or stored',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const title = 'Größe für Kitas – Beamer'
    const b = await createBoard(server, title, 'Altstadt')
    const m = await synced(client(scope, server, b.board, b.moderator_token, 'moderator'))
    const writer = await synced(client(scope, server, b.board, b.moderator_token, 'writer'))
    const v = await synced(client(scope, server, b.board, b.viewer_token, 'viewer'))
    assertMeta(v.doc, title, 'Altstadt', 'viewer')
    // Barrier: everything the viewer sent on connect has been handled (see
    // the next test for why denials from before the edit are set aside).
    await resyncBarrier(v)
    const authBefore = v.authFrames.length

    addCard(v.doc, 'vom-beamer', 'Größe für Kitas (darf nicht)')
    v.doc.getText('conformance_text').insert(0, 'Beamer schreibt')
    const auth = await waitFor(() => v.authFrames.slice(authBefore).find((f) => f.sub === 0), () =>
      `an auth permission-denied message to the viewer (viewer frames: ${v.frames.map(frameToString)}, closes: ${JSON.stringify(v.closes)})`)
      .then((f) => f, (e) => e)

    // A marker from a writer, sent after the viewer's edit, reaches everyone;
    // the viewer's edit must not have.
    addCard(writer.doc, 'marker', 'Marker')
    await waitFor(() => m.doc.getMap('cards').has('marker'), 'moderator to see the writer\'s marker')
    await waitFor(() => v.doc.getMap('cards').has('marker'), 'viewer to still receive updates (the marker)')
    assert.equal(m.doc.getMap('cards').has('vom-beamer'), false, 'the viewer\'s card reached the moderator')
    assert.equal(m.doc.getText('conformance_text').toString(), '', 'the viewer\'s text reached the moderator')
    assert.equal(writer.doc.getMap('cards').has('vom-beamer'), false, 'the viewer\'s card reached the writer')

    const late = await synced(client(scope, server, b.board, b.moderator_token, 'late'))
    await waitFor(() => late.doc.getMap('cards').has('marker'), 'late joiner to have the marker')
    assert.equal(late.doc.getMap('cards').has('vom-beamer'), false, 'the viewer\'s card was stored by the server')
    assert.equal(late.doc.getText('conformance_text').toString(), '', 'the viewer\'s text was stored by the server')

    if (auth instanceof Error) throw auth
    assert.ok(typeof auth.reason === 'string' && auth.reason.length > 0, 'auth message has a reason')
    t.diagnostic(`viewer got: ${frameToString(auth)}; viewer connection closes: ${JSON.stringify(v.closes)}`)
    assertGoodFrames(m, writer, v, late)
  })

test('a viewer that writes nothing gets no permission-denied (the empty sync step 2 every client sends on connect is not a write)',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const b = await createBoard(server, 'Größe für Kitas – Beamer', 'Altstadt')
    const v = await synced(client(scope, server, b.board, b.viewer_token, 'viewer'))
    await resyncBarrier(v)
    assert.deepEqual(v.authFrames.map(frameToString), [],
      'viewer that made no edit was sent auth messages (frames: ' + v.frames.map(frameToString).join(', ') + ')')
  })

test('missing, wrong and foreign tokens are refused before the upgrade (401/403) or with a 44xx close',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const scope = new Scope(t)
    const server = await scope.server()
    const b = await createBoard(server, 'Größe für Kitas – Zutritt', 'Nord')
    const other = await createBoard(server, 'Anderes Brett', 'Süd')
    const cases = [
      ['missing token', b.board, undefined],
      ['empty token', b.board, ''],
      ['wrong token', b.board, 'kwm_' + '0'.repeat(64)],
      ['garbage token', b.board, 'x'],
      ['other board\'s moderator token', b.board, other.moderator_token],
      ['other board\'s viewer token', b.board, other.viewer_token],
      ['unknown board', 'gibtsnicht0000000000', b.moderator_token]
    ]
    const raws = cases.map(([name, board, token]) => rawClient(scope, server, board, token, name))
    const outcomes = []
    for (const r of raws) {
      await waitFor(() => r.httpStatus !== null || r.closed !== null,
        () => `${r.name}: HTTP refusal or close (opened=${r.opened}, frames=${r.frames.map(frameToString)})`)
      if (r.httpStatus !== null) {
        outcomes.push(`${r.name}: HTTP ${r.httpStatus}`)
        assert.ok([401, 403, 404].includes(r.httpStatus) && (r.name === 'unknown board' || r.httpStatus !== 404),
          `${r.name}: expected HTTP 401/403, got ${r.httpStatus}`)
        assert.equal(r.opened, false)
      } else {
        outcomes.push(`${r.name}: opened, close ${r.closed.code}`)
        assert.ok(r.closed.code >= 4400 && r.closed.code < 4500,
          `${r.name}: upgraded, then closed with ${r.closed.code} (expected HTTP 401/403 or a 4400–4499 close)`)
        const leaked = r.frames.filter((f) => f.type === MSG_SYNC && f.sub !== SYNC_STEP1 ||
          f.type === MSG_AWARENESS)
        assert.deepEqual(leaked.map(frameToString), [], `${r.name}: document data sent before the close`)
      }
    }
    t.diagnostic(outcomes.join('; '))
  })
