// The conformance suite's machinery: a real, unmodified y-websocket
// provider (and a raw `ws` client speaking the protocol by hand) against
// the real binary, frames decoded and checked as they arrive, bounded
// waits. The binary itself: ../harness/server.mjs.
//
// Every test starts its own server on 127.0.0.1:0 with a fresh data directory.
// Nothing sleeps for a fixed time: every wait polls a condition (20 ms) and is
// bounded (WAIT_MS), failing with a message naming what was awaited.

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

import { startServer } from '../harness/server.mjs'
import { waitUntil } from '../harness/wait.mjs'

export { api, createBoard, joinBoard } from '../harness/server.mjs'

export const WAIT_MS = 10_000
export const TEST_TIMEOUT_MS = 90_000

// y-websocket message types
export const MSG_SYNC = 0
export const MSG_AWARENESS = 1
export const MSG_AUTH = 2
export const MSG_QUERY_AWARENESS = 3
// sync sub-types
export const SYNC_STEP1 = 0
export const SYNC_STEP2 = 1
export const SYNC_UPDATE = 2

// ---------------------------------------------------------------- helpers

/**
 * Poll `pred` every 20 ms until it returns a truthy value; fail after
 * `timeoutMs` naming `what` (a string or a function giving details).
 */
export function waitFor (pred, what, timeoutMs = WAIT_MS) {
  return waitUntil(pred, what, timeoutMs, 20)
}

/** Everything a test starts, torn down in reverse order by `t.after`. */
export class Scope {
  constructor (t) {
    this.clients = []
    this.raws = []
    this.servers = []
    this.dirs = []
    t.after(() => this.close())
  }

  async close () {
    for (const c of this.clients) {
      try { c.provider.destroy() } catch {}
      try { c.doc.destroy() } catch {}
    }
    for (const r of this.raws) r.terminate()
    for (const s of this.servers) await s.stop()
    for (const d of this.dirs) await rm(d, { recursive: true, force: true })
  }

  async dataDir () {
    const d = await mkdtemp(path.join(tmpdir(), 'kartenwand-conf-'))
    this.dirs.push(d)
    return d
  }

  async server (dataDir) {
    const s = await startServer({ dataDir: dataDir ?? await this.dataDir(), startMs: WAIT_MS })
    this.servers.push(s)
    return s
  }
}

/**
 * Decode one y-websocket frame. `trailing` counts bytes left after the first
 * message (y-websocket 3.x ignores them, so it must be 0).
 */
export function decodeFrame (data) {
  const buf = new Uint8Array(data)
  const d = decoding.createDecoder(buf)
  const f = { type: decoding.readVarUint(d) }
  switch (f.type) {
    case MSG_SYNC:
      f.sub = decoding.readVarUint(d)
      f.payload = decoding.readVarUint8Array(d)
      break
    case MSG_AWARENESS:
      f.payload = decoding.readVarUint8Array(d)
      f.states = decodeAwareness(f.payload)
      break
    case MSG_AUTH:
      f.sub = decoding.readVarUint(d)
      if (f.sub === 0) f.reason = decoding.readVarString(d)
      break
    case MSG_QUERY_AWARENESS:
      break
    default:
      f.unknown = true
      return { ...f, trailing: 0 }
  }
  f.trailing = buf.length - d.pos
  return f
}

/** Awareness update → [{ clientID, clock, state }] (state null = removed). */
export function decodeAwareness (payload) {
  const d = decoding.createDecoder(payload)
  const n = decoding.readVarUint(d)
  const out = []
  for (let i = 0; i < n; i++) {
    const clientID = decoding.readVarUint(d)
    const clock = decoding.readVarUint(d)
    const state = JSON.parse(decoding.readVarString(d))
    out.push({ clientID, clock, state })
  }
  return out
}

export function frameToString (f) {
  if (f.error) return `undecodable(${f.error})`
  const names = { 0: 'sync', 1: 'awareness', 2: 'auth', 3: 'query-awareness' }
  let s = names[f.type] ?? `type ${f.type}`
  if (f.type === MSG_SYNC) s += ['-step1', '-step2', '-update'][f.sub] ?? `-sub${f.sub}`
  if (f.type === MSG_AUTH) s += ` denied: ${f.reason}`
  if (f.trailing) s += ` (+${f.trailing} trailing bytes)`
  return s
}

export function tapFrames (sink, ws) {
  ws.addEventListener('message', (ev) => {
    let f
    try {
      f = decodeFrame(ev.data)
    } catch (e) {
      f = { error: e.message }
    }
    f.at = Date.now()
    // The bytes as received, for searches of what reached a client.
    f.raw = new Uint8Array(ev.data)
    sink.frames.push(f)
    if (f.error || f.trailing > 0 || f.unknown) sink.badFrames.push(f)
    if (f.type === MSG_AUTH) sink.authFrames.push(f)
  })
}

