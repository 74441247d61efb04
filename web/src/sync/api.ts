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

async function request(fetcher: Fetch, path: string, init?: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetcher(path, {
      ...init,
      headers: { Accept: 'application/json', ...(init?.body ? { 'Content-Type': 'application/json' } : {}) },
    });
  } catch {
    throw new ApiError(0, 'network');
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // A proxy error page or an empty body: the status still tells the story.
  }
  if (!response.ok) {
    const message = hasStrings(body, ['error']) ? body.error : response.statusText;
    throw new ApiError(response.status, message);
  }
  return body;
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
}
