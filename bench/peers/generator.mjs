// The second load generator (issue 22): the JavaScript Yjs stack, the way
// real phones encode and send. One real Y.Doc per client, y-protocols'
// sync encoders, the `ws` client; the clients are spread over worker
// processes (`--workers`, default 2). Same profiles, the same card write
// per update (`cards[own card].text = payload` with the send time in it)
// and the same JSON line as the Rust generator (`kartenwand-bench run`), so
// `kartenwand-bench table` reads both; the line says `"generator": "js"`.
//
//   node generator.mjs --target http://127.0.0.1:PORT --flavor kartenwand \
//     --profile city --server-pid PID [--workers 2] [--apply true] [--label rep=1]
//
// Received updates are decoded (y-protocols) and their payloads counted;
// `--apply true` also applies each into the client's Y.Doc, as a phone
// does: one core cannot do that for 5,000 documents (docs/benchmarks.md).
//
// Flavours: kartenwand (boards and participant tokens over its API), yws
// (@y/websocket-server: /ROOM), relay (kartenwand-bench relay: /ROOM, no
// sync). Times are CLOCK_MONOTONIC (process.hrtime), comparable across the
// processes of one machine. See docs/benchmarks.md.

import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'

const PROFILES = {
  conference: { rooms: 10, clients: 30, rate: 1.0, payload: 100, duration: 30, warmup: 5 },
  city: { rooms: 100, clients: 50, rate: 0.2, payload: 100, duration: 30, warmup: 5 },
  custom: { rooms: 1, clients: 10, rate: 1.0, payload: 100, duration: 10, warmup: 2 }
}

function parseArgs (argv) {
  const args = { workers: 2, label: '', flavor: 'kartenwand', profile: 'custom', apply: 'false' }
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase())
    args[key] = argv[i + 1]
  }
  const base = PROFILES[args.profile]
  if (!base) throw new Error(`unknown profile ${args.profile} (${Object.keys(PROFILES).join(', ')})`)
  const number = (key) => (args[key] === undefined ? base[key] : Number(args[key]))
  return {
    target: args.target,
    flavor: args.flavor,
    profile: args.profile,
    rooms: number('rooms'),
    clients: number('clients'),
    rate: number('rate'),
    payload: number('payload'),
    duration: number('duration'),
    warmup: number('warmup'),
    workers: Number(args.workers),
    serverPid: args.serverPid ? Number(args.serverPid) : null,
    apply: args.apply === 'true',
    label: args.label
  }
}

/** User + system CPU seconds of a process (/proc/PID/stat fields 14, 15). */
function cpuSeconds (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function memoryMiB (pid, field) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field + ':'))
  return line ? Number(line.split(/\s+/)[1]) / 1024 : null
}

async function post (base, path, body) {
  const response = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

/**
 * Reveals a board's cards as its moderator does after the writing
 * (`meta.revealed`, docs/schema.md): every card text then goes to
 * everyone; hidden, the room redacts it for all but the author's group and
 * the payloads this generator counts never arrive. Resolves once the
 * server answered a handshake sent after the update.
 */
function reveal (url) {
  return new Promise((resolve, reject) => {
    const doc = new Y.Doc()
    const ws = new WebSocket(url, { perMessageDeflate: false })
    ws.binaryType = 'nodebuffer'
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`reveal of ${url.split('?')[0]} timed out`)) }, 30_000)
    const step1 = () => {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, 0)
      syncProtocol.writeSyncStep1(encoder, doc)
      ws.send(encoding.toUint8Array(encoder))
    }
    let revealed = false
    ws.on('open', step1)
    ws.on('message', (data) => {
      const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.length))
      if (decoding.readVarUint(decoder) !== 0) return
      if (decoding.readVarUint(decoder) !== syncProtocol.messageYjsSyncStep2) return
      if (revealed) {
        clearTimeout(timer)
        ws.close()
        resolve()
        return
      }
      revealed = true
      doc.on('update', (update) => {
        const encoder = encoding.createEncoder()
        encoding.writeVarUint(encoder, 0)
        syncProtocol.writeUpdate(encoder, update)
        ws.send(encoding.toUint8Array(encoder))
      })
      doc.getMap('meta').set('revealed', true)
      step1()
    })
    ws.on('error', (error) => { clearTimeout(timer); reject(error) })
  })
}

/** Rooms and each client's URL and card author. */
async function accesses (plan, runId) {
  const authority = plan.target.replace(/^[a-z]+:\/\//, '').replace(/\/$/, '')
  const all = []
  for (let room = 0; room < plan.rooms; room++) {
    if (plan.flavor !== 'kartenwand') {
      for (let client = 0; client < plan.clients; client++) {
        all.push({ url: `ws://${authority}/kwj-${runId}-${room}`, author: 'moderator' })
      }
      continue
    }
    const board = await post(`http://${authority}`, '/api/boards', { title: `kwj-${runId}-${room}` })
    await reveal(`ws://${authority}/ws/${board.board}?token=${board.moderator_token}`)
    for (let client = 0; client < plan.clients; client++) {
      const joined = await post(`http://${authority}`, `/api/boards/${board.board}/join`, {
        join_code: board.join_code, name: `Bench ${client}`, sector: 'stadtteil'
      })
      all.push({ url: `ws://${authority}/ws/${board.board}?token=${joined.token}`, author: joined.participant_id })
    }
  }
  return all
}

function percentiles (samples) {
  if (samples.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 }
  samples.sort((a, b) => a - b)
  const at = (q) => samples[Math.min(samples.length, Math.max(1, Math.ceil(samples.length * q))) - 1] / 1000
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) }
}

