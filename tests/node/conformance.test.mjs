// Conformance: the real, unmodified npm `yjs` + `y-websocket` client (and raw
// y-websocket protocol frames) against the real `kartenwand` binary.
//
// Run: cd tests/node && npm ci && npm test
// Binary: $KARTENWAND_BIN, else <repo>/target/debug/kartenwand.
// Set KARTENWAND_TEST_LOG=1 to see the server's stderr.
//
// Every test starts its own server on 127.0.0.1:0 with a fresh data directory.
// Nothing sleeps for a fixed time: every wait polls a condition (20 ms) and is
// bounded (WAIT_MS), failing with a message naming what was awaited.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { isDeepStrictEqual } from 'node:util'

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const REPO = path.resolve(HERE, '..', '..')
const BIN = process.env.KARTENWAND_BIN
  ? path.resolve(process.env.KARTENWAND_BIN)
  : path.join(REPO, 'target', 'debug', 'kartenwand')
const LOG = process.env.KARTENWAND_TEST_LOG === '1'

const WAIT_MS = 10_000
const STOP_GRACE_MS = 5_000
const TEST_TIMEOUT_MS = 90_000

// y-websocket message types
const MSG_SYNC = 0
const MSG_AWARENESS = 1
const MSG_AUTH = 2
const MSG_QUERY_AWARENESS = 3
// sync sub-types
const SYNC_STEP1 = 0
const SYNC_STEP2 = 1
const SYNC_UPDATE = 2

// ---------------------------------------------------------------- helpers

const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Poll `pred` every 20 ms until it returns a truthy value; fail after
 * `timeoutMs` naming `what` (a string or a function giving details).
 */
