/**
 * Photos on their way to the server. A photo taken on the phone is first
 * written to this device (IndexedDB: it survives a reload and a dropped
 * Wi-Fi), then sent, one at a time, oldest first:
 *
 * - 201: it arrived; it leaves the device and the queue. Each is sent with
 *   its queue id as `Idempotency-Key`: one whose answer was lost is sent
 *   again and the server answers 200 with the photo it already has.
 * - no answer (offline, a dropped connection), a 5xx, 408 or 429: it stays
 *   and is tried again with backoff (RETRY_MS, doubling up to
 *   RETRY_MAX_MS), and at once when the browser says it is online again or
 *   the board's connection is back (`kick`).
 * - any other 4xx (not an image, too large, the board full, a token no
 *   longer valid): the server will say the same again, so it is not
 *   retried; it stays, with the server's message, until the person lets
 *   it go.
 *
 * Two tabs of the phone share the device's queue: each send runs under a
 * Web Lock (`navigator.locks`, where the browser has it) and first checks
 * that the photo is still on the device, so a photo another tab has sent
 * is not sent again.
 *
 * Storage is behind `PhotoStore`: IndexedDB in the browser
 * (`openPhotoStore`), memory in the tests and where IndexedDB fails.
 * Bytes are stored as an ArrayBuffer, which every browser's IndexedDB
 * takes (Blobs are refused by some private modes).
 */
import { ApiError } from '../sync/api';
import { Observable, type Readable } from '../sync/observable';
import type { UploadedPhoto } from '../sync/photos';

export interface QueuedPhoto {
  /** A local id, not the server's. */
  id: string;
  board: string;
  /** Whose queue it is: two people may share a device and a board. */
  participant: string;
  /** The image's type as the camera gave it (image/jpeg, …). */
  type: string;
  bytes: ArrayBuffer;
  createdAt: number;
  /** The server's refusal (status and message); then it is never sent again. */
  refused: { status: number; message: string } | null;
}

/** Where queued photos are kept. */
export interface PhotoStore {
  /** Whether it survives a reload (false: memory only). */
  readonly lasting: boolean;
  list(board: string, participant: string): Promise<QueuedPhoto[]>;
  put(photo: QueuedPhoto): Promise<void>;
  remove(id: string): Promise<void>;
}

export function memoryPhotoStore(): PhotoStore {
  const photos = new Map<string, QueuedPhoto>();
  return {
    lasting: false,
    list: (board, participant) =>
      Promise.resolve([...photos.values()].filter((p) => p.board === board && p.participant === participant).sort((a, b) => a.createdAt - b.createdAt)),
    put: (photo) => {
      photos.set(photo.id, photo);
      return Promise.resolve();
    },
    remove: (id) => {
      photos.delete(id);
      return Promise.resolve();
    },
  };
}

const DATABASE = 'kartenwand-photos';
const QUEUE = 'queue';
/** How long the app waits for IndexedDB before it keeps photos in memory only. */
const OPEN_TIMEOUT_MS = 4000;

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** The photo queue in IndexedDB; null when this device has none or it fails to open. */
export async function openIndexedDbPhotoStore(given?: IDBFactory): Promise<PhotoStore | null> {
  const factory = given ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) return null;
  let db: IDBDatabase;
  try {
    const request = factory.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(QUEUE)) request.result.createObjectStore(QUEUE, { keyPath: 'id' });
    };
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), OPEN_TIMEOUT_MS));
    const opened = await Promise.race([done(request), timeout]);
    if (opened === null) return null;
    db = opened;
  } catch {
    return null;
  }
  return {
    lasting: true,
    async list(board, participant) {
      const all = (await done(db.transaction(QUEUE, 'readonly').objectStore(QUEUE).getAll())) as QueuedPhoto[];
      return all.filter((p) => p.board === board && p.participant === participant).sort((a, b) => a.createdAt - b.createdAt);
    },
    async put(photo) {
      const transaction = db.transaction(QUEUE, 'readwrite');
      transaction.objectStore(QUEUE).put(photo);
      await committed(transaction);
    },
    async remove(id) {
      const transaction = db.transaction(QUEUE, 'readwrite');
      transaction.objectStore(QUEUE).delete(id);
      await committed(transaction);
    },
  };
}

