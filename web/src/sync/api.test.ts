import { describe, expect, it } from 'vitest';
import { Api, ApiError, dispositionFileName, fallbackFileName } from './api';

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit } = {}): typeof fetch {
  return (input, init) => {
    seen.url = input instanceof Request ? input.url : input.toString();
    if (init) seen.init = init;
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
}

describe('Api', () => {
  it('creates a board with a JSON POST', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const created = {
      board: 'b1',
      moderator_token: 'm',
      viewer_token: 'v',
      join_code: 'K7P2QX',
      join_url: 'u',
      moderator_url: 'mu',
      presenter_url: 'pu',
    };
    const api = new Api(fakeFetch(201, created, seen));
    await expect(api.createBoard({ title: 'T', district: 'D', date: '2025-03-04' })).resolves.toEqual(created);
    expect(seen.url).toBe('/api/boards');
    expect(seen.init?.method).toBe('POST');
    expect(JSON.parse(seen.init?.body as string)).toEqual({ title: 'T', district: 'D', date: '2025-03-04' });
  });

  it('rotates the join code, renews the presenter link and removes a participant with the moderator token', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api(fakeFetch(200, { join_code: 'NEW123', join_url: 'https://x/join/NEW123' }, seen));
    await expect(api.rotateJoinCode('b1', 'kwm_secret')).resolves.toEqual({ join_code: 'NEW123', join_url: 'https://x/join/NEW123' });
    expect(seen.url).toBe('/api/boards/b1/join-code');
    expect(seen.init?.method).toBe('POST');
    expect(new Headers(seen.init?.headers).get('Authorization')).toBe('Bearer kwm_secret');

    const viewer = new Api(fakeFetch(200, { viewer_token: 'kwv_x', presenter_url: 'https://x/b/b1/present#token=kwv_x' }, seen));
    await expect(viewer.rotateViewerToken('b1', 'kwm_secret')).resolves.toMatchObject({ viewer_token: 'kwv_x' });
    expect(seen.url).toBe('/api/boards/b1/viewer-token');

    const removal = new Api((input, init) => {
      seen.url = input instanceof Request ? input.url : input.toString();
      if (init) seen.init = init;
      return Promise.resolve(new Response(null, { status: 204 }));
    });
    await removal.removeParticipant('b1', 'kwm_secret', 'pa01');
    expect(seen.url).toBe('/api/boards/b1/participants/pa01');
    expect(seen.init?.method).toBe('DELETE');
    expect(new Headers(seen.init?.headers).get('Authorization')).toBe('Bearer kwm_secret');

    await expect(new Api(fakeFetch(403, { error: 'not the moderator' })).rotateJoinCode('b1', 'wrong')).rejects.toMatchObject({ status: 403 });
  });

  it('returns null for an unknown join code', async () => {
    await expect(new Api(fakeFetch(404, { error: 'unknown code' })).lookupCode('NOPE')).resolves.toBeNull();
  });

  it('surfaces the server message of a 4xx', async () => {
    const api = new Api(fakeFetch(400, { error: 'name is required' }));
    const error = await api
      .join('b1', { join_code: 'K', name: '', organisation: '', sector: 'politik' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toBe('name is required');
  });

  it('reports an unreachable server as offline', async () => {
    const api = new Api(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = await api.lookupCode('K').catch((e: unknown) => e);
    expect((error as ApiError).offline).toBe(true);
  });

  it('fetches an export with the moderator token and names it as the server does', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new Api((input, init) => {
      seen.url = input instanceof Request ? input.url : input.toString();
      if (init) seen.init = init;
      const headers = { 'Content-Type': 'text/markdown; charset=utf-8', 'Content-Disposition': 'attachment; filename="kartenwand-sandow-2025-03-04.md"' };
      return Promise.resolve(new Response('# Stadtteilkonferenz Sandow', { status: 200, headers }));
    });
    const file = await api.exportBoard({ board: 'b1', token: 'kwm_secret', format: 'md', authors: true, title: 'Sandow' });
    expect(seen.url).toBe('/api/boards/b1/export.md');
    expect(new Headers(seen.init?.headers).get('Authorization')).toBe('Bearer kwm_secret');
    expect(file.fileName).toBe('kartenwand-sandow-2025-03-04.md');
    await expect(file.blob.text()).resolves.toBe('# Stadtteilkonferenz Sandow');
  });

  it('asks for authors=false, and names the file after the title when the server gives no name', async () => {
    const seen: { url?: string } = {};
    const api = new Api((input) => {
      seen.url = input instanceof Request ? input.url : input.toString();
      return Promise.resolve(new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), { status: 200 }));
    });
    const file = await api.exportBoard({ board: 'b1', token: 't', format: 'pdf', authors: false, title: 'Konferenz: Sandow/Ost' });
    expect(seen.url).toBe('/api/boards/b1/export.pdf?authors=false');
    expect(file.fileName).toBe('Konferenz- Sandow-Ost.pdf');
    expect(file.blob.size).toBe(4);
  });

  it('turns a refused, failed or unreachable export into an ApiError with its status', async () => {
    const refused = new Api(fakeFetch(403, { error: 'not the moderator of this board' }));
    const denied = await refused.exportBoard({ board: 'b1', token: 'kwv_x', format: 'csv', authors: true }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ status: 403, message: 'not the moderator of this board' });

    const broken = new Api(() => Promise.resolve(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })));
    const failed = await broken.exportBoard({ board: 'b1', token: 't', format: 'docx', authors: true }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 502, message: 'Bad Gateway' });

    const offline = new Api(() => Promise.reject(new TypeError('Failed to fetch')));
    const unreachable = await offline.exportBoard({ board: 'b1', token: 't', format: 'json', authors: true }).catch((e: unknown) => e);
    expect((unreachable as ApiError).offline).toBe(true);
  });
});

describe('export file names', () => {
  it('reads filename* before filename, quoted or not', () => {
    expect(dispositionFileName(`attachment; filename="a.md"; filename*=UTF-8''Stra%C3%9Fe.md`)).toBe('Straße.md');
    expect(dispositionFileName('attachment; filename="say \\"hi\\".md"')).toBe('say "hi".md');
    expect(dispositionFileName('attachment; filename=plain.csv')).toBe('plain.csv');
    expect(dispositionFileName('attachment')).toBeNull();
    expect(dispositionFileName(null)).toBeNull();
  });

  it('falls back to the title, else the board id', () => {
    expect(fallbackFileName('Stadtteilkonferenz Sandow', 'b1', 'html')).toBe('Stadtteilkonferenz Sandow.html');
    expect(fallbackFileName('  ', 'b1', 'json')).toBe('b1.json');
    expect(fallbackFileName(undefined, 'b1', 'docx')).toBe('b1.docx');
  });
});
