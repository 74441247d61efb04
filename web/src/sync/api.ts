/**
 * The server's HTTP API (docs/ of the server; DESIGN.md "External contract").
 * Errors come back as JSON `{"error": "..."}` with a 4xx status.
 */
import type { Locale, Sector } from '../board';

export interface CreateBoardRequest {
  title: string;
  district: string;
  date?: string;
  locale?: Locale;
}

export interface CreatedBoard {
  board: string;
  moderator_token: string;
  viewer_token: string;
  join_code: string;
  join_url: string;
  moderator_url: string;
  presenter_url: string;
}

export interface CodeLookup {
  board: string;
  title: string;
  district: string;
}

export interface JoinRequest {
  join_code: string;
  name: string;
  organisation: string;
  sector: Sector;
  email?: string;
  phone?: string;
  contact_consent?: boolean;
}

export interface Joined {
  participant_id: string;
  token: string;
}

/** A person registered before the day (`POST …/participants`). */
export interface RegistrationRequest {
  name: string;
  organisation: string;
  sector: Sector;
  email?: string;
}

export interface Registered {
  participant_id: string;
  personal_code: string;
  join_url: string;
}

/** The signed-in organiser (`GET /api/organiser`). */
export interface OrganiserDesk {
  id: string;
  email: string;
  name: string;
  boards: DeskBoard[];
}

export interface DeskBoard {
  board: string;
  title: string;
  district: string;
  created_at: number;
  join_code: string;
  join_url: string;
  links: BoardLink[];
}

export interface BoardLink {
  id: string;
  role: 'moderator' | 'viewer';
  label: string;
  created_at: number;
  revoked: boolean;
}

export interface CreatedLink {
  id: string;
  role: 'moderator' | 'viewer';
  label: string;
  token: string;
  url: string;
}

/** Whose personal code it is (`POST …/personal`), shown before joining. */
export interface PersonalPreview {
  board: string;
  title: string;
  district: string;
  participant_id: string;
  name: string;
  organisation: string;
  sector: string;
}

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get offline(): boolean {
    return this.status === 0;
  }
}

type Fetch = typeof fetch;

function hasStrings<K extends string>(value: unknown, keys: readonly K[]): value is Record<K, string> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return keys.every((key) => typeof record[key] === 'string');
}

/**
 * Sends one request: an unreachable server is ApiError(0), a status outside
 * 2xx an ApiError with the server's `{"error"}` message (or the status text).
 */
async function send(fetcher: Fetch, path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetcher(path, init);
  } catch {
    throw new ApiError(0, 'network');
  }
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // A proxy error page or an empty body: the status still tells the story.
    }
    const message = hasStrings(body, ['error']) ? body.error : response.statusText;
    throw new ApiError(response.status, message);
  }
  return response;
}

async function request(fetcher: Fetch, path: string, init?: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> }): Promise<unknown> {
  const response = await send(fetcher, path, {
    ...init,
    headers: { Accept: 'application/json', ...(init?.body ? { 'Content-Type': 'application/json' } : {}), ...init?.headers },
  });
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** The export formats the server offers (docs/protocol.md, exports). */
export const EXPORT_FORMATS = ['md', 'html', 'pdf', 'docx', 'csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest {
  board: string;
  /** The moderator token: the exports are the moderator's alone. */
  token: string;
  format: ExportFormat;
  /** false leaves the authors of cards and agreements out (`?authors=false`). */
  authors: boolean;
  /** Names the file when the server sends no file name; else the board id does. */
  title?: string;
}

export interface ExportFile {
  blob: Blob;
  fileName: string;
}

/**
 * The file name of a `Content-Disposition` header: `filename*` (RFC 6266,
 * UTF-8) before `filename`; null when there is none.
 */
export function dispositionFileName(header: string | null): string | null {
  if (header === null) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // Malformed percent-encoding: fall back to the plain parameter.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2];
  return name?.trim() ? name.trim() : null;
}

/** `<title or board>.<ext>`, without the characters file systems refuse. */
export function fallbackFileName(title: string | undefined, board: string, format: ExportFormat): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const stem = (title ?? '').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '-').trim();
  return `${stem || board}.${format}`;
}

const BOARD_KEYS = [
  'board',
  'moderator_token',
  'viewer_token',
  'join_code',
  'join_url',
  'moderator_url',
  'presenter_url',
] as const;

export class Api {
  constructor(private readonly fetcher: Fetch = (input, init) => fetch(input, init)) {}

  async createBoard(input: CreateBoardRequest): Promise<CreatedBoard> {
    const body = await request(this.fetcher, '/api/boards', { method: 'POST', body: JSON.stringify(input) });
    if (!hasStrings(body, BOARD_KEYS)) throw new ApiError(502, 'unexpected response');
    return body;
  }

