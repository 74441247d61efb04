// The machine-readable examples of docs/schema.md ("Machine-readable
// examples": fenced blocks tagged `json NAME`) written by stock y-websocket
// clients into the real binary: they must be what the server accepts, so
// tools outside the project can rely on them.
//
// Run: cd tests/node && npm ci && npm test

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import path from 'node:path'

import * as Y from 'yjs'

import { REPO } from '../harness/server.mjs'
import {
  MSG_AUTH,
  Scope,
  TEST_TIMEOUT_MS,
  client,
  createBoard,
  joinBoard,
  synced,
  waitFor
} from './harness.mjs'

/** Every `json NAME` block of docs/schema.md, parsed, by name. */
async function schemaExamples () {
  const text = await readFile(path.join(REPO, 'docs', 'schema.md'), 'utf8')
  const examples = {}
  for (const [, name, body] of text.matchAll(/^```json ([a-z-]+)\n([\s\S]*?)^```$/gm)) {
    assert.equal(examples[name], undefined, `docs/schema.md has two blocks named ${name}`)
    examples[name] = JSON.parse(body)
  }
  return examples
}

/** The example with its placeholders replaced, as docs/schema.md says. */
function fill (example, participantId, now) {
  const values = { '{participant_id}': participantId, '{now}': now }
  return Object.fromEntries(Object.entries(example).map(([k, v]) => [k, v in values ? values[v] : v]))
}

function setEntry (doc, collection, id, fields) {
  doc.transact(() => {
    const entry = new Y.Map()
    for (const [k, v] of Object.entries(fields)) entry.set(k, v)
    doc.getMap(collection).set(id, entry)
  })
}

function setMeta (doc, fields) {
  doc.transact(() => {
    for (const [k, v] of Object.entries(fields)) doc.getMap('meta').set(k, v)
  })
}

test('docs/schema.md has each named example the contract lists, each a JSON object',
  async () => {
    const examples = await schemaExamples()
    for (const name of ['open-card-writing', 'reveal-cards', 'card-example', 'cluster-example']) {
      const example = examples[name]
      assert.ok(example !== undefined, `docs/schema.md lacks a \`json ${name}\` block (has: ${Object.keys(examples)})`)
      assert.ok(typeof example === 'object' && example !== null && !Array.isArray(example),
        `json ${name} is not a JSON object: ${JSON.stringify(example)}`)
    }
    assert.equal(examples['card-example'].author, '{participant_id}', 'card-example names its author by the placeholder')
  })

test('the examples do what their names say: open-card-writing lets a participant write card-example again, cluster-example and reveal-cards reach every client',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const examples = await schemaExamples()
    const scope = new Scope(t)
    const server = await scope.server()
    const b = await createBoard(server, 'Beispiele aus dem Schema', 'Sandow')
    const p = await joinBoard(server, b.board, b.join_code, 'Anna Beispiel', 'stadtteil')
    const m = await synced(client(scope, server, b.board, b.moderator_token, 'moderator'))
    const phone = await synced(client(scope, server, b.board, p.token, 'phone'))
    const phoneMeta = phone.doc.getMap('meta')

    // Closed writing refuses the example card...
    setMeta(m.doc, { writingOpen: false })
    await waitFor(() => phoneMeta.get('writingOpen') === false, 'the phone to see card writing closed')
    const denials = phone.authFrames.length
    setEntry(phone.doc, 'cards', 'beispielKarteZu', fill(examples['card-example'], p.participant_id, Date.now()))
    await waitFor(() => phone.authFrames.slice(denials).some((f) => f.type === MSG_AUTH),
      () => `a refusal of the card written while writing was closed (closes: ${JSON.stringify(phone.closes)})`)

    // ...and open-card-writing opens it: the same example goes through whole.
    setMeta(m.doc, examples['open-card-writing'])
    await waitFor(() => phoneMeta.get('writingOpen') === true, 'the phone to see open-card-writing')
    const card = fill(examples['card-example'], p.participant_id, Date.now())
    setEntry(phone.doc, 'cards', 'beispielKarteAuf', card)
    await waitFor(() => m.doc.getMap('cards').get('beispielKarteAuf')?.toJSON().text === card.text,
      'the moderator to receive the card written from card-example')
    assert.deepEqual(m.doc.getMap('cards').get('beispielKarteAuf').toJSON(), card,
      'the card from card-example arrived whole')
    assert.equal(m.doc.getMap('cards').has('beispielKarteZu'), false, 'the card written while writing was closed arrived')

    const cluster = fill(examples['cluster-example'], 'moderator', Date.now())
    setEntry(m.doc, 'clusters', 'beispielCluster', cluster)
    setMeta(m.doc, examples['reveal-cards'])
    await waitFor(() => phone.doc.getMap('clusters').get('beispielCluster') !== undefined &&
      phoneMeta.get('revealed') === true, 'the phone to receive cluster-example and reveal-cards')
    assert.deepEqual(phone.doc.getMap('clusters').get('beispielCluster').toJSON(), cluster,
      'the cluster from cluster-example arrived whole')

    const late = await synced(client(scope, server, b.board, b.moderator_token, 'late'))
    assert.deepEqual(late.doc.getMap('cards').get('beispielKarteAuf')?.toJSON(), card, 'the server stored the example card')
    assert.deepEqual(late.doc.getMap('clusters').get('beispielCluster')?.toJSON(), cluster, 'the server stored the example cluster')
  })

