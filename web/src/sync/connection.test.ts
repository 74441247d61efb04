import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, defaultServerUrl, type ConnectionState } from './connection';

/** Just enough of a browser WebSocket for y-websocket's provider. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  sent: Uint8Array[] = [];
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[] = [],
  ) {
    FakeSocket.instances.push(this);
  }
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

describe('connect', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function open(token = 'kwp_p1_5ecret'): { states: ConnectionState[]; destroy: () => void } {
    const connection = connect({
      board: 'b0ard1d',
      token,
      doc: new Y.Doc(),
      serverUrl: 'ws://example.test/ws',
      persist: false,
      crossTab: false,
      events: null,
      WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket,
    });
    const states: ConnectionState[] = [connection.state.get()];
    connection.state.subscribe((s) => states.push(s));
    return { states, destroy: () => connection.destroy() };
  }

  function openStored(): ReturnType<typeof connect> {
    return connect({
      board: 'b0ard1d',
      token: 'secret token',
      doc: new Y.Doc(),
      serverUrl: 'ws://example.test/ws',
      crossTab: false,
      events: null,
      WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket,
    });
  }

  it('does not wait for ever on an IndexedDB that never answers', async () => {
    // An open request whose events never fire (seen in in-app browsers).
    vi.stubGlobal('indexedDB', { open: () => ({}) });
    const connection = openStored();
    let ready = false;
    void connection.localReady.then(() => {
      ready = true;
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(ready).toBe(false);
    await vi.advanceTimersByTimeAsync(1500);
    expect(ready).toBe(true);
    expect(connection.state.get().storesLocally).toBe(false);
    expect(await connection.whenStored()).toBe(false);
    connection.destroy();
    vi.unstubAllGlobals();
  });

  it('connects to /ws/{board} with the token as a subprotocol, not in the address', () => {
    const { destroy } = open();
    expect(FakeSocket.instances[0]?.url).toBe('ws://example.test/ws/b0ard1d');
    expect(FakeSocket.instances[0]?.protocols).toEqual(['kartenwand', 'kartenwand.token.kwp_p1_5ecret']);
    destroy();
  });

  it('puts a token no subprotocol can hold into the query instead', () => {
    const { destroy } = open('secret token');
    expect(FakeSocket.instances[0]?.url).toBe('ws://example.test/ws/b0ard1d?token=secret%20token');
    expect(FakeSocket.instances[0]?.protocols).toEqual([]);
    destroy();
  });

  it('derives the websocket address from the page origin', () => {
    expect(defaultServerUrl('https://kartenwand.cottbus.de')).toBe('wss://kartenwand.cottbus.de/ws');
    expect(defaultServerUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/ws');
  });

  it('reports online, then offline and reconnects after a drop', () => {
    const { states, destroy } = open();
    FakeSocket.instances[0]?.open();
    expect(states.at(-1)?.status).toBe('online');
    FakeSocket.instances[0]?.serverClose(1006);
    expect(states.at(-1)?.status).toBe('offline');
    expect(states.at(-1)?.failedAttempts).toBe(1);
    vi.advanceTimersByTime(3000);
    expect(FakeSocket.instances).toHaveLength(2);
    destroy();
  });

  it('stops for good on a 4401 close and says why', () => {
    const { states, destroy } = open();
    FakeSocket.instances[0]?.open();
    FakeSocket.instances[0]?.serverClose(4401, 'bad token');
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(states.at(-1)).toMatchObject({ status: 'refused', refused: { code: 4401, reason: 'bad token' } });
    destroy();
  });

  it('publishes no awareness and does not echo the states of others', () => {
    const { destroy } = open();
    const socket = FakeSocket.instances[0];
    socket?.open();
    // An awareness message from the server with six other clients' states.
    const update = encoding.createEncoder();
    encoding.writeVarUint(update, 6);
    for (let client = 1; client <= 6; client++) {
      encoding.writeVarUint(update, client);
      encoding.writeVarUint(update, 1);
      encoding.writeVarString(update, '{}');
    }
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, 1);
    encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
    const bytes = encoding.toUint8Array(message);
    socket?.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
    vi.advanceTimersByTime(31_000);
    // Message type 1 is awareness (docs/protocol.md); only sync (0) went out.
    expect(socket?.sent.map((frame) => frame[0])).not.toContain(1);
    expect(socket?.sent.length).toBeGreaterThan(0);
    destroy();
  });
});