  /** Resolves a short join code; null when the code is unknown (404). */
  async lookupCode(code: string): Promise<CodeLookup | null> {
    try {
      const body = await request(this.fetcher, `/api/codes/${encodeURIComponent(code)}`);
      if (!hasStrings(body, ['board', 'title', 'district'])) throw new ApiError(502, 'unexpected response');
      return body;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  async join(board: string, input: JoinRequest): Promise<Joined> {
    const body = await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/join`, {
      method: 'POST',
      body: JSON.stringify(input),
    });
    if (!hasStrings(body, ['participant_id', 'token'])) throw new ApiError(502, 'unexpected response');
    return body;
  }

  /** The signed-in organiser's desk; null when nobody is signed in (401). */
  async organiserDesk(): Promise<OrganiserDesk | null> {
    try {
      const body = await request(this.fetcher, '/api/organiser');
      if (!hasStrings(body, ['id', 'email', 'name']) || !Array.isArray((body as { boards?: unknown }).boards)) {
        throw new ApiError(502, 'unexpected response');
      }
      return body as unknown as OrganiserDesk;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  /** Signs in; the server sets the session cookie. */
  async signIn(email: string, password: string): Promise<void> {
    await request(this.fetcher, '/api/organiser/session', { method: 'POST', body: JSON.stringify({ email, password }) });
  }

  async signOut(): Promise<void> {
    await send(this.fetcher, '/api/organiser/session', { method: 'DELETE' });
  }

  /** A colleague's account from an invitation link; signs them in. */
  async acceptInvitation(token: string, password: string): Promise<void> {
    await request(this.fetcher, '/api/organiser/invitations/accept', { method: 'POST', body: JSON.stringify({ token, password }) });
  }

  async inviteOrganiser(email: string, name: string): Promise<string> {
    const body = await request(this.fetcher, '/api/organiser/invitations', { method: 'POST', body: JSON.stringify({ email, name }) });
    if (!hasStrings(body, ['invite_url'])) throw new ApiError(502, 'unexpected response');
    return body.invite_url;
  }

  /** A further link of the organiser's board: a co-moderator's or a watch-only one. */
  async createLink(board: string, role: 'moderator' | 'viewer', label: string): Promise<CreatedLink> {
    const body = await request(this.fetcher, `/api/organiser/boards/${encodeURIComponent(board)}/links`, {
      method: 'POST',
      body: JSON.stringify({ role, label }),
    });
    if (!hasStrings(body, ['id', 'role', 'label', 'token', 'url'])) throw new ApiError(502, 'unexpected response');
    return body as CreatedLink;
  }

  async revokeLink(board: string, link: string): Promise<void> {
    await send(this.fetcher, `/api/organiser/boards/${encodeURIComponent(board)}/links/${encodeURIComponent(link)}`, { method: 'DELETE' });
  }

  /** Registers people before the day; a list with a broken row registers nobody (moderator). */
  async registerParticipants(board: string, token: string, people: RegistrationRequest[]): Promise<Registered[]> {
    const body = await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/participants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ participants: people }),
    });
    const list = typeof body === 'object' && body !== null ? (body as { participants?: unknown }).participants : undefined;
    if (!Array.isArray(list) || !list.every((entry) => hasStrings(entry, ['participant_id', 'personal_code', 'join_url']))) {
      throw new ApiError(502, 'unexpected response');
    }
    return list;
  }

  /** Who a personal code belongs to; null when nobody (any more). */
  async personalPreview(board: string, code: string): Promise<PersonalPreview | null> {
    try {
      const body = await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/personal`, {
        method: 'POST',
        body: JSON.stringify({ personal_code: code }),
      });
      if (!hasStrings(body, ['board', 'title', 'district', 'participant_id', 'name', 'organisation', 'sector'])) {
        throw new ApiError(502, 'unexpected response');
      }
      return body;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** Joins as the registered person of a personal code: their id and a new token. */
  async joinPersonal(board: string, code: string, consent: boolean): Promise<Joined> {
    const body = await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/join`, {
      method: 'POST',
      body: JSON.stringify({ personal_code: code, contact_consent: consent }),
    });
    if (!hasStrings(body, ['participant_id', 'token'])) throw new ApiError(502, 'unexpected response');
    return body;
  }

  /** The printed material of the registered people, as a PDF (moderator). */
  async material(board: string, token: string): Promise<ExportFile> {
    const response = await send(this.fetcher, `/api/boards/${encodeURIComponent(board)}/material.pdf`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    let blob: Blob;
    try {
      blob = await response.blob();
    } catch {
      throw new ApiError(0, 'network');
    }
    return { blob, fileName: dispositionFileName(response.headers.get('Content-Disposition')) ?? 'material.pdf' };
  }

  /** Has the server issue a new join code; the old one stops working (moderator). */
  async rotateJoinCode(board: string, token: string): Promise<{ join_code: string; join_url: string }> {
    const body = await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/join-code`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!hasStrings(body, ['join_code', 'join_url'])) throw new ApiError(502, 'unexpected response');
    return body;
  }

  /** A new presenter link; open presenter screens with the old one are closed (moderator). */
  async rotateViewerToken(board: string, token: string): Promise<{ viewer_token: string; presenter_url: string }> {
    const body = await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/viewer-token`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!hasStrings(body, ['viewer_token', 'presenter_url'])) throw new ApiError(502, 'unexpected response');
    return body;
  }

  /** Revokes a participant's token at once; their open connections are closed (moderator). */
  async removeParticipant(board: string, token: string, participantId: string): Promise<void> {
    await send(this.fetcher, `/api/boards/${encodeURIComponent(board)}/participants/${encodeURIComponent(participantId)}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
  }

  /**
   * Fetches the conference documentation in one format (moderator only).
   * 401/403: the token is not this board's moderator token; 404: no such
   * board; 5xx: the server failed to render it.
   */
  async exportBoard(input: ExportRequest): Promise<ExportFile> {
    const query = input.authors ? '' : '?authors=false';
    const path = `/api/boards/${encodeURIComponent(input.board)}/export.${input.format}${query}`;
    const response = await send(this.fetcher, path, { headers: { Authorization: `Bearer ${input.token}` } });
    let blob: Blob;
    try {
      blob = await response.blob();
    } catch {
      // The connection dropped while the body was arriving.
      throw new ApiError(0, 'network');
    }
    const fileName = dispositionFileName(response.headers.get('Content-Disposition')) ?? fallbackFileName(input.title, input.board, input.format);
    return { blob, fileName };
  }
}
