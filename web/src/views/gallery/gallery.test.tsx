// @vitest-environment happy-dom
/**
 * The gallery's views in a DOM against a fake server: the phone's own
 * photos by where they stand, the moderator's approval, the projector's
 * slideshow; names and photos as text and images, never as HTML. The real
 * browser run with the server is tests/e2e/gallery.test.mjs.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import * as Y from 'yjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Board, selectMeta, setProfile } from '../../board';
import { PhotoQueue, memoryPhotoStore } from '../../device/photo-queue';
import { Observable } from '../../sync/observable';
import { PhotoApi } from '../../sync/photos';
import { EventGallery } from './EventGallery';
import { ModeratorGallery } from './ModeratorGallery';
import { PhoneGallery } from './PhoneGallery';
import { GallerySlideshow, SLIDE_MS } from './Slideshow';
import { testRoot } from '../test-helpers';

interface Call {
  method: string;
  url: string;
  authorization: string | null;
  body: string | null;
}

/** The photo endpoints over a list the test holds. */
function fakeServer(photos: { photo: string; author: string; status: string }[]) {
  const calls: Call[] = [];
  const fetcher: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? init.body : null;
    calls.push({ method, url, authorization: new Headers(init?.headers).get('Authorization'), body });
    const one = /\/photos\/([^/?]+)/.exec(url)?.[1];
    if (method === 'GET' && one === undefined) {
      const listed = photos.map((p) => ({ ...p, created_at: 1, width: 40, height: 30 }));
      return Promise.resolve(new Response(JSON.stringify({ photos: listed }), { status: 200 }));
    }
    if (method === 'GET') return Promise.resolve(new Response(new Blob(['jpeg'], { type: 'image/jpeg' }), { status: 200 }));
    if (method === 'POST' && one !== undefined) {
      const photo = photos.find((p) => p.photo === one);
      if (photo && body) photo.status = (JSON.parse(body) as { status: string }).status;
      return Promise.resolve(new Response(null, { status: 204 }));
    }
    return Promise.resolve(new Response(JSON.stringify({ photo: 'new', width: 40, height: 30, status: 'shown' }), { status: 201 }));
  };
  return { calls, api: new PhotoApi(fetcher) };
}