/** A real WebsocketProvider with a fresh Y.Doc, plus a tap on its raw frames. */
export function client (scope, server, board, token, name, { doc = new Y.Doc() } = {}) {
  const provider = new WebsocketProvider(`${server.wsBase}/ws`, board, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket,
    // Node 20 has a global BroadcastChannel: without this, providers in this
    // one process would sync with each other behind the server's back.
    disableBc: true
  })
  const c = {
    name,
    doc,
    provider,
    awareness: provider.awareness,
    frames: [],
    badFrames: [],
    authFrames: [],
    syncEvents: [],
    closes: []
  }
  const tapped = new WeakSet()
  const tap = () => {
    const ws = provider.ws
    if (ws && !tapped.has(ws)) { tapped.add(ws); tapFrames(c, ws) }
  }
  tap()
  provider.on('status', tap)
  provider.on('sync', (s) => c.syncEvents.push(s))
  provider.on('connection-close', (ev) => c.closes.push(ev ? { code: ev.code, reason: ev.reason } : null))
  scope.clients.push(c)
  return c
}

export async function synced (c) {
  await waitFor(() => c.provider.synced && c.syncEvents.includes(true),
    () => `${c.name}: provider 'sync' event with true (wsconnected=${c.provider.wsconnected}, ` +
      `closes=${JSON.stringify(c.closes)}, frames=[${c.frames.map(frameToString).join(', ')}])`)
  return c
}

/**
 * Send a sync step 1 on the provider's own socket (what y-websocket's
 * `resyncInterval` does) and wait for the step 2 answer: the server handles
 * a connection's messages in order, so by then it has handled everything
 * this client sent before.
 */
export async function resyncBarrier (c) {
  const step2s = () => c.frames.filter((f) => f.type === MSG_SYNC && f.sub === SYNC_STEP2).length
  const n = step2s()
  c.provider.ws.send(msgSyncStep1(c.doc))
  await waitFor(() => step2s() > n, `${c.name}: sync step 2 answering a resync step 1`)
}

export function assertGoodFrames (...cs) {
  for (const c of cs) {
    assert.ok(c.frames.length > 0, `${c.name}: no frames observed`)
    assert.deepEqual(c.badFrames.map(frameToString), [],
      `${c.name}: frames with more than one protocol message, undecodable or unknown frames`)
  }
}

/** A raw `ws` connection speaking the protocol by hand. */
export function rawClient (scope, server, board, token, name = 'raw') {
  const q = token === undefined ? '' : `?token=${encodeURIComponent(token)}`
  const ws = new WebSocket(`${server.wsBase}/ws/${encodeURIComponent(board)}${q}`)
  ws.binaryType = 'arraybuffer'
  const r = {
    name,
    ws,
    frames: [],
    badFrames: [],
    authFrames: [],
    opened: false,
    closed: null,
    httpStatus: null,
    error: null,
    send (bytes) { ws.send(bytes) },
    terminate () { try { ws.terminate() } catch {} }
  }
  tapFrames(r, ws)
  ws.on('open', () => { r.opened = true })
  ws.on('close', (code, reason) => { r.closed = { code, reason: reason.toString() } })
  ws.on('unexpected-response', (req, res) => {
    r.httpStatus = res.statusCode
    res.resume()
    req.destroy()
  })
  ws.on('error', (e) => { r.error = e })
  scope.raws.push(r)
  return r
}

export const msgSyncStep1 = (doc) => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  encoding.writeVarUint(e, SYNC_STEP1)
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc))
  return encoding.toUint8Array(e)
}
export const msgUpdate = (update) => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  encoding.writeVarUint(e, SYNC_UPDATE)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}
export const msgQueryAwareness = () => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_QUERY_AWARENESS)
  return encoding.toUint8Array(e)
}

export const svKey = (doc) => JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc)).entries()]
  .sort((a, b) => a[0] - b[0]))

/** JSON of everything a test writes, plus meta. */
export const snapshot = (doc) => ({
  meta: doc.getMap('meta').toJSON(),
  cards: doc.getMap('cards').toJSON(),
  list: doc.getArray('conformance_list').toJSON(),
  text: doc.getText('conformance_text').toString()
})

export function assertMeta (doc, title, district, who) {
  const meta = doc.getMap('meta').toJSON()
  assert.equal(meta.title, title, `${who}: meta.title right after sync: ${JSON.stringify(meta)}`)
  assert.equal(meta.district, district, `${who}: meta.district right after sync: ${JSON.stringify(meta)}`)
  assert.ok(meta.locale !== undefined, `${who}: meta.locale missing: ${JSON.stringify(meta)}`)
  assert.ok(meta.schemaVersion !== undefined, `${who}: meta.schemaVersion missing: ${JSON.stringify(meta)}`)
}

export function addCard (doc, id, text, author = 'moderator') {
  doc.transact(() => {
    const card = new Y.Map()
    card.set('text', text)
    card.set('kind', 'need')
    card.set('author', author)
    doc.getMap('cards').set(id, card)
  })
}