async function main () {
  const plan = parseArgs(process.argv.slice(2))
  const runId = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0')
  const list = await accesses(plan, runId)
  const workerFile = fileURLToPath(new URL('./generator-worker.mjs', import.meta.url))
  const workers = []
  for (let w = 0; w < plan.workers; w++) {
    const mine = list.map((access, global) => ({ ...access, global })).filter((_, global) => global % plan.workers === w)
    const child = fork(workerFile, [], { serialization: 'advanced' })
    const ready = new Promise((resolve, reject) => {
      child.once('message', (message) => (message.type === 'joined' ? resolve(message) : reject(new Error(JSON.stringify(message)))))
      child.once('exit', (code) => reject(new Error(`worker ${w} exited ${code}`)))
    })
    child.send({ type: 'start', clients: mine, plan: { ...plan, runId } })
    workers.push({ child, ready })
  }
  const joined = await Promise.all(workers.map((worker) => worker.ready))
  const connections = joined.reduce((n, message) => n + message.connected, 0)
  const failures = joined.reduce((n, message) => n + message.failed, 0)
  // Let the joining cards reach everyone before anything is measured.
  await new Promise((resolve) => setTimeout(resolve, 3000))

  const broadcast = (message) => workers.forEach((worker) => worker.child.send(message))
  broadcast({ type: 'phase', phase: 'sending' })
  await new Promise((resolve) => setTimeout(resolve, plan.warmup * 1000))
  const serverBefore = plan.serverPid ? cpuSeconds(plan.serverPid) : null
  const measuredFrom = process.hrtime.bigint()
  broadcast({ type: 'phase', phase: 'measuring', since: measuredFrom })
  await new Promise((resolve) => setTimeout(resolve, plan.duration * 1000))
  broadcast({ type: 'phase', phase: 'draining' })
  const serverAfterSending = plan.serverPid ? cpuSeconds(plan.serverPid) : null
  // Deliveries of the last updates still count for a moment.
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const window = Number(process.hrtime.bigint() - measuredFrom) / 1e9
  const serverCpu = plan.serverPid ? cpuSeconds(plan.serverPid) - serverBefore : null
  const results = await Promise.all(workers.map((worker) => new Promise((resolve) => {
    worker.child.once('message', resolve)
    worker.child.send({ type: 'stop' })
  })))
  workers.forEach((worker) => worker.child.kill())
  const latencies = []
  let sent = 0
  let delivered = 0
  let frames = 0
  let bytes = 0
  for (const result of results) {
    sent += result.sent
    delivered += result.delivered
    frames += result.frames
    bytes += result.bytes
    for (const value of result.latencies) latencies.push(value)
  }
  const expected = sent * (plan.clients - 1)
  const line = {
    profile: plan.profile,
    flavor: plan.flavor,
    generator: 'js',
    label: plan.label,
    rooms: plan.rooms,
    clients: plan.clients,
    rate: plan.rate,
    payload: plan.payload,
    duration_s: plan.duration,
    warmup_s: plan.warmup,
    connections,
    connection_failures: failures,
    sent,
    expected,
    delivered,
    missing: Math.max(0, expected - delivered),
    latency_ms: percentiles(latencies),
    delivered_per_s: delivered / plan.duration,
    frames_received: frames,
    updates_per_frame: frames > 0 ? delivered / frames : null,
    bytes_per_frame: frames > 0 ? bytes / frames : null,
    server_cpu_s: serverCpu,
    server_cpu_s_while_sending: serverAfterSending !== null ? serverAfterSending - serverBefore : null,
    cpu_s_per_million: serverCpu !== null && delivered > 0 ? serverCpu / delivered * 1e6 : null,
    server_rss_mib: plan.serverPid ? memoryMiB(plan.serverPid, 'VmRSS') : null,
    server_peak_rss_mib: plan.serverPid ? memoryMiB(plan.serverPid, 'VmHWM') : null,
    window_s: window,
    generator_workers: plan.workers,
    applied: plan.apply,
    cores: availableParallelism()
  }
  process.stdout.write(JSON.stringify(line) + '\n')
  const l = line.latency_ms
  process.stderr.write(`js ${plan.flavor} ${plan.profile} ${plan.rooms}×${plan.clients} @${plan.rate}/s: p50 ${l.p50.toFixed(2)} p90 ${l.p90.toFixed(2)} p99 ${l.p99.toFixed(2)} max ${l.max.toFixed(1)} ms; ` +
    `${(delivered / plan.duration).toFixed(0)} deliveries/s; missing ${line.missing}; failures ${failures}; ` +
    `server CPU ${serverCpu?.toFixed(2)} s (${line.cpu_s_per_million?.toFixed(2)} s per million); ${line.updates_per_frame?.toFixed(2)} updates and ${line.bytes_per_frame?.toFixed(0)} bytes per frame\n`)
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`)
  process.exit(1)
})