let shared: Promise<PhotoStore> | null = null;

/** This page's photo store: IndexedDB if it opens, else memory (then a reload loses the queue). */
export function openPhotoStore(): Promise<PhotoStore> {
  shared ??= openIndexedDbPhotoStore().then((store) => store ?? memoryPhotoStore());
  return shared;
}

/** The first wait before a photo is tried again; it doubles with each failure. */
export const RETRY_MS = 2000;
/** The longest wait between two tries: a phone back in the Wi-Fi sends within a minute even unnoticed. */
export const RETRY_MAX_MS = 60_000;

/** Where a photo on the device stands. */
export type QueueState = 'waiting' | 'sending' | 'refused';

export interface QueueEntry {
  id: string;
  type: string;
  bytes: ArrayBuffer;
  createdAt: number;
  state: QueueState;
  /** Failed tries in a row (no answer, 5xx). */
  failures: number;
  refused: { status: number; message: string } | null;
}

export interface QueueOptions {
  board: string;
  participant: string;
  store: PhotoStore | Promise<PhotoStore>;
  /**
   * Sends one photo under its queue id as the idempotency key (a photo
   * whose 201 was lost is sent again and stored once); rejects with
   * ApiError (status 0: no answer).
   */
  upload: (photo: Blob, key: string) => Promise<UploadedPhoto>;
  /** Called once a photo arrived (the server answered 201). */
  onSent?: (uploaded: UploadedPhoto) => void;
  /** Whether the browser thinks it is online (default navigator.onLine). */
  online?: () => boolean;
  /** Where `online` events come from (default window). */
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
  now?: () => number;
  newId?: () => string;
  /** Runs `work` while no other tab of this device sends (default: a Web Lock, else at once). */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
}

const LOCK = 'kartenwand-photo-queue';

interface Locks {
  request<T>(name: string, work: () => Promise<T>): Promise<T>;
}

function webLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: Locks } }).navigator?.locks;
  return locks ? locks.request(LOCK, work) : work();
}

/** Whether a refusal may go differently next time. */
function worthRetrying(failure: unknown): boolean {
  if (!(failure instanceof ApiError)) return true;
  return failure.status === 0 || failure.status === 408 || failure.status === 429 || failure.status >= 500;
}

export function retryDelay(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** Math.max(0, failures - 1));
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * One participant's queue of photos for one board. `entries` is what the
 * gallery shows; `ready` resolves once the photos stored on the device
 * are loaded (and their sending started).
 */
export class PhotoQueue {
  private readonly state = new Observable<QueueEntry[]>([]);
  readonly entries: Readable<QueueEntry[]> = this.state;
  readonly ready: Promise<void>;
  private store: PhotoStore | null = null;
  private sending = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private destroyed = false;
  private readonly online: () => boolean;
  private readonly events: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  private readonly cameOnline = (): void => this.kick();

  constructor(private readonly options: QueueOptions) {
    this.online = options.online ?? (() => typeof navigator === 'undefined' || navigator.onLine);
    this.events = options.events === undefined ? (typeof window === 'undefined' ? null : window) : options.events;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomId;
    this.exclusive = options.exclusive ?? webLock;
    this.events?.addEventListener('online', this.cameOnline);
    this.ready = Promise.resolve(options.store).then(async (store) => {
      this.store = store;
      const stored = await store.list(options.board, options.participant).catch(() => []);
      if (this.gone()) return;
      this.state.set(
        stored.map((photo) => ({
          id: photo.id,
          type: photo.type,
          bytes: photo.bytes,
          createdAt: photo.createdAt,
          state: photo.refused ? 'refused' : 'waiting',
          failures: 0,
          refused: photo.refused,
        })),
      );
      this.kick();
    });
  }

