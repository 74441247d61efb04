/**
 * The server's HTTP API (docs/ of the server; DESIGN.md "External contract").
 * Errors come back as JSON `{"error": "..."}` with a 4xx status.
 */
import type { Locale, Sector, Suggestion } from '../board';

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

/**
 * What a join code opens: a board (a conference, or the one board of a
 * one-board event, then with its `event` too), or an event of several
 * boards (`event` without `board`: the phone joins the event).
 */
export interface CodeLookup {
  board?: string;
  event?: string;
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
  /** The organiser's events (docs/protocol.md, "Events"); absent on older servers. */
  events?: DeskEvent[];
  /** The organiser's series (docs/protocol.md, "Series"); absent on older servers. */
  series?: DeskSeries[];
}

export interface DeskSeries {
  series: string;
  title: string;
  /** How many conferences it holds. */
  boards: number;
  created_at: number;
}

export interface DeskEvent {
  event: string;
  title: string;
  date: string;
  venue: string;
  created_at: number;
  join_code: string;
  join_url: string;
  /** Board ids, in the event's order. */
  boards: string[];
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

export type Fetch = typeof fetch;

export function hasStrings<K extends string>(value: unknown, keys: readonly K[]): value is Record<K, string> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return keys.every((key) => typeof record[key] === 'string');
}

/**
 * Sends one request: an unreachable server is ApiError(0), a status outside
 * 2xx an ApiError with the server's `{"error"}` message (or the status text).
 */
