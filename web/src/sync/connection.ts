/**
 * Wires one board document to the server and to the browser's IndexedDB.
 *
 * - WebsocketProvider (y-websocket, unmodified protocol) to
 *   `ws(s)://{origin}/ws/{board}`, the token offered as the subprotocol
 *   `kartenwand.token.{token}` beside `kartenwand`: a header, so it stays
 *   out of the request lines reverse proxies log (docs/protocol.md).
 * - The device's offline store (offline.ts, IndexedDB) keyed by board id:
 *   every local change is stored on the device first, so a card typed while
 *   the venue Wi-Fi is down survives a reload and is sent when the
 *   connection is back (Yjs merges it).
 * - A close code 4400–4499 from the server means "reconnecting will not
 *   help" (e.g. 4401 bad token): y-websocket stops and we say so in plain
 *   words. Anything else is treated as a temporary drop and retried.
 * - The protocol's auth message (permission denied for an update) is shown
 *   instead of only logged.
 * - No awareness: nothing is published and nothing relayed.
 */
import * as authProtocol from 'y-protocols/auth';
import { WebsocketProvider, messageAuth } from 'y-websocket';
import type * as Y from 'yjs';
import { type Readable, Observable } from './observable';
import { type OfflineStore, openOfflineStore } from './offline';

export type LinkStatus = 'connecting' | 'online' | 'offline' | 'refused';

export interface ConnectionState {
  status: LinkStatus;
  /** The server's state arrived at least once since the page loaded. */
  synced: boolean;
  /** The copy stored on this device is loaded (or there is none to load). */
  localReady: boolean;
  /** This device keeps a copy of the board (IndexedDB works here). */
  storesLocally: boolean;
  /** Why the server refused us for good (close code 4400–4499). */
  refused: { code: number; reason: string } | null;
  /** The last "permission denied" reason the server sent for an update. */
  denied: string | null;
  /**
   * Connection attempts that failed in a row. A token refused *before* the
   * websocket upgrade (HTTP 401/403) looks like a network error to a browser,
   * so after several failures the UI suggests checking the link.
   */
  failedAttempts: number;
}

export interface ConnectionOptions {
  board: string;
  token: string;
  doc: Y.Doc;
  /** Defaults to the page's origin with ws(s):// and `/ws`. */
  serverUrl?: string;
  /** Keep a copy in IndexedDB (default true; tests run without it). */
  persist?: boolean;
  WebSocketPolyfill?: typeof WebSocket;
  /** Browser events source for online/offline (default window when present). */
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
  /** Cross-tab sync through BroadcastChannel (default true). */
  crossTab?: boolean;
}

export interface Connection {
  readonly provider: WebsocketProvider;
  readonly state: Readable<ConnectionState>;
  /** Resolves once the local copy is loaded; safe to render from then on. */
  readonly localReady: Promise<void>;
  /**
   * Resolves once every change made so far is written to this device's
   * IndexedDB: true then, false when the device keeps no copy (no IndexedDB,
   * or it failed). Lets the UI say "saved" only when it is.
   */
  readonly whenStored: () => Promise<boolean>;
  destroy(): void;
  /** Destroys the connection and deletes the board's copy on this device (after an erasure). */
  forget(): Promise<void>;
}

/** How long a refused edit's message stays on screen. */
const DENIED_SHOWN_MS = 20_000;

/** Characters a subprotocol may hold (RFC 7230 `tchar`). */
const SUBPROTOCOL_CHARS = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * How the provider carries the token: as a subprotocol, or (for a token a
 * subprotocol cannot hold, which the server never issues) in the query.
 */
export function tokenTransport(token: string): { protocols: string[] } | { params: { token: string } } {
  return SUBPROTOCOL_CHARS.test(token) ? { protocols: ['kartenwand', `kartenwand.token.${token}`] } : { params: { token } };
}

export function defaultServerUrl(origin: string = location.origin): string {
  return `${origin.replace(/^http/, 'ws')}/ws`;
}