  /** Whether what is queued survives a reload. */
  get lasting(): boolean {
    return this.store?.lasting ?? false;
  }

  /**
   * Keeps a photo on the device, then sends it. Resolves once it is stored
   * (true) or kept in memory only because storing failed (false).
   */
  async add(photo: Blob): Promise<boolean> {
    await this.ready;
    const entry: QueuedPhoto = {
      id: this.newId(),
      board: this.options.board,
      participant: this.options.participant,
      type: photo.type || 'image/jpeg',
      bytes: await photo.arrayBuffer(),
      createdAt: this.now(),
      refused: null,
    };
    let stored = this.store !== null && this.store.lasting;
    try {
      await this.store?.put(entry);
    } catch {
      stored = false;
    }
    if (this.gone()) return stored;
    this.state.update((list) => [...list, { ...entry, state: 'waiting', failures: 0 }]);
    this.kick();
    return stored;
  }

  /** Lets a refused photo go: it leaves the device. */
  async dismiss(id: string): Promise<void> {
    this.state.update((list) => list.filter((e) => e.id !== id || e.state !== 'refused'));
    await this.store?.remove(id).catch(() => undefined);
  }

  /**
   * Tries now whatever waits (the connection is back): the backoff's wait
   * is skipped, refused photos stay refused.
   */
  kick(): void {
    if (this.gone() || this.store === null) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.sendNext();
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.timer);
    this.events?.removeEventListener('online', this.cameOnline);
  }

  /** Read through a call: it changes while a send is awaited. */
  private gone(): boolean {
    return this.destroyed;
  }

  private patch(id: string, change: Partial<QueueEntry>): void {
    this.state.update((list) => list.map((e) => (e.id === id ? { ...e, ...change } : e)));
  }

  private async sendNext(): Promise<void> {
    if (this.sending || this.gone()) return;
    const next = this.state.get().find((e) => e.state === 'waiting');
    if (!next) return;
    // The browser knows it has no network: wait for its `online` event
    // (and the backoff, in case it never comes).
    if (!this.online()) {
      this.retryLater(next);
      return;
    }
    this.sending = true;
    this.patch(next.id, { state: 'sending' });
    try {
      const uploaded = await this.exclusive(async () => {
        // Another tab may have sent it (or had it refused) meanwhile.
        const stored = await this.store?.list(this.options.board, this.options.participant);
        if (stored && !stored.some((p) => p.id === next.id && p.refused === null)) return null;
        const answer = await this.options.upload(new Blob([next.bytes], { type: next.type }), next.id);
        await this.store?.remove(next.id).catch(() => undefined);
        return answer;
      });
      this.state.update((list) => list.filter((e) => e.id !== next.id));
      this.sending = false;
      if (uploaded && !this.gone()) this.options.onSent?.(uploaded);
      void this.sendNext();
    } catch (failure) {
      this.sending = false;
      if (this.gone()) return;
      if (worthRetrying(failure)) {
        const failures = next.failures + 1;
        this.patch(next.id, { state: 'waiting', failures });
        this.retryLater({ ...next, failures });
      } else {
        const refused = {
          status: failure instanceof ApiError ? failure.status : 0,
          message: failure instanceof Error ? failure.message : String(failure),
        };
        this.patch(next.id, { state: 'refused', refused });
        const stored = { id: next.id, board: this.options.board, participant: this.options.participant, type: next.type, bytes: next.bytes, createdAt: next.createdAt, refused };
        await this.store?.put(stored).catch(() => undefined);
        // The next one may well be taken.
        void this.sendNext();
      }
    }
  }

  private retryLater(entry: QueueEntry): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), retryDelay(Math.max(1, entry.failures)));
  }
}
