/**
 * The service worker (served as `/sw.js`): keeps the app shell on the
 * device, so a phone that reloads while the venue Wi-Fi is down still gets
 * the app, its stored cards (IndexedDB) and its credentials (localStorage).
 *
 * - Install: precaches `index.html` (under `/`) and every hashed file of
 *   this build (`/assets/…`); the list is written in at build time by the
 *   `serviceWorker` plugin in vite.config.ts. One cache per build; activate
 *   deletes the caches of older builds.
 * - Navigations to the app's pages (`/`, `/join/…`, `/b/{board}/moderate`,
 *   `…/present`, `…/watch`, `…/join` (a personal join link), the event pages `/e/{event}`, `…/organise`,
 *   `…/present`): network first, so a new release arrives at
 *   once; if the network fails, hangs or the server answers with a 5xx,
 *   the cached shell.
 * - `/assets/…`: cache first (names are content hashes, never stale); a
 *   file missing from the cache is fetched and kept.
 * - Everything else (`/api/…` including exports, `/ws/…`, `/healthz`, other
 *   origins, non-GET) is not touched: live data never comes from a cache.
 *
 * It never unregisters itself and never asks anyone to reload: if install
 * fails (network dropped mid-install), the browser keeps the previous worker
 * or none and tries again on the next visit.
 *
 * Built separately from the app (no imports, no bundling): only the types
 * are stripped, so this file must stay self-contained.
 */

/** Written in by vite.config.ts at build time. */
declare const __SW_VERSION__: string;
declare const __SW_PRECACHE__: readonly string[];

// The DOM lib has no service worker types and the WebWorker lib conflicts
// with it, so the little this worker uses is declared here.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface WorkerScope {
  readonly location: { readonly origin: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}
declare const self: WorkerScope;

const CACHE_PREFIX = 'kartenwand-shell-';
const CACHE = `${CACHE_PREFIX}${__SW_VERSION__}`;
/** The app shell: every app route is this same page. */
const SHELL = '/';
/** The pages the app routes itself (src/route.ts); all of them are the shell. */
const APP_ROUTE = /^\/(?:join(?:\/[^/]+)?|b\/[^/]+\/(?:moderate|present|watch|join)|e\/[^/]+(?:\/(?:organise|present))?)?\/?$/;
/** After this long without an answer, a navigation gets the cached shell. */
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload`: straight from the server, not from the HTTP cache.
      await cache.addAll([SHELL, ...__SW_PRECACHE__].map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // Only the app's own pages are the shell; an export or API URL opened
    // in a tab goes to the server untouched.
    if (APP_ROUTE.test(url.pathname)) event.respondWith(navigation(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request));
  }
});

async function navigation(request: Request): Promise<Response> {
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    if (response.status >= 500) {
      // The server is restarting or overloaded: the shell still works
      // offline and reconnects by itself.
      const cached = await caches.match(SHELL, { cacheName: CACHE });
      if (cached) return cached;
    }
    if (response.ok && (response.headers.get('content-type') ?? '').startsWith('text/html')) {
      // Every app route answers with the shell: keep the newest copy.
      const copy = response.clone();
      void caches.open(CACHE).then((cache) => cache.put(SHELL, copy), () => undefined);
    }
    return response;
  } catch (failure) {
    const cached = await caches.match(SHELL, { cacheName: CACHE });
    if (cached) return cached;
    throw failure;
  }
}

async function asset(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) void cache.put(request, response.clone()).catch(() => undefined);
  return response;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('the network did not answer in time'));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export {};