export function connect(options: ConnectionOptions): Connection {
  const { board, token, doc } = options;
  const events = options.events === undefined ? (typeof window === 'undefined' ? null : window) : options.events;
  const online = (): boolean => typeof navigator === 'undefined' || navigator.onLine;

  const state = new Observable<ConnectionState>({
    status: 'connecting',
    synced: false,
    localReady: options.persist === false,
    storesLocally: false,
    refused: null,
    denied: null,
    failedAttempts: 0,
  });
  const patch = (change: Partial<ConnectionState>): void => state.update((s) => ({ ...s, ...change }));

  const offline: OfflineStore | null = options.persist === false ? null : openOfflineStore(board, doc);
  const stores = offline?.stores ?? Promise.resolve(false);
  const localReady = stores.then((ok) => patch({ localReady: true, storesLocally: ok }));

  const provider = new WebsocketProvider(options.serverUrl ?? defaultServerUrl(), board, doc, {
    ...tokenTransport(token),
    disableBc: options.crossTab === false,
    ...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
  });

  // Kartenwand shows no presence (names, cursors or typing indicators would
  // leak who wrote what): this client publishes no awareness state, and it
  // does not relay the states of others. The stock provider echoes every
  // state it receives back to the server, which refuses awareness messages
  // naming more than 4 clients (docs/protocol.md) and would show a late
  // joiner a refusal for nothing it did.
  provider.awareness.off('update', provider._awarenessUpdateHandler);
  provider.awareness.setLocalState(null);

  provider.on('status', ({ status }) => {
    if (state.get().refused) return;
    if (status === 'connected') patch({ status: 'online' });
    else if (status === 'connecting') patch({ status: online() ? 'connecting' : 'offline' });
    else patch({ status: 'offline' });
  });
  provider.on('sync', (synced) => {
    if (synced) patch({ synced: true, failedAttempts: 0 });
  });
  provider.on('connection-close', (event) => {
    // null: we closed it ourselves (offline event, watchdog); not a failure.
    if (event !== null) patch({ failedAttempts: state.get().failedAttempts + 1 });
  });
  provider.on('closed', ({ code, reason }) => {
    patch({ status: 'refused', refused: { code, reason } });
  });
  // A refusal is news, not a state: it is shown for a while, then goes.
  let deniedTimer: ReturnType<typeof setTimeout> | undefined;
  provider.messageHandlers[messageAuth] = (_encoder, decoder) => {
    authProtocol.readAuthMessage(decoder, doc, (_doc, reason) => {
      patch({ denied: reason });
      clearTimeout(deniedTimer);
      deniedTimer = setTimeout(() => patch({ denied: null }), DENIED_SHOWN_MS);
    });
  };

  // The browser knows about a dropped Wi-Fi before the socket does: go
  // offline at once instead of waiting for the socket's timeout, and come
  // back as soon as the network is there again.
  const wentOffline = (): void => {
    if (state.get().refused) return;
    provider.disconnect();
    patch({ status: 'offline' });
  };
  const cameOnline = (): void => {
    if (state.get().refused) return;
    provider.connect();
  };
  events?.addEventListener('offline', wentOffline);
  events?.addEventListener('online', cameOnline);
  if (!online()) patch({ status: 'offline' });

  const whenStored = (): Promise<boolean> => offline?.whenStored() ?? Promise.resolve(false);

  return {
    provider,
    state,
    localReady,
    whenStored,
    destroy() {
      events?.removeEventListener('offline', wentOffline);
      events?.removeEventListener('online', cameOnline);
      clearTimeout(deniedTimer);
      provider.destroy();
      offline?.destroy();
    },
    async forget() {
      events?.removeEventListener('offline', wentOffline);
      events?.removeEventListener('online', cameOnline);
      clearTimeout(deniedTimer);
      provider.destroy();
      await offline?.clear();
    },
  };
}