/** Lets fetches, object URLs and renders settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await act(() => Promise.resolve());
}

const root = testRoot();
afterEach(() => {
  vi.useRealTimers();
});

describe('the gallery', () => {
  it('shows the phone its own photos by where they stand, and the board’s shown ones', async () => {
    const { api, calls } = fakeServer([
      { photo: 'ph000001', author: 'pa00000001', status: 'pending' },
      { photo: 'ph000002', author: 'pa00000002', status: 'shown' },
      { photo: 'ph000003', author: 'pa00000001', status: 'shown' },
    ]);
    const queue = new PhotoQueue({
      board: 'board0001',
      participant: 'pa00000001',
      store: memoryPhotoStore(),
      upload: (photo) => api.upload('board0001', 'kwp_secret', photo),
      online: () => false,
      events: null,
    });
    await queue.add(new Blob(['offline photo'], { type: 'image/jpeg' }));
    const board = new Board(new Y.Doc(), null);
    await act(() =>
      render(
        <PhoneGallery board={board} boardId="board0001" participantId="pa00000001" token="kwp_secret" photos={{ queue, arrivals: new Observable(0) }} api={api} />,
        root(),
      ),
    );
    await settle();
    const states = [...root().querySelectorAll('.own-photo')].map((li) => li.getAttribute('data-state'));
    expect(states).toEqual(['pending', 'shown', 'waiting']);
    expect(root().textContent).toContain('Wartet auf Freigabe');
    expect(root().textContent).toContain('Wartet auf Verbindung');
    const thumbs = [...root().querySelectorAll('.photo-grid .photo-thumb')].map((b) => b.getAttribute('aria-label'));
    expect(thumbs).toEqual(['Foto 1 von 2 groß zeigen', 'Foto 2 von 2 groß zeigen']);
    expect(root().querySelector('input[type=file][capture=environment][accept="image/*"]')).not.toBeNull();
    expect(calls.every((c) => c.authorization === 'Bearer kwp_secret')).toBe(true);
    expect(calls.some((c) => c.url === '/api/boards/board0001/photos/ph000002?size=thumbnail')).toBe(true);

    // Tapped, a thumbnail opens large; closing brings the focus back.
    await act(() => root().querySelector<HTMLButtonElement>('.photo-thumb')?.click());
    await settle();
    expect(root().querySelector('.photo-large figcaption')?.textContent).toContain('1/2');
    queue.destroy();
  });

  it('lets the moderator approve a waiting photo, turn approval on and put the photos on the projector', async () => {
    const { api, calls } = fakeServer([{ photo: 'ph000001', author: 'pa00000001', status: 'pending' }]);
    const board = new Board(new Y.Doc(), null);
    const markup = '<img src=x onerror=alert(1)>';
    setProfile(board, 'pa00000001', { name: markup, organisation: 'Kita', sector: 'stadtteil' });
    await act(() => render(<ModeratorGallery board={board} boardId="board0001" token="kwm_secret" api={api} />, root()));
    await settle();
    expect(root().textContent).toContain('Warten auf Freigabe (1)');
    expect(root().textContent).toContain(`von ${markup}`);
    expect(root().querySelector('img[src=x]')).toBeNull();

    const approve = [...root().querySelectorAll('button')].find((b) => b.textContent === 'Freigeben');
    await act(() => approve?.click());
    await settle();
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      url: '/api/boards/board0001/photos/ph000001',
      authorization: 'Bearer kwm_secret',
      body: JSON.stringify({ status: 'shown' }),
    });
    expect(root().textContent).not.toContain('Warten auf Freigabe');

    const approval = root().querySelector<HTMLInputElement>('#gallery-approval');
    await act(() => approval?.click());
    expect(selectMeta(board).photosNeedApproval).toBe(true);
    const project = [...root().querySelectorAll('button')].find((b) => b.textContent === 'Fotos auf der Leinwand zeigen');
    await act(() => project?.click());
    expect(selectMeta(board).focus).toEqual({ kind: 'gallery' });
    expect(project?.getAttribute('aria-pressed')).toBe('true');
  });

  it('shows the projector one shown photo after another, with its place in the round', async () => {
    vi.useFakeTimers();
    const { api } = fakeServer([
      { photo: 'ph000001', author: 'moderator', status: 'shown' },
      { photo: 'ph000002', author: 'pa00000001', status: 'hidden' },
      { photo: 'ph000003', author: 'pa00000001', status: 'shown' },
    ]);
    await act(() => render(<GallerySlideshow boardId="board0001" token="kwv_secret" api={api} />, root()));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    expect(root().querySelector('.slide-position')?.textContent).toBe('1/2');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(SLIDE_MS);
    });
    expect(root().querySelector('.slide-position')?.textContent).toBe('2/2');
    await settle();
    expect(root().querySelector('.slide img')?.getAttribute('alt')).toBe('Foto 2 von 2');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(SLIDE_MS);
    });
    expect(root().querySelector('.slide-position')?.textContent).toBe('1/2');
  });

  it('shows the event page the shown photos of all boards once opened, with the board they come from', async () => {
    const urls: string[] = [];
    const fetcher: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      urls.push(`${url} ${new Headers(init?.headers).get('Authorization') ?? ''}`);
      if (url.endsWith('/photos')) {
        const photos = [{ photo: 'ph000001', board: 'board0002', board_title: '<b>Workshop Wohnen</b>', created_at: 1, width: 40, height: 30 }];
        return Promise.resolve(new Response(JSON.stringify({ photos }), { status: 200 }));
      }
      return Promise.resolve(new Response(new Blob(['jpeg'], { type: 'image/jpeg' }), { status: 200 }));
    };
    await act(() => render(<EventGallery eventId="event001" token="kwp_secret" initiallyOpen={false} api={new PhotoApi(fetcher)} />, root()));
    expect(urls).toEqual([]);
    const details = root().querySelector('details');
    if (!details) throw new Error('no details');
    details.open = true;
    await act(() => {
      details.dispatchEvent(new Event('toggle'));
    });
    // The list's effect runs after the render the toggle caused.
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    await settle();
    expect(urls).toContain('/api/events/event001/photos Bearer kwp_secret');
    expect(urls).toContain('/api/events/event001/photos/ph000001?size=thumbnail Bearer kwp_secret');
    expect(root().querySelector('.photo-caption')?.textContent).toBe('aus <b>Workshop Wohnen</b>');
    expect(root().querySelector('b')).toBeNull();
  });
});