test('open-challenges and open-solutions open the tree\'s parts: a solution waits for its part and needs a challenge as its parent',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const examples = await schemaExamples()
    for (const name of ['open-challenges', 'open-solutions']) {
      assert.ok(examples[name] !== undefined, `docs/schema.md lacks a \`json ${name}\` block`)
    }
    const scope = new Scope(t)
    const server = await scope.server()
    const b = await createBoard(server, 'Problem-Lösungs-Baum', 'Kassel')
    const p = await joinBoard(server, b.board, b.join_code, 'Anna Beispiel', 'behoerde')
    const m = await synced(client(scope, server, b.board, b.moderator_token, 'moderator'))
    const phone = await synced(client(scope, server, b.board, p.token, 'phone'))
    const phoneMeta = phone.doc.getMap('meta')
    const entry = (kind, parent) => ({
      text: kind === 'challenge' ? 'Wer koordiniert die Partner?' : 'Eine Lotsenstelle im Rathaus',
      kind,
      author: p.participant_id,
      createdAt: Date.now(),
      ...(parent ? { parent } : {})
    })
    const refusal = async (what, write) => {
      const before = phone.authFrames.length
      write()
      await waitFor(() => phone.authFrames.slice(before).some((f) => f.type === MSG_AUTH), `a refusal of ${what}`)
    }

    // Nothing of the tree before its parts open.
    await refusal('a challenge before open-challenges', () => setEntry(phone.doc, 'cards', 'challengeZu01', entry('challenge')))
    setMeta(m.doc, examples['open-challenges'])
    await waitFor(() => phoneMeta.get('challengesOpen') === true, 'the phone to see open-challenges')
    setEntry(phone.doc, 'cards', 'challengeAuf01', entry('challenge'))
    await waitFor(() => m.doc.getMap('cards').get('challengeAuf01') !== undefined, 'the challenge at the moderator')
    await refusal('a solution before open-solutions',
      () => setEntry(phone.doc, 'cards', 'solutionZu01', entry('solution', 'challengeAuf01')))

    setMeta(m.doc, examples['open-solutions'])
    await waitFor(() => phoneMeta.get('solutionsOpen') === true, 'the phone to see open-solutions')
    await refusal('a solution without a parent', () => setEntry(phone.doc, 'cards', 'solutionOhne1', entry('solution')))
    setEntry(phone.doc, 'cards', 'solutionAuf01', entry('solution', 'challengeAuf01'))
    await waitFor(() => m.doc.getMap('cards').get('solutionAuf01')?.toJSON().parent === 'challengeAuf01',
      'the solution under its challenge at the moderator')

    const late = await synced(client(scope, server, b.board, b.moderator_token, 'late'))
    const cards = late.doc.getMap('cards')
    assert.deepEqual([...cards.keys()].sort(), ['challengeAuf01', 'solutionAuf01'],
      'only what the parts and parents allow was stored')
  })