async function waitFor (pred, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs
  let lastErr = null
  for (;;) {
    try {
      const v = await pred()
      if (v) return v
    } catch (e) {
      lastErr = e
    }
    if (Date.now() > deadline) {
      const desc = typeof what === 'function' ? what() : what
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${desc}` +
        (lastErr ? ` (last error: ${lastErr.message})` : ''))
    }
    await tick(20)
  }
}

/** Everything a test starts, torn down in reverse order by `t.after`. */
class Scope {
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
    const s = await startServer(dataDir ?? await this.dataDir())
    this.servers.push(s)
    return s
  }
}

/** Start `kartenwand serve` and wait for its "listening on" line. */
async function startServer (dataDir) {
  const proc = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const stderr = []
  proc.stderr.on('data', (chunk) => {
    stderr.push(chunk)
    if (stderr.length > 400) stderr.shift()
    if (LOG) process.stderr.write(chunk)
  })
  let exit = null
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { exit = { code, signal }; resolve(exit) })
    proc.on('error', (err) => { exit = { code: null, signal: null, error: err }; resolve(exit) })
  })
  let baseUrl = null
  const lines = createInterface({ input: proc.stdout })
  lines.on('line', (line) => {
    const m = /kartenwand listening on (http:\/\/\S+)/.exec(line)
    if (m && !baseUrl) baseUrl = m[1].replace(/\/$/, '')
  })
  const stderrTail = () => Buffer.concat(stderr).toString('utf8').split('\n').slice(-30).join('\n')
  await waitFor(() => baseUrl || exit, `"kartenwand listening on" from ${BIN}`)
  if (!baseUrl) {
    throw new Error(`server exited before listening: ${JSON.stringify(exit)}\n${stderrTail()}`)
  }
  const server = {
    proc,
    dataDir,
    baseUrl,
    wsBase: baseUrl.replace(/^http/, 'ws'),
    stderrTail,
    exited,
    get exit () { return exit },
    /** SIGTERM, then SIGKILL after 5 s. Resolves to { code, signal, forced, ms }. */
    async stop () {
      if (exit) return { ...exit, forced: false, ms: 0 }
      const t0 = Date.now()
      proc.kill('SIGTERM')
      let handle
      const timer = new Promise((resolve) => { handle = setTimeout(() => resolve('timeout'), STOP_GRACE_MS) })
      const r = await Promise.race([exited, timer])
      clearTimeout(handle)
      if (r === 'timeout') {
        proc.kill('SIGKILL')
        const e = await exited
        return { ...e, forced: true, ms: Date.now() - t0 }
      }
      return { ...r, forced: false, ms: Date.now() - t0 }
    },
    async kill9 () {
      proc.kill('SIGKILL')
      return exited
    }
  }
  return server
}

async function api (server, method, urlPath, body, headers = {}) {
  const res = await fetch(server.baseUrl + urlPath, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await res.text()
  let json = null
  try { json = JSON.parse(text) } catch {}
  return { status: res.status, text, json }
}

async function createBoard (server, title = 'Größe für Kitas', district = 'Nordstadt') {
  const r = await api(server, 'POST', '/api/boards', { title, district })
  assert.equal(r.status, 201, `POST /api/boards: expected 201, got ${r.status}: ${r.text}`)
  for (const k of ['board', 'moderator_token', 'viewer_token', 'join_code']) {
    assert.equal(typeof r.json[k], 'string', `POST /api/boards response lacks ${k}: ${r.text}`)
  }
  return r.json
}

async function joinBoard (server, board, joinCode, name = 'Jörg Müller', sector = 'traeger') {
  const r = await api(server, 'POST', `/api/boards/${encodeURIComponent(board)}/join`, {
    join_code: joinCode, name, organisation: 'Straßenkinder e. V.', sector
  })
  assert.equal(r.status, 201, `POST /api/boards/${board}/join: expected 201, got ${r.status}: ${r.text}`)
  assert.equal(typeof r.json.participant_id, 'string', `join response lacks participant_id: ${r.text}`)
  assert.equal(typeof r.json.token, 'string', `join response lacks token: ${r.text}`)
  return r.json
}

/**
 * Decode one y-websocket frame. `trailing` counts bytes left after the first
 * message (y-websocket 3.x ignores them, so it must be 0).
 */
function decodeFrame (data) {
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
function decodeAwareness (payload) {
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

function frameToString (f) {
  if (f.error) return `undecodable(${f.error})`
  const names = { 0: 'sync', 1: 'awareness', 2: 'auth', 3: 'query-awareness' }
  let s = names[f.type] ?? `type ${f.type}`
  if (f.type === MSG_SYNC) s += ['-step1', '-step2', '-update'][f.sub] ?? `-sub${f.sub}`
  if (f.type === MSG_AUTH) s += ` denied: ${f.reason}`
  if (f.trailing) s += ` (+${f.trailing} trailing bytes)`
  return s
}

function tapFrames (sink, ws) {
  ws.addEventListener('message', (ev) => {
    let f
    try {
      f = decodeFrame(ev.data)
    } catch (e) {
      f = { error: e.message }
    }
    f.at = Date.now()
    sink.frames.push(f)
    if (f.error || f.trailing > 0 || f.unknown) sink.badFrames.push(f)
    if (f.type === MSG_AUTH) sink.authFrames.push(f)
  })
}

/** A real WebsocketProvider with a fresh Y.Doc, plus a tap on its raw frames. */
function client (scope, server, board, token, name, { doc = new Y.Doc() } = {}) {
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

async function synced (c) {
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
async function resyncBarrier (c) {
  const step2s = () => c.frames.filter((f) => f.type === MSG_SYNC && f.sub === SYNC_STEP2).length
  const n = step2s()
  c.provider.ws.send(msgSyncStep1(c.doc))
  await waitFor(() => step2s() > n, `${c.name}: sync step 2 answering a resync step 1`)
}

function assertGoodFrames (...cs) {
  for (const c of cs) {
    assert.ok(c.frames.length > 0, `${c.name}: no frames observed`)
    assert.deepEqual(c.badFrames.map(frameToString), [],
      `${c.name}: frames with more than one protocol message, undecodable or unknown frames`)
  }
}

/** A raw `ws` connection speaking the protocol by hand. */
function rawClient (scope, server, board, token, name = 'raw') {
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

const msgSyncStep1 = (doc) => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  encoding.writeVarUint(e, SYNC_STEP1)
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc))
  return encoding.toUint8Array(e)
}
const msgUpdate = (update) => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  encoding.writeVarUint(e, SYNC_UPDATE)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}
const msgQueryAwareness = () => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_QUERY_AWARENESS)
  return encoding.toUint8Array(e)
}

const svKey = (doc) => JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc)).entries()]
  .sort((a, b) => a[0] - b[0]))

/** JSON of everything a test writes, plus meta. */
const snapshot = (doc) => ({
  meta: doc.getMap('meta').toJSON(),
  cards: doc.getMap('cards').toJSON(),
  list: doc.getArray('conformance_list').toJSON(),
  text: doc.getText('conformance_text').toString()
})

function assertMeta (doc, title, district, who) {
  const meta = doc.getMap('meta').toJSON()
  assert.equal(meta.title, title, `${who}: meta.title right after sync: ${JSON.stringify(meta)}`)
  assert.equal(meta.district, district, `${who}: meta.district right after sync: ${JSON.stringify(meta)}`)
  assert.ok(meta.locale !== undefined, `${who}: meta.locale missing: ${JSON.stringify(meta)}`)
  assert.ok(meta.schemaVersion !== undefined, `${who}: meta.schemaVersion missing: ${JSON.stringify(meta)}`)
}

function addCard (doc, id, text, author = 'moderator') {
  doc.transact(() => {
    const card = new Y.Map()
    card.set('text', text)
    card.set('kind', 'need')
    card.set('author', author)
    doc.getMap('cards').set(id, card)
  })
}

// ---------------------------------------------------------------- tests

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

// ------------------------------------------------- authorization catalogue
//
// One illegal edit per attempt from an unmodified client (a participant's
// or a viewer's), each checked the same way: the sender gets a
// permission-denied message; neither the moderator's nor Alice's document
// ever shows the change, and no frame they receive holds its values; a
// legal edit on the same connection still arrives; the sender converges
// back; and after SIGKILL and a restart on the same data directory the
// document lacks it and no database file holds its values.

const ROOTS = ['meta', 'cards', 'clusters', 'votes', 'participants', 'placements', 'agreements', 'focalPoints', 'cases']
const boardJSON = (doc) => Object.fromEntries(ROOTS.map((r) => [r, doc.getMap(r).toJSON()]))
const RIGHTS = {
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

const frameHolds = (f, text) => f.payload !== undefined && Buffer.from(f.payload).includes(Buffer.from(text))

async function rightsScene (t) {
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
async function attempt (s, sender, label, illegal, intact, forbidden = []) {
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
async function assertNothingStored (s) {
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

test('authorization: a participant\'s unmodified client cannot damage what is not theirs; nothing of it is relayed or stored',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const s = await rightsScene(t)
    const { p } = s
    const aliceCard = boardJSON(s.m.doc).cards[RIGHTS.aliceCard]
    const aliceIntact = (json) => isDeepStrictEqual(json.cards[RIGHTS.aliceCard], aliceCard)
    const cards = (doc) => doc.getMap('cards')

    await attempt(s, p, 'delete another\'s card', (doc) => cards(doc).delete(RIGHTS.aliceCard), aliceIntact)
    await attempt(s, p, 'edit another\'s card', (doc) => cards(doc).get(RIGHTS.aliceCard).set('text', 'überschrieben'),
      aliceIntact, ['überschrieben'])
    await attempt(s, p, 'rename a cluster',
      (doc) => doc.getMap('clusters').get(RIGHTS.cluster).set('title', 'Umbenannt'),
      (json) => json.clusters[RIGHTS.cluster]?.title === 'Kinderbetreuung', ['Umbenannt'])
    await attempt(s, p, 'move a card into a cluster',
      (doc) => cards(doc).get(RIGHTS.bobCard).set('cluster', RIGHTS.cluster),
      (json) => json.cards[RIGHTS.bobCard]?.cluster === undefined)
    await attempt(s, p, 'change meta', (doc) => doc.getMap('meta').set('writingOpen', false),
      (json) => json.meta.writingOpen === undefined)
    await attempt(s, p, 'change the phase', (doc) => doc.getMap('meta').set('phase', 'phaseFaelle0001'),
      (json) => json.meta.phase === RIGHTS.phase)
    await attempt(s, p, 'change the timer', (doc) => doc.getMap('meta').set('timerEndsAt', RIGHTS.timerEndsAt + 600000),
      (json) => json.meta.timerEndsAt === RIGHTS.timerEndsAt)
    await attempt(s, p, 'forge authorship', (doc) => addCard(doc, 'cardForged0001', 'Ich bin Alice', s.alice.participant_id),
      (json) => json.cards.cardForged0001 === undefined, ['Ich bin Alice'])
    // Over the budget of 3. No later edit touches this key: a stored 5
    // would be there after the restart, a relayed one in the histories.
    const overBudget = `${s.bob.participant_id}:${RIGHTS.cluster}`
    await attempt(s, p, 'vote over the budget', (doc) => doc.getMap('votes').set(overBudget, 5),
      (json) => json.votes[overBudget] === undefined)
    // Last: the legal part of it (Bob's own card) may go.
    await attempt(s, p, 'clear the whole cards map', (doc) => cards(doc).clear(), aliceIntact)
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
    await attempt(s, viewer, 'write a card as a viewer',
      (doc) => addCard(doc, 'cardBeamer0001', 'vom Beamer'),
      (json) => json.cards.cardBeamer0001 === undefined, ['vom Beamer'])
    await attempt(s, viewer, 'add a meta field as a viewer',
      (doc) => doc.getMap('meta').set('revealed', true),
      (json) => json.meta.revealed === undefined)

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
    assert.notEqual(s2.baseUrl, s1.baseUrl)
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
