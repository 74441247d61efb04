// One worker process of generator.mjs: its share of the clients, each a
// real Y.Doc on a `ws` connection speaking y-protocols' sync messages.

import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'

const MESSAGE_SYNC = 0
const CONNECT_CONCURRENCY = 128
const JOIN_TIMEOUT_MS = 30_000

let phase = 'setup'
let measuredSince = 0n
let sent = 0
let delivered = 0
let frames = 0
let bytes = 0
const latencies = []
const clients = []

function now () {
  return process.hrtime.bigint()
}

const MARK = Buffer.from('kwb:')

/**
 * Counts the payloads an update carries (a server may merge several): each
 * is a string `kwb:SENDER:SEQ:SENT_NS:xxx…` in the update's bytes, found
 * without decoding the update a second time (Y.applyUpdate decodes it).
 */
function count (update, own) {
  if (phase !== 'measuring' && phase !== 'draining') return
  const at = now()
  let position = update.indexOf(MARK)
  while (position >= 0) {
    const end = update.indexOf(0x78 /* x */, position)
    const fields = update.toString('latin1', position, end < 0 ? position + 64 : end).split(':')
    position = update.indexOf(MARK, position + MARK.length)
    if (fields.length < 4 || Number(fields[1]) === own) continue
    let sentNs
    try {
      sentNs = BigInt(fields[3])
    } catch {
      continue
    }
    if (measuredSince > 0n && sentNs >= measuredSince) {
      delivered++
      latencies.push(Number(at - sentNs) / 1000)
    }
  }
}

function join (access, plan) {
  return new Promise((resolve, reject) => {
    const doc = new Y.Doc()
    doc.clientID = 1_000_000 + access.global
    const ws = new WebSocket(access.url, { perMessageDeflate: false })
    ws.binaryType = 'nodebuffer'
    const timer = setTimeout(() => reject(new Error('join timed out')), JOIN_TIMEOUT_MS)
    let card = null
    const send = (message) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(message)
    }
    doc.on('update', (update, origin) => {
      if (origin === 'server') return
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeUpdate(encoder, update)
      send(encoding.toUint8Array(encoder))
    })
    const writeCard = () => {
      const cards = doc.getMap('cards')
      doc.transact(() => {
        card = new Y.Map()
        cards.set(`benchjs${access.global}x${plan.runId}`, card)
        card.set('text', 'Karte')
        card.set('kind', 'need')
        card.set('author', access.author)
        card.set('createdAt', 1_741_079_000_000)
      })
      clearTimeout(timer)
      resolve({ doc, ws, card: () => card, global: access.global })
    }
    // The relay holds no document and forwards every frame to everyone in
    // the room: no handshake there (each step 1 would be answered by every
    // other client, and every answer forwarded to all), the card goes out
    // at once, as the Rust generator does.
    const syncs = plan.flavor !== 'relay'
    ws.on('open', () => {
      if (!syncs) {
        writeCard()
        return
      }
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      syncProtocol.writeSyncStep1(encoder, doc)
      send(encoding.toUint8Array(encoder))
    })
    ws.on('message', (data) => {
      frames++
      bytes += data.length
      const decoder = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.length))
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return
      const type = decoding.readVarUint(decoder)
      if (type === syncProtocol.messageYjsSyncStep1) {
        if (!syncs) return
        const encoder = encoding.createEncoder()
        encoding.writeVarUint(encoder, MESSAGE_SYNC)
        syncProtocol.writeSyncStep2(encoder, doc, decoding.readVarUint8Array(decoder))
        send(encoding.toUint8Array(encoder))
        return
      }
      const update = decoding.readVarUint8Array(decoder)
      count(Buffer.from(update.buffer, update.byteOffset, update.length), access.global)
      // The room's state at the join goes into the document; the others'
      // updates after it only with --apply (a phone applies its room's
      // updates; 2,500 documents in one process applying 49,000 a second
      // measure the generator, not the server).
      if (type === syncProtocol.messageYjsSyncStep2 || plan.apply) Y.applyUpdate(doc, update, 'server')
      if (type === syncProtocol.messageYjsSyncStep2 && card === null) writeCard()
    })
    ws.on('error', (error) => reject(error))
  })
}

function sendLoop (client, plan) {
  const interval = 1000 / plan.rate
  let seq = 0
  const tick = () => {
    if (phase === 'stopped') return
    if (phase === 'sending' || phase === 'measuring') {
      let text = `kwb:${client.global}:${seq++}:${now()}:`
      while (text.length < plan.payload) text += 'x'
      client.card().set('text', text)
      if (phase === 'measuring') sent++
    }
    setTimeout(tick, interval)
  }
  setTimeout(tick, Math.random() * interval)
}

process.on('message', async (message) => {
  if (message.type === 'start') {
    const { plan } = message
    let connected = 0
    let failed = 0
    const queue = [...message.clients]
    const runners = Array.from({ length: CONNECT_CONCURRENCY }, async () => {
      while (queue.length > 0) {
        const access = queue.shift()
        try {
          clients.push(await join(access, plan))
          connected++
        } catch (error) {
          if (failed++ < 3) process.stderr.write(`client ${access.global}: ${error.message}\n`)
        }
      }
    })
    await Promise.all(runners)
    for (const client of clients) sendLoop(client, plan)
    process.send({ type: 'joined', connected, failed })
  } else if (message.type === 'phase') {
    phase = message.phase
    if (message.since !== undefined) measuredSince = message.since
  } else if (message.type === 'stop') {
    phase = 'stopped'
    process.send({ type: 'result', sent, delivered, frames, bytes, latencies: Float64Array.from(latencies) })
    for (const client of clients) client.ws.terminate()
  }
})
