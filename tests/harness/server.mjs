// The real `kartenwand` binary for the JavaScript suites (tests/node and
// tests/e2e): started on 127.0.0.1:0 with a data directory, awaited until
// it prints the address it listens on, stopped with SIGTERM (SIGKILL after
// a grace period) or SIGKILL; its stderr is kept for failure messages.
// Boards and joins through its HTTP API.
//
// Only node built-ins: this folder has no node_modules of its own, and
// each suite resolves its packages from its own folder.
//
// Binary: $KARTENWAND_BIN, else <repo>/target/debug/kartenwand.
// KARTENWAND_TEST_LOG=1 shows the server's output.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import { tick } from './wait.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
export const REPO = path.resolve(HERE, '..', '..')
export const BIN = process.env.KARTENWAND_BIN
  ? path.resolve(process.env.KARTENWAND_BIN)
  : path.join(REPO, 'target', 'debug', 'kartenwand')
export const LOG = process.env.KARTENWAND_TEST_LOG === '1'

/** How long `stop()` waits after SIGTERM before it sends SIGKILL. */
export const STOP_GRACE_MS = 5_000
/** Chunks of stderr kept for failure messages. */
const STDERR_CHUNKS = 400

/**
 * Starts `kartenwand serve --addr 127.0.0.1:0` and waits up to `startMs`
 * for its "listening on" line. With `dataDir` it serves that directory (the
 * caller removes it); without, a fresh temporary one that `stop()` removes.
 *
 * `args` are further `serve` flags (e.g. `['--public-url', URL]`).
 *
 * Returns `{ url, wsBase, dataDir, proc, exited, exit, log(), stderrTail(),
 * stop(), kill9() }`: `stop()` sends SIGTERM, then SIGKILL after 5 s, and
 * resolves to `{ code, signal, forced, ms }`; `kill9()` to the exit.
 */
export async function startServer ({ dataDir, startMs, args = [] }) {
  const ownDir = dataDir === undefined
  if (ownDir) dataDir = await mkdtemp(path.join(tmpdir(), 'kartenwand-test-'))
  const proc = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const stderr = []
  proc.stderr.on('data', (chunk) => {
    stderr.push(chunk)
    if (stderr.length > STDERR_CHUNKS) stderr.shift()
    if (LOG) process.stderr.write(chunk)
  })
  const log = () => Buffer.concat(stderr).toString('utf8')
  const stderrTail = () => log().split('\n').slice(-30).join('\n')
  // If the test process dies, the server must not outlive it.
  const killOnExit = () => proc.kill('SIGKILL')
  process.once('exit', killOnExit)
  let exit = null
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { exit = { code, signal }; resolve(exit) })
    proc.on('error', (error) => { exit = { code: null, signal: null, error }; resolve(exit) })
  }).then((how) => {
    process.off('exit', killOnExit)
    return how
  })
  const lines = createInterface({ input: proc.stdout })
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`${BIN} did not print "listening on" within ${startMs} ms\n${stderrTail()}`))
    }, startMs)
    lines.on('line', (line) => {
      if (LOG) process.stderr.write(`[server stdout] ${line}\n`)
      const match = /listening on (http:\/\/\S+)/.exec(line)
      if (match) {
        clearTimeout(timer)
        resolve(match[1].replace(/\/$/, ''))
      }
    })
    exited.then((how) => {
      clearTimeout(timer)
      reject(new Error(`${BIN} exited before listening (${JSON.stringify(how)}); ` +
        'build it with `cargo build -p kartenwand` or set KARTENWAND_BIN\n' + stderrTail()))
    })
  })
  const removeOwnDir = async () => {
    if (ownDir) await rm(dataDir, { recursive: true, force: true })
  }
  return {
    url,
    wsBase: url.replace(/^http/, 'ws'),
    dataDir,
    proc,
    exited,
    get exit () { return exit },
    log,
    stderrTail,
    async stop () {
      if (exit) {
        await removeOwnDir()
        return { ...exit, forced: false, ms: 0 }
      }
      const started = Date.now()
      proc.kill('SIGTERM')
      const stopped = await Promise.race([exited, tick(STOP_GRACE_MS).then(() => null)])
      let forced = false
      if (stopped === null) {
        forced = true
        proc.kill('SIGKILL')
        await exited
      }
      await removeOwnDir()
      return { ...exit, forced, ms: Date.now() - started }
    },
    async kill9 () {
      proc.kill('SIGKILL')
      return exited
    }
  }
}

/** A JSON request to the server's API: `{ status, text, json }`. */
export async function api (server, method, urlPath, body, headers = {}) {
  const response = await fetch(server.url + urlPath, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  let json = null
  try { json = JSON.parse(text) } catch {}
  return { status: response.status, text, json }
}

/** Creates a board; returns the API's answer (board, tokens, join code). */
export async function createBoard (server, title = 'Größe für Kitas', district = 'Nordstadt') {
  const r = await api(server, 'POST', '/api/boards', { title, district })
  assert.equal(r.status, 201, `POST /api/boards: expected 201, got ${r.status}: ${r.text}`)
  for (const k of ['board', 'moderator_token', 'viewer_token', 'join_code']) {
    assert.equal(typeof r.json[k], 'string', `POST /api/boards response lacks ${k}: ${r.text}`)
  }
  return r.json
}

/** Joins `board` as a participant; returns `{ participant_id, token }`. */
export async function joinBoard (server, board, joinCode, name = 'Jörg Müller', sector = 'traeger') {
  const r = await api(server, 'POST', `/api/boards/${encodeURIComponent(board)}/join`, {
    join_code: joinCode, name, organisation: 'Straßenkinder e. V.', sector
  })
  assert.equal(r.status, 201, `POST /api/boards/${board}/join: expected 201, got ${r.status}: ${r.text}`)
  assert.equal(typeof r.json.participant_id, 'string', `join response lacks participant_id: ${r.text}`)
  assert.equal(typeof r.json.token, 'string', `join response lacks token: ${r.text}`)
  return r.json
}
