/**
 * The service worker's routing and caching, run in a fake worker scope:
 * precache on install, network first for app pages with the cached shell
 * as fallback, cache first for hashed assets, and hands off everything live
 * (API, websocket, exports). The browser run (offline reload on a phone) is
 * the E2E suite.
 */
import { transformWithOxc } from 'vite';
import { beforeEach, describe, expect, it } from 'vitest';
import source from './service-worker.ts?raw';

const ORIGIN = 'https://kartenwand.test';
const FILES = ['/assets/index-abc.js', '/assets/index-abc.css'];

type Listener = (event: FakeEvent) => void;
interface FakeEvent {
  request?: FakeRequest;
  waitUntil(promise: Promise<unknown>): void;
  respondWith(response: Response | Promise<Response>): void;
}
interface FakeRequest {
  url: string;
  method: string;
  mode: string;
}

/** Cache Storage keyed by absolute URL. */
class FakeCaches {
  readonly stores = new Map<string, Map<string, Response>>();

  open(name: string) {
    let store = this.stores.get(name);
    if (!store) this.stores.set(name, (store = new Map<string, Response>()));
    const entries = store;
    return Promise.resolve({
      match: (request: FakeRequest | string) => Promise.resolve(entries.get(absolute(request))?.clone()),
      put: (request: FakeRequest | string, response: Response) => {
        entries.set(absolute(request), response);
        return Promise.resolve();
      },
      addAll: async (requests: FakeRequest[]) => {
        for (const request of requests) entries.set(absolute(request), await network(request));
      },
    });
  }

  keys() {
    return Promise.resolve([...this.stores.keys()]);
  }

  delete(name: string) {
    return Promise.resolve(this.stores.delete(name));
  }

  match(request: string, options: { cacheName: string }) {
    return Promise.resolve(this.stores.get(options.cacheName)?.get(absolute(request))?.clone());
  }
}

function absolute(request: FakeRequest | string): string {
  return new URL(typeof request === 'string' ? request : request.url, ORIGIN).href;
}

let online = true;
const served: string[] = [];
function network(request: FakeRequest | string): Promise<Response> {
  const url = new URL(absolute(request));
  served.push(url.pathname);
  if (!online) return Promise.reject(new TypeError('Failed to fetch'));
  const type = url.pathname.startsWith('/assets/') ? 'text/javascript' : 'text/html';
  return Promise.resolve(new Response(`network ${url.pathname}`, { headers: { 'content-type': type } }));
}

async function startWorker() {
  const { code } = await transformWithOxc(source, 'service-worker.ts', { lang: 'ts' });
  const script = code
    .replace(/^export\s*\{\s*\};?\s*$/m, '')
    .replaceAll('__SW_VERSION__', JSON.stringify('test'))
    .replaceAll('__SW_PRECACHE__', JSON.stringify(FILES));
  const listeners = new Map<string, Listener>();
  const scope = {
    location: { origin: ORIGIN },
    clients: { claim: () => Promise.resolve() },
    skipWaiting: () => Promise.resolve(),
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
  };
  const caches = new FakeCaches();
  // Relative URLs as a browser worker resolves them.
  const request = (url: string, init?: object): FakeRequest => ({ url: absolute(url), method: 'GET', mode: 'cors', ...init });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the worker is a script; run it in the fake scope
  const run = new Function('self', 'caches', 'fetch', 'Request', script) as (...args: unknown[]) => void;
  run(scope, caches, network, function FakeRequestCtor(url: string, init?: object) {
    return request(url, init);
  });

  const lifecycle = async (type: 'install' | 'activate'): Promise<void> => {
    const pending: Promise<unknown>[] = [];
    listeners.get(type)?.({ waitUntil: (p) => pending.push(p), respondWith: () => undefined });
    await Promise.all(pending);
  };
  /** Dispatches a fetch; undefined means the worker left it to the browser. */
  const fetchThrough = async (path: string, mode = 'cors'): Promise<Response | undefined> => {
    let answer: Response | Promise<Response> | undefined;
    listeners.get('fetch')?.({
      request: { url: absolute(path), method: 'GET', mode },
      waitUntil: () => undefined,
      respondWith: (response) => {
        answer = response;
      },
    });
    return answer;
  };
  return { caches, lifecycle, fetchThrough };
}

describe('service worker', () => {
  beforeEach(() => {
    online = true;
    served.length = 0;
  });

  it('precaches the shell and every asset of the build on install', async () => {
    const worker = await startWorker();
    await worker.lifecycle('install');
    const [cache] = [...worker.caches.stores.values()];
    expect([...(cache?.keys() ?? [])].sort()).toEqual([`${ORIGIN}/`, ...FILES.map((f) => ORIGIN + f)].sort());
  });

  it('drops the caches of older builds on activate, and only its own', async () => {
    const worker = await startWorker();
    await worker.caches.open('kartenwand-shell-old');
    await worker.caches.open('something-else');
    await worker.lifecycle('install');
    await worker.lifecycle('activate');
    expect([...worker.caches.stores.keys()].sort()).toEqual(['kartenwand-shell-test', 'something-else']);
  });

  it('serves app pages from the network, and the cached shell when offline', async () => {
    const worker = await startWorker();
    await worker.lifecycle('install');
    expect(await (await worker.fetchThrough('/join/K7P2QX', 'navigate'))?.text()).toBe('network /join/K7P2QX');
    online = false;
    for (const page of ['/join/K7P2QX', '/b/abc123/moderate', '/b/abc123/present', '/b/abc123/join', '/e/ev123', '/e/ev123/organise', '/e/ev123/present', '/']) {
      // The newest shell, stored by the online navigation above.
      expect(await (await worker.fetchThrough(page, 'navigate'))?.text()).toBe('network /join/K7P2QX');
    }
  });

  it('serves hashed assets from the cache without the network', async () => {
    const worker = await startWorker();
    await worker.lifecycle('install');
    online = false;
    served.length = 0;
    expect(await (await worker.fetchThrough(FILES[0] ?? '', 'cors'))?.text()).toBe(`network ${FILES[0] ?? ''}`);
    expect(served).toEqual([]);
  });

  it('leaves the API, exports, the websocket and other sites to the browser', async () => {
    const worker = await startWorker();
    await worker.lifecycle('install');
    expect(await worker.fetchThrough('/api/boards/abc/export.html', 'navigate')).toBeUndefined();
    expect(await worker.fetchThrough('/api/codes/K7P2QX')).toBeUndefined();
    expect(await worker.fetchThrough('/ws/abc?token=x')).toBeUndefined();
    expect(await worker.fetchThrough('/healthz', 'navigate')).toBeUndefined();
    expect(await worker.fetchThrough('https://elsewhere.example/assets/x.js')).toBeUndefined();
  });
});
