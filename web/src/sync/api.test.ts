import { describe, expect, it } from 'vitest';
import { Api, ApiError } from './api';

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
});
