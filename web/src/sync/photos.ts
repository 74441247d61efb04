/**
 * The photo endpoints (docs/protocol.md, "Photos"): uploading to a board,
 * its list, the images, the moderator's approve / hide / delete, and the
 * event page's shown photos of all its boards. Every call carries the
 * token as a Bearer header; images come back as Blobs, which the views show
 * through object URLs, so no token ever stands in an image's URL.
 */
import { ApiError, type Fetch, send } from './api';

/** `shown` to all, `pending` approval (the moderator and the author), `hidden` by the moderator. */
export const PHOTO_STATUSES = ['shown', 'pending', 'hidden'] as const;
export type PhotoStatus = (typeof PHOTO_STATUSES)[number];

export function isPhotoStatus(value: unknown): value is PhotoStatus {
  return typeof value === 'string' && (PHOTO_STATUSES as readonly string[]).includes(value);
}

/** The types the server takes; anything else is refused with 415. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

export interface BoardPhoto {
  photo: string;
  /** The participant id of who uploaded it, or `moderator`. */
  author: string;
  createdAt: number;
  width: number;
  height: number;
  status: PhotoStatus;
}

export interface EventPhoto {
  photo: string;
  board: string;
  boardTitle: string;
  createdAt: number;
  width: number;
  height: number;
}

export interface UploadedPhoto {
  photo: string;
  width: number;
  height: number;
  status: PhotoStatus;
}

export type PhotoSize = 'full' | 'thumbnail';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function photosOf(body: unknown): Json[] {
  if (!isObject(body) || !Array.isArray(body.photos)) throw new ApiError(502, 'unexpected response');
  return body.photos.filter(isObject).filter((photo) => typeof photo.photo === 'string');
}

export function readBoardPhotos(body: unknown): BoardPhoto[] {
  return photosOf(body).map((photo) => ({
    photo: String(photo.photo),
    author: typeof photo.author === 'string' ? photo.author : '',
    createdAt: num(photo.created_at),
    width: num(photo.width),
    height: num(photo.height),
    // An unknown status is treated as not shown: nothing appears by mistake.
    status: isPhotoStatus(photo.status) ? photo.status : 'hidden',
  }));
}

export function readEventPhotos(body: unknown): EventPhoto[] {
  return photosOf(body).map((photo) => ({
    photo: String(photo.photo),
    board: typeof photo.board === 'string' ? photo.board : '',
    boardTitle: typeof photo.board_title === 'string' ? photo.board_title : '',
    createdAt: num(photo.created_at),
    width: num(photo.width),
    height: num(photo.height),
  }));
}

const enc = encodeURIComponent;

function sizeQuery(size: PhotoSize): string {
  return size === 'thumbnail' ? '?size=thumbnail' : '';
}

export class PhotoApi {
  constructor(private readonly fetcher: Fetch = (input, init) => fetch(input, init)) {}

  private auth(token: string): Record<string, string> {
    return { Authorization: `Bearer ${token}` };
  }

  private async json(path: string, token: string): Promise<unknown> {
    const response = await send(this.fetcher, path, { headers: { Accept: 'application/json', ...this.auth(token) } });
    try {
      return await response.json();
    } catch {
      throw new ApiError(502, 'unexpected response');
    }
  }

  private async image(path: string, token: string): Promise<Blob> {
    const response = await send(this.fetcher, path, { headers: this.auth(token) });
    try {
      return await response.blob();
    } catch {
      // The connection dropped while the bytes came.
      throw new ApiError(0, 'network');
    }
  }

  /**
   * Sends a photo; the server answers 201 with its id and status. With
   * `key` (`Idempotency-Key`), sending it again after a lost answer is
   * answered 200 with the same photo, not stored twice.
   */
  async upload(board: string, token: string, photo: Blob, key?: string): Promise<UploadedPhoto> {
    const type = (PHOTO_TYPES as readonly string[]).includes(photo.type) ? photo.type : 'image/jpeg';
    const response = await send(this.fetcher, `/api/boards/${enc(board)}/photos`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': type, ...this.auth(token), ...(key ? { 'Idempotency-Key': key } : {}) },
      body: photo,
    });
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // Stored all the same: the status said so.
    }
    const answer = isObject(body) ? body : {};
    return {
      photo: typeof answer.photo === 'string' ? answer.photo : '',
      width: num(answer.width),
      height: num(answer.height),
      status: isPhotoStatus(answer.status) ? answer.status : 'shown',
    };
  }

  async list(board: string, token: string): Promise<BoardPhoto[]> {
    return readBoardPhotos(await this.json(`/api/boards/${enc(board)}/photos`, token));
  }

  boardImage(board: string, token: string, photo: string, size: PhotoSize): Promise<Blob> {
    return this.image(`/api/boards/${enc(board)}/photos/${enc(photo)}${sizeQuery(size)}`, token);
  }

  /** The moderator shows (approves) or hides a photo. */
  async setStatus(board: string, token: string, photo: string, status: 'shown' | 'hidden'): Promise<void> {
    await send(this.fetcher, `/api/boards/${enc(board)}/photos/${enc(photo)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...this.auth(token) },
      body: JSON.stringify({ status }),
    });
  }

  async remove(board: string, token: string, photo: string): Promise<void> {
    await send(this.fetcher, `/api/boards/${enc(board)}/photos/${enc(photo)}`, { method: 'DELETE', headers: this.auth(token) });
  }

  async eventList(event: string, token: string): Promise<EventPhoto[]> {
    return readEventPhotos(await this.json(`/api/events/${enc(event)}/photos`, token));
  }

  eventImage(event: string, token: string, photo: string, size: PhotoSize): Promise<Blob> {
    return this.image(`/api/events/${enc(event)}/photos/${enc(photo)}${sizeQuery(size)}`, token);
  }
}
