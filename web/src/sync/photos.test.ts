import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { PhotoApi, readBoardPhotos } from './photos';

describe('PhotoApi', () => {
  it('sends a photo with its type, the token and the idempotency key', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const api = new PhotoApi((input, init) => {
      seen.url = input instanceof Request ? input.url : input.toString();
      if (init) seen.init = init;
      return Promise.resolve(new Response(JSON.stringify({ photo: 'ab12cd34ef56ab78', width: 2048, height: 1536, status: 'pending' }), { status: 201 }));
    });
    const uploaded = await api.upload('board0001', 'kwp_secret', new Blob(['x'], { type: 'image/png' }), 'local0000001');
    expect(uploaded).toEqual({ photo: 'ab12cd34ef56ab78', width: 2048, height: 1536, status: 'pending' });
    expect(seen.url).toBe('/api/boards/board0001/photos');
    expect(seen.init?.method).toBe('POST');
    const headers = new Headers(seen.init?.headers);
    expect(headers.get('Authorization')).toBe('Bearer kwp_secret');
    expect(headers.get('Content-Type')).toBe('image/png');
    expect(headers.get('Idempotency-Key')).toBe('local0000001');
  });

  it('turns a refusal into an ApiError with the server message, and no answer into status 0', async () => {
    const refusing = new PhotoApi(() => Promise.resolve(new Response(JSON.stringify({ error: 'this is not a JPEG, PNG or WebP image' }), { status: 422 })));
    await expect(refusing.upload('board0001', 't', new Blob(['x']))).rejects.toMatchObject({ status: 422, message: 'this is not a JPEG, PNG or WebP image' });
    const unreachable = new PhotoApi(() => Promise.reject(new TypeError('Failed to fetch')));
    const failure: unknown = await unreachable.list('board0001', 't').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).offline).toBe(true);
  });

  it('reads a list, an unknown status as not shown', () => {
    expect(
      readBoardPhotos({
        photos: [
          { photo: 'p1', author: 'moderator', created_at: 5, width: 4, height: 3, status: 'shown' },
          { photo: 'p2', author: 'pa00000001', created_at: 6, width: 4, height: 3, status: 'flagged' },
          { author: 'no id' },
        ],
      }).map((p) => [p.photo, p.status]),
    ).toEqual([
      ['p1', 'shown'],
      ['p2', 'hidden'],
    ]);
    expect(() => readBoardPhotos({ nothing: true })).toThrow(ApiError);
  });
});
