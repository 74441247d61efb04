// Fills a board for the browser tests through the real y-websocket client,
// as a moderator's or a participant's laptop would (docs/schema.md): the
// room-view tests need walls of 12, 40 and 60 cards and a case map with
// twelve people, which typing in a browser would only make slow. What is
// measured is still the browser: this only writes the document.

import { randomBytes } from 'node:crypto'

import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'

import { api } from '../harness/server.mjs'
import { waitFor } from './harness.mjs'

/** A fresh entry id (16 random bytes, base64url), as the app makes them. */
export function newId () {
  return randomBytes(16).toString('base64url')
}

/**
 * A real WebsocketProvider on `board` with `token`, synced. `close()` ends
 * it.
 */
export async function connect (server, board, token, name) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`${server.wsBase}/ws`, board, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket,
    // One process holds several providers: they must sync through the server only.
    disableBc: true
  })
  await waitFor(() => provider.synced, `${name}: synced with the server`)
  const writer = {
    doc,
    map: (name) => doc.getMap(name),
    /** Several writes as one update. */
    transact: (work) => doc.transact(work),
    close () {
      provider.destroy()
      doc.destroy()
    }
  }
  return writer
}

/** Writes an entry: a nested Y.Map with `fields` at `key` of `collection`. */
export function putEntry (writer, collection, key, fields) {
  const entry = new Y.Map()
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined) entry.set(field, value)
  }
  writer.map(collection).set(key, entry)
  return key
}

/**
 * Joins `board` through the API as `person` and writes the profile entry
 * (what the phone writes right after joining; here `writer` does it).
 * Returns `{ participant_id, token }`.
 */
export async function join (server, writer, board, joinCode, person) {
  const response = await api(server, 'POST', `/api/boards/${encodeURIComponent(board)}/join`, {
    join_code: joinCode,
    name: person.name,
    organisation: person.organisation,
    sector: person.sector
  })
  if (response.status !== 201) throw new Error(`join ${person.name}: ${response.status} ${response.text}`)
  const { participant_id: id } = response.json
  putEntry(writer, 'participants', id, { name: person.name, organisation: person.organisation, sector: person.sector, joinedAt: Date.now() })
  return response.json
}

/** Creates a board through the API; returns its answer (board, tokens, links, join code) and a moderator writer. */
export async function createBoard (server, { title, district, locale = 'de' }) {
  const response = await api(server, 'POST', '/api/boards', { title, district })
  if (response.status !== 201) throw new Error(`create board: ${response.status} ${response.text}`)
  const created = response.json
  const moderator = await connect(server, created.board, created.moderator_token, 'moderator')
  moderator.transact(() => {
    const meta = moderator.map('meta')
    meta.set('title', title)
    meta.set('district', district)
    meta.set('locale', locale)
    meta.set('joinCode', created.join_code)
  })
  return { ...created, moderator }
}

/**
 * A moderator writer on a board a browser created (the start page): the
 * join code is the one the moderator page wrote into `meta`.
 */
export async function openBoard (server, { board, token }) {
  const moderator = await connect(server, board, token, 'moderator')
  await waitFor(() => typeof moderator.map('meta').get('joinCode') === 'string', 'the board\'s join code in meta')
  return { board, moderator_token: token, join_code: moderator.map('meta').get('joinCode'), moderator }
}