export async function send(fetcher: Fetch, path: string, init: RequestInit): Promise<Response> {
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

export async function request(fetcher: Fetch, path: string, init?: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> }): Promise<unknown> {
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

/** The fields of the privacy notice, in the order the join screens show them. */
export const NOTICE_FIELDS = ['controller', 'purpose', 'legal_basis', 'visibility', 'retention', 'rights', 'contact'] as const;
export type Notice = Record<(typeof NOTICE_FIELDS)[number], string>;
export interface Notices {
  de: Notice;
  en: Notice;
}

/** When a board is deleted for real (`GET /api/boards/{board}/retention`). */
export interface Retention {
  /** The board's day, or null (the day it was made counts). */
  date: string | null;
  deleteOn: string;
  /** Whether the moderator chose `deleteOn`. */
  chosen: boolean;
  retentionDays: number;
}

function readRetention(body: unknown): Retention {
  if (!hasStrings(body, ['delete_on'])) throw new ApiError(502, 'unexpected response');
  const fields = body as { date?: unknown; chosen?: unknown; retention_days?: unknown };
  return {
    date: typeof fields.date === 'string' ? fields.date : null,
    deleteOn: body.delete_on,
    chosen: fields.chosen === true,
    retentionDays: typeof fields.retention_days === 'number' ? fields.retention_days : 0,
  };
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


// ---------------------------------------------------------------- events
// docs/protocol.md, "Events": an event is a day of several boards that the
// participants join once.

/** The kinds of board an event is made of (`conference`: a one-board event's board). */
export const EVENT_BOARD_KINDS = ['plenary', 'workshop', 'reflection', 'tree'] as const;
export type NewBoardKind = (typeof EVENT_BOARD_KINDS)[number];
export type EventBoardKind = NewBoardKind | 'conference';

/** Where everyone is: the event's part, moved by the organiser only. */
export const EVENT_PARTS = ['plenary', 'workshops', 'reflection', 'ended'] as const;
export type EventPart = (typeof EVENT_PARTS)[number];

export const GROUPING_RULES = ['mixed', 'equal'] as const;
export type GroupingRule = (typeof GROUPING_RULES)[number];

/** The event's exports (`GET /api/events/{event}/export.{ext}`). */
export const EVENT_EXPORT_FORMATS = ['pdf', 'docx', 'md', 'json'] as const;
export type EventExportFormat = (typeof EVENT_EXPORT_FORMATS)[number];

export function isEventPart(value: unknown): value is EventPart {
  return typeof value === 'string' && (EVENT_PARTS as readonly string[]).includes(value);
}

export function isNewBoardKind(value: unknown): value is NewBoardKind {
  return typeof value === 'string' && (EVENT_BOARD_KINDS as readonly string[]).includes(value);
}

function isBoardKind(value: unknown): value is EventBoardKind {
  return value === 'conference' || isNewBoardKind(value);
}

export function isGroupingRule(value: unknown): value is GroupingRule {
  return value === 'mixed' || value === 'equal';
}

/** A label in both languages of the app. */
export interface Label {
  de: string;
  en: string;
}

export interface AttributeValue {
  id: string;
  label: Label;
}

/** A participant attribute of the event (`sector` always comes first in answers). */
export interface EventAttribute {
  id: string;
  label: Label;
  values: AttributeValue[];
}

export interface Grouping {
  rule: GroupingRule;
  /** `sector` or the id of one of the event's attributes. */
  attribute: string;
}

export interface ProgrammeItem {
  time?: string;
  title: string;
  part?: EventPart;
  location?: string;
}

export interface NewEventBoard {
  title: string;
  kind: NewBoardKind;
  capacity?: number;
  location?: string;
  description?: string;
}

export interface CreateEventRequest {
  title: string;
  date: string;
  venue?: string;
  locale?: Locale;
  boards: NewEventBoard[];
  attributes?: EventAttribute[];
  grouping?: Grouping;
  programme?: ProgrammeItem[];
}

export interface CreatedEventBoard {
  board: string;
  title: string;
  kind: EventBoardKind;
  moderator_token: string;
  viewer_token: string;
  moderator_url: string;
  presenter_url: string;
}

export interface CreatedEvent {
  event: string;
  organiser_token: string;
  viewer_token: string;
  join_code: string;
  join_url: string;
  organiser_url: string;
  presenter_url: string;
  boards: CreatedEventBoard[];
}

/** A board as the event page shows it. `capacity` null: no limit. */
export interface EventBoard {
  board: string;
  title: string;
  kind: EventBoardKind;
  location: string;
  description: string;
  capacity: number | null;
  admitted: number;
  full: boolean;
}

/** `GET /api/events/{event}`: what the event page and the join form show. */
export interface EventInfo {
  event: string;
  title: string;
  date: string;
  venue: string;
  locale: Locale;
  part: EventPart;
  attributes: EventAttribute[];
  programme: ProgrammeItem[];
  boards: EventBoard[];
}

export interface EventJoinRequest extends JoinRequest {
  /** One value for each attribute of the event besides the sector. */
  attributes: Record<string, string>;
}

/** `GET /api/events/{event}/place`: where the person is to be now. */
export interface Place {
  /** Compared for equality only: versions restart with the server. */
  version: number;
  part: EventPart;
  /** null: no board in this part (choose a workshop, no group yet, ended). */
  board: string | null;
  title: string;
  kind: EventBoardKind | null;
  location: string;
  workshop: string | null;
  group: string | null;
  /** The workshop part, and no workshop yet: the phone offers the choice. */
  choose: boolean;
}

export interface EventParticipant {
  participant_id: string;
  name: string;
  organisation: string;
  sector: string;
  attributes: Record<string, string>;
  workshop: string | null;
  group: string | null;
  joined_at: number;
}

/** `GET /api/events/{event}/desk`: the organiser's view of the event. */
export interface EventDesk extends EventInfo {
  join_code: string;
  join_url: string;
  grouping: Grouping;
  participants: EventParticipant[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field, '' when absent or null (the server may leave optional text out). */
function text(record: Json, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

function idOrNull(record: Json, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function unexpected(): never {
  throw new ApiError(502, 'unexpected response');
}

function readLabel(value: unknown): Label | null {
  return isObject(value) && typeof value.de === 'string' && typeof value.en === 'string' ? { de: value.de, en: value.en } : null;
}

function readAttribute(value: unknown): EventAttribute | null {
  if (!isObject(value) || typeof value.id !== 'string' || !Array.isArray(value.values)) return null;
  const label = readLabel(value.label);
  if (!label) return null;
  const values: AttributeValue[] = [];
  for (const entry of value.values) {
    const valueLabel = isObject(entry) ? readLabel(entry.label) : null;
    if (!isObject(entry) || typeof entry.id !== 'string' || !valueLabel) return null;
    values.push({ id: entry.id, label: valueLabel });
  }
  return { id: value.id, label, values };
}

function readProgrammeItem(value: unknown): ProgrammeItem | null {
  if (!isObject(value) || typeof value.title !== 'string') return null;
  const item: ProgrammeItem = { title: value.title };
  if (typeof value.time === 'string' && value.time) item.time = value.time;
  if (isEventPart(value.part)) item.part = value.part;
  if (typeof value.location === 'string' && value.location) item.location = value.location;
  return item;
}

function readEventBoard(value: unknown): EventBoard | null {
  if (!isObject(value) || typeof value.board !== 'string' || typeof value.title !== 'string' || !isBoardKind(value.kind)) return null;
  return {
    board: value.board,
    title: value.title,
    kind: value.kind,
    location: text(value, 'location'),
    description: text(value, 'description'),
    capacity: typeof value.capacity === 'number' ? value.capacity : null,
    admitted: typeof value.admitted === 'number' ? value.admitted : 0,
    full: value.full === true,
  };
}

function readList<T>(value: unknown, read: (entry: unknown) => T | null): T[] {
  if (!Array.isArray(value)) return unexpected();
  return value.map((entry) => read(entry) ?? unexpected());
}

/** The event page's answer, checked field by field (docs/protocol.md, `GET /api/events/{event}`). */
export function readEventInfo(body: unknown): EventInfo {
  if (!isObject(body) || typeof body.event !== 'string' || typeof body.title !== 'string' || !isEventPart(body.part)) return unexpected();
  return {
    event: body.event,
    title: body.title,
    date: text(body, 'date'),
    venue: text(body, 'venue'),
    locale: body.locale === 'en' ? 'en' : 'de',
    part: body.part,
    attributes: readList(body.attributes ?? [], readAttribute),
    programme: readList(body.programme ?? [], readProgrammeItem),
    boards: readList(body.boards, readEventBoard),
  };
}

export function readPlace(body: unknown): Place {
  if (!isObject(body) || typeof body.version !== 'number' || !isEventPart(body.part)) return unexpected();
  return {
    version: body.version,
    part: body.part,
    board: idOrNull(body, 'board'),
    title: text(body, 'title'),
    kind: isBoardKind(body.kind) ? body.kind : null,
    location: text(body, 'location'),
    workshop: idOrNull(body, 'workshop'),
    group: idOrNull(body, 'group'),
    choose: body.choose === true,
  };
}

function readEventParticipant(value: unknown): EventParticipant | null {
  if (!isObject(value) || typeof value.participant_id !== 'string' || typeof value.name !== 'string') return null;
  const attributes: Record<string, string> = {};
  if (isObject(value.attributes)) {
    for (const [key, entry] of Object.entries(value.attributes)) if (typeof entry === 'string') attributes[key] = entry;
  }
  return {
    participant_id: value.participant_id,
    name: value.name,
    organisation: text(value, 'organisation'),
    sector: text(value, 'sector'),
    attributes,
    workshop: idOrNull(value, 'workshop'),
    group: idOrNull(value, 'group'),
    joined_at: typeof value.joined_at === 'number' ? value.joined_at : 0,
  };
}

export function readEventDesk(body: unknown): EventDesk {
  const info = readEventInfo(body);
  const record = body as Json;
  const grouping = record.grouping;
  if (typeof record.join_code !== 'string' || typeof record.join_url !== 'string' || !isObject(grouping)) return unexpected();
  const { rule, attribute } = grouping;
  if (!isGroupingRule(rule) || typeof attribute !== 'string') return unexpected();
  return {
    ...info,
    join_code: record.join_code,
    join_url: record.join_url,
    grouping: { rule, attribute },
    participants: readList(record.participants ?? [], readEventParticipant),
  };
}

function readCreatedEvent(body: unknown): CreatedEvent {
  const keys = ['event', 'organiser_token', 'viewer_token', 'join_code', 'join_url', 'organiser_url', 'presenter_url'] as const;
  if (!hasStrings(body, keys)) return unexpected();
  const boards = readList((body as Json).boards, (entry): CreatedEventBoard | null =>
    hasStrings(entry, ['board', 'title', 'moderator_token', 'viewer_token', 'moderator_url', 'presenter_url']) &&
    isBoardKind((entry as Json).kind)
      ? {
          board: entry.board,
          title: entry.title,
          kind: (entry as Json).kind as EventBoardKind,
          moderator_token: entry.moderator_token,
          viewer_token: entry.viewer_token,
          moderator_url: entry.moderator_url,
          presenter_url: entry.presenter_url,
        }
      : null,
  );
  return {
    event: body.event,
    organiser_token: body.organiser_token,
    viewer_token: body.viewer_token,
    join_code: body.join_code,
    join_url: body.join_url,
    organiser_url: body.organiser_url,
    presenter_url: body.presenter_url,
    boards,
  };
}

/** `GET /api/codes/{code}`: a board's code, or an event's (docs/protocol.md). */
export function readCodeLookup(body: unknown): CodeLookup | null {
  if (!isObject(body) || typeof body.title !== 'string') return null;
  const board = idOrNull(body, 'board');
  const event = idOrNull(body, 'event');
  if (board === null && event === null) return null;
  return {
    ...(board !== null ? { board } : {}),
    ...(event !== null ? { event } : {}),
    title: body.title,
    district: text(body, 'district'),
  };
}

/** How long the client waits for one long poll: the server answers within 25 s. */
export const PLACE_POLL_TIMEOUT_MS = 35_000;

async function blobOf(response: Response): Promise<Blob> {
  try {
    return await response.blob();
  } catch {
    // The connection dropped while the body was arriving.
    throw new ApiError(0, 'network');
  }
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
      const lookup = readCodeLookup(body);
      if (!lookup) throw new ApiError(502, 'unexpected response');
      return lookup;
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
    return this.file(`/api/boards/${encodeURIComponent(board)}/material.pdf`, token, 'material.pdf');
  }

  /** A file the server sends as a download, with the name it gives (else `fallback`). */
  private async file(path: string, token: string, fallback: string): Promise<ExportFile> {
    const response = await send(this.fetcher, path, { headers: { Authorization: `Bearer ${token}` } });
    let blob: Blob;
    try {
      blob = await response.blob();
    } catch {
      throw new ApiError(0, 'network');
    }
    return { blob, fileName: dispositionFileName(response.headers.get('Content-Disposition')) ?? fallback };
  }

  /** Everything the server holds about one person on the board, as a JSON file (that person, or the moderator). */
  async personalData(board: string, participantId: string, token: string): Promise<ExportFile> {
    return this.file(
      `/api/boards/${encodeURIComponent(board)}/participants/${encodeURIComponent(participantId)}/data`,
      token,
      'kartenwand-meine-daten.json',
    );
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

  /** Cards that look alike, for the moderator to make clusters of (docs/protocol.md, "Suggestions"). */
  async suggestions(board: string, token: string): Promise<Suggestion[]> {
    const body = await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/suggestions`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const groups = typeof body === 'object' && body !== null && 'groups' in body ? body.groups : null;
    if (!Array.isArray(groups)) throw new ApiError(502, 'unexpected response');
    return groups.flatMap((group: unknown) => {
      if (!hasStrings(group, ['label'])) return [];
      const cards = (group as { cards?: unknown }).cards;
      if (!Array.isArray(cards) || !cards.every((card) => typeof card === 'string')) return [];
      return [{ label: group.label, cards }];
    });
  }

  /** The privacy notice the join screens show first (docs/protocol.md, "Privacy notice"). */
  async notice(): Promise<Notices> {
    const body = await request(this.fetcher, '/api/notice');
    const read = (language: unknown): Notice => {
      if (!hasStrings(language, NOTICE_FIELDS)) throw new ApiError(502, 'unexpected response');
      return language;
    };
    if (typeof body !== 'object' || body === null) throw new ApiError(502, 'unexpected response');
    const { de, en } = body as { de?: unknown; en?: unknown };
    return { de: read(de), en: read(en) };
  }

  /** When the board is deleted for real (moderator; docs/protocol.md, retention). */
  async retention(board: string, token: string): Promise<Retention> {
    return readRetention(
      await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/retention`, { headers: { Authorization: `Bearer ${token}` } }),
    );
  }

  /** Chooses the day the board is deleted on; null goes back to the default (moderator). */
  async setRetention(board: string, token: string, deleteOn: string | null): Promise<Retention> {
    return readRetention(
      await request(this.fetcher, `/api/boards/${encodeURIComponent(board)}/retention`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify({ delete_on: deleteOn }),
      }),
    );
  }

  /** Deletes the board now, for real (moderator); its connections close with 4404. */
  async deleteBoard(board: string, token: string): Promise<void> {
    await send(this.fetcher, `/api/boards/${encodeURIComponent(board)}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
  }

  /**
   * Erases a person for real (that participant, or the moderator;
   * docs/protocol.md, "Erasing a person"): their profile, cards, proposals,
   * votes, placements, memberships, contact data and photos; with
   * `keepCards` their cards and proposals stay without their name. Their
   * token stops working and their connections close with 4401.
   */
  async eraseParticipant(board: string, token: string, participantId: string, options: { keepCards: boolean }): Promise<void> {
    await send(this.fetcher, `/api/boards/${encodeURIComponent(board)}/participants/${encodeURIComponent(participantId)}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ keep_cards: options.keepCards }),
    });
  }

  /** Erases the person's contact data and withdraws their consent to the contact list (that participant, or the moderator). */
  async withdrawContactConsent(board: string, token: string, participantId: string): Promise<void> {
    await send(this.fetcher, `/api/boards/${encodeURIComponent(board)}/participants/${encodeURIComponent(participantId)}/contact`, {
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

  // -------------------------------------------------------------- events

  /** Creates an event with its boards (docs/protocol.md, `POST /api/events`). */
  async createEvent(input: CreateEventRequest): Promise<CreatedEvent> {
    return readCreatedEvent(await request(this.fetcher, '/api/events', { method: 'POST', body: JSON.stringify(input) }));
  }

  /** What the event page shows (no token); null for an unknown event (404). */
  async event(event: string): Promise<EventInfo | null> {
    try {
      return readEventInfo(await request(this.fetcher, `/api/events/${encodeURIComponent(event)}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  async joinEvent(event: string, input: EventJoinRequest): Promise<Joined> {
    const body = await request(this.fetcher, `/api/events/${encodeURIComponent(event)}/join`, {
      method: 'POST',
      body: JSON.stringify(input),
    });
    if (!hasStrings(body, ['participant_id', 'token'])) throw new ApiError(502, 'unexpected response');
    return body;
  }

  /**
   * Where the participant is to be now. With `after` (the version last
   * seen) a long poll: the server answers when something changed, at the
   * latest after 25 s; this call gives up after PLACE_POLL_TIMEOUT_MS
   * (ApiError 0) or when `signal` aborts (its reason is thrown).
   */
  async place(event: string, token: string, after: number | null, signal?: AbortSignal): Promise<Place> {
    const query = after === null ? '' : `?after=${after}`;
    // By hand, not AbortSignal.any/timeout: phones with an older Safari (before 17.4) lack them.
    const bounded = new AbortController();
    const timer = setTimeout(() => bounded.abort(), PLACE_POLL_TIMEOUT_MS);
    const forward = (): void => bounded.abort();
    signal?.addEventListener('abort', forward);
    try {
      return readPlace(
        await request(this.fetcher, `/api/events/${encodeURIComponent(event)}/place${query}`, {
          headers: { Authorization: `Bearer ${token}` },
          signal: bounded.signal,
        }),
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    }
  }

  /** Chooses (or changes) the workshop; 409 when it is full. */
  async choose(event: string, token: string, board: string): Promise<Place> {
    return readPlace(
      await request(this.fetcher, `/api/events/${encodeURIComponent(event)}/choice`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify({ board }),
      }),
    );
  }

  /** The organiser's view of the event (organiser token). */
  async desk(event: string, token: string): Promise<EventDesk> {
    return readEventDesk(
      await request(this.fetcher, `/api/events/${encodeURIComponent(event)}/desk`, { headers: { Authorization: `Bearer ${token}` } }),
    );
  }

  /** Moves the event to a part; every phone follows (organiser). */
  async setPart(event: string, token: string, part: EventPart): Promise<EventDesk> {
    return readEventDesk(
      await request(this.fetcher, `/api/events/${encodeURIComponent(event)}/part`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify({ part }),
      }),
    );
  }

  /**
   * Puts a participant into a workshop or group (the organiser may go over
   * a capacity); `board` null takes them out of their board of `kind`.
   */
  async assign(
    event: string,
    token: string,
    assignment: { participant: string; board: string } | { participant: string; board: null; kind: 'workshop' | 'reflection' },
  ): Promise<EventDesk> {
    return readEventDesk(
      await request(this.fetcher, `/api/events/${encodeURIComponent(event)}/assignments`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify(assignment),
      }),
    );
  }

  /** The rule for groups formed from now on (organiser). */
  async setGrouping(event: string, token: string, grouping: Grouping): Promise<EventDesk> {
    return readEventDesk(
      await request(this.fetcher, `/api/events/${encodeURIComponent(event)}/grouping`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify(grouping),
      }),
    );
  }

  /**
   * The event's documentation: the organiser's token for every format; a
   * participant's for `pdf` and `md` once the event has ended.
   */
  async exportEvent(event: string, token: string, format: EventExportFormat, title?: string): Promise<ExportFile> {
    const response = await send(this.fetcher, `/api/events/${encodeURIComponent(event)}/export.${format}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const blob = await blobOf(response);
    const fileName = dispositionFileName(response.headers.get('Content-Disposition')) ?? fallbackFileName(title, event, format);
    return { blob, fileName };
  }

  /** A new organiser link of the organiser's series; the old one stops working (session cookie). */
  async newSeriesLink(series: string): Promise<{ token: string; url: string }> {
    const body = await request(this.fetcher, `/api/organiser/series/${encodeURIComponent(series)}/organiser-link`, { method: 'POST' });
    if (!hasStrings(body, ['token', 'url'])) throw new ApiError(502, 'unexpected response');
    return body;
  }

  /** A new organiser link of the organiser's event; the old one stops working (session cookie). */
  async newOrganiserLink(event: string): Promise<{ token: string; url: string }> {
    const body = await request(this.fetcher, `/api/organiser/events/${encodeURIComponent(event)}/organiser-link`, { method: 'POST' });
    if (!hasStrings(body, ['token', 'url'])) throw new ApiError(502, 'unexpected response');
    return body;
  }
}
