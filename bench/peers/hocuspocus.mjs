// Hocuspocus in its default in-memory setup (no extensions), on loopback.
// PORT and HOST from the environment, like the y-websocket reference server.
import { Server } from '@hocuspocus/server'

const server = new Server({
  port: Number(process.env.PORT || 1234),
  address: process.env.HOST || '127.0.0.1',
  quiet: true,
})

await server.listen()
console.log(`hocuspocus running at ${process.env.HOST || '127.0.0.1'}:${process.env.PORT || 1234}`)
