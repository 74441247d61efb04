import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../sync/api';
import type { UploadedPhoto } from '../sync/photos';
import { PhotoQueue, type PhotoStore, RETRY_MAX_MS, RETRY_MS, memoryPhotoStore, retryDelay } from './photo-queue';

/** A window's `online` event, without a window. */
class Events extends EventTarget {
  fire(): void {
    this.dispatchEvent(new Event('online'));
  }
}

const uploaded = (photo: string): UploadedPhoto => ({ photo, width: 4, height: 3, status: 'pending' });

function photo(text: string): Blob {
  return new Blob([text], { type: 'image/jpeg' });
}

/** The server's answers in order: a photo id for 201, an ApiError otherwise. */
function server(answers: (string | ApiError)[]) {
  const sent: string[] = [];
  const keys: string[] = [];
  const upload = vi.fn(async (blob: Blob, key: string) => {
    sent.push(await blob.text());
    keys.push(key);
    const answer = answers.shift();
    if (answer === undefined) return uploaded(`p${sent.length}`);
    if (answer instanceof ApiError) throw answer;
    return uploaded(answer);
  });
  return { sent, upload, keys };
}

/** Lets the queue's promises (store, upload) settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function queue(store: PhotoStore, upload: (blob: Blob, key: string) => Promise<UploadedPhoto>, online: { now: boolean }, events = new Events(), onSent?: (u: UploadedPhoto) => void) {
  let id = 0;
  return new PhotoQueue({
    board: 'board0001',
    participant: 'pa00000001',
    store,
    upload,
    ...(onSent ? { onSent } : {}),
    online: () => online.now,
    events,
    newId: () => `local${++id}`,
  });
}

describe('the photo queue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps a photo taken offline and sends it when the browser is online again', async () => {
    const store = memoryPhotoStore();
    const { sent, upload } = server([]);
    const online = { now: false };
    const events = new Events();
    const arrived: UploadedPhoto[] = [];
    const q = queue(store, upload, online, events, (u) => arrived.push(u));
    await q.add(photo('flipchart'));
    await settle();
    expect(upload).not.toHaveBeenCalled();
    expect(q.entries.get().map((e) => e.state)).toEqual(['waiting']);
    expect(await store.list('board0001', 'pa00000001')).toHaveLength(1);

    online.now = true;
    events.fire();
    await settle();
    expect(sent).toEqual(['flipchart']);
    expect(arrived).toEqual([uploaded('p1')]);
    expect(q.entries.get()).toEqual([]);
    expect(await store.list('board0001', 'pa00000001')).toEqual([]);
    q.destroy();
  });

  it('tries again with backoff after a network error or a 5xx, and at once on a kick', async () => {
    const store = memoryPhotoStore();
    const { sent, upload, keys } = server([new ApiError(0, 'network'), new ApiError(503, 'busy'), 'p9']);
    const q = queue(store, upload, { now: true });
    await q.add(photo('pinnwand'));
    await settle();
    expect(sent).toHaveLength(1);
    expect(q.entries.get()[0]).toMatchObject({ state: 'waiting', failures: 1 });

    await vi.advanceTimersByTimeAsync(RETRY_MS - 1);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(sent).toHaveLength(2);
    expect(q.entries.get()[0]).toMatchObject({ state: 'waiting', failures: 2 });

    // The connection is back: no waiting for the doubled backoff.
    q.kick();
    await settle();
    expect(sent).toEqual(['pinnwand', 'pinnwand', 'pinnwand']);
    // Every try under the same key: a lost 201 does not make a second photo.
    expect(keys).toEqual(['local1', 'local1', 'local1']);
    expect(q.entries.get()).toEqual([]);
    q.destroy();
  });

  it('shows a refusal with the server message and never sends that photo again', async () => {
    const store = memoryPhotoStore();
    const { sent, upload } = server([new ApiError(422, 'this is not a JPEG, PNG or WebP image')]);
    const q = queue(store, upload, { now: true });
    await q.add(photo('not a photo'));
    await q.add(photo('a photo'));
    await settle();
    expect(sent).toEqual(['not a photo', 'a photo']);
    expect(q.entries.get()).toEqual([
      expect.objectContaining({ id: 'local1', state: 'refused', refused: { status: 422, message: 'this is not a JPEG, PNG or WebP image' } }),
    ]);
    await vi.advanceTimersByTimeAsync(10 * RETRY_MAX_MS);
    q.kick();
    await settle();
    expect(sent).toHaveLength(2);

    // The refusal is on the device too, until the person lets it go.
    const again = queue(store, upload, { now: true });
    await again.ready;
    await settle();
    expect(again.entries.get().map((e) => e.state)).toEqual(['refused']);
    expect(sent).toHaveLength(2);
    await again.dismiss('local1');
    expect(again.entries.get()).toEqual([]);
    expect(await store.list('board0001', 'pa00000001')).toEqual([]);
    q.destroy();
    again.destroy();
  });

  it('sends what a page before it left on the device, one at a time and oldest first', async () => {
    const store = memoryPhotoStore();
    const before = queue(store, server([]).upload, { now: false });
    await before.add(photo('first'));
    vi.advanceTimersByTime(5);
    await before.add(photo('second'));
    before.destroy();

    let release: () => void = () => undefined;
    const sent: string[] = [];
    const slow = vi.fn(async (blob: Blob) => {
      sent.push(await blob.text());
      await new Promise<void>((resolve) => (release = resolve));
      return uploaded(`p${sent.length}`);
    });
    const after = queue(store, slow, { now: true });
    await after.ready;
    await settle();
    expect(sent).toEqual(['first']);
    expect(after.entries.get().map((e) => e.state)).toEqual(['sending', 'waiting']);
    release();
    await settle();
    expect(sent).toEqual(['first', 'second']);
    release();
    await settle();
    expect(after.entries.get()).toEqual([]);
    after.destroy();
  });

  it('keeps the queues of two people and two boards apart', async () => {
    const store = memoryPhotoStore();
    const mine = queue(store, server([]).upload, { now: false });
    await mine.add(photo('mine'));
    expect(await store.list('board0001', 'pa00000002')).toEqual([]);
    expect(await store.list('board0002', 'pa00000001')).toEqual([]);
    mine.destroy();
  });

  it('doubles the wait up to a minute', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelay)).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it('sends a photo once when two tabs share the device', async () => {
    const store = memoryPhotoStore();
    const { sent, upload } = server([]);
    // One lock for both tabs, as navigator.locks is.
    let held: Promise<unknown> = Promise.resolve();
    const exclusive = <T,>(work: () => Promise<T>): Promise<T> => {
      const run = held.then(work, work);
      held = run.catch(() => undefined);
      return run;
    };
    const tab = (n: number) =>
      new PhotoQueue({ board: 'board0001', participant: 'pa00000001', store, upload, online: () => false, events: null, exclusive, newId: () => `tab${n}` });
    const first = tab(1);
    await first.add(photo('once'));
    const second = tab(2);
    await second.ready;
    expect(second.entries.get()).toHaveLength(1);
    first.destroy();
    const a = new PhotoQueue({ board: 'board0001', participant: 'pa00000001', store, upload, events: null, exclusive, online: () => true });
    const b = new PhotoQueue({ board: 'board0001', participant: 'pa00000001', store, upload, events: null, exclusive, online: () => true });
    await Promise.all([a.ready, b.ready]);
    await settle();
    await settle();
    expect(sent).toEqual(['once']);
    expect(a.entries.get()).toEqual([]);
    expect(b.entries.get()).toEqual([]);
    for (const q of [second, a, b]) q.destroy();
  });
});
