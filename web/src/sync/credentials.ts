/**
 * What this browser remembers between visits, in localStorage:
 *
 * - per board, the participant id and token the server issued at join, so a
 *   returning phone goes straight to its cards (also offline);
 * - per join code, the board it belongs to, so `/join/{code}` works offline;
 * - per board, the links a moderator got at creation (join code, presenter
 *   link), which only the creating response contains;
 * - per event, the participant's id, token and profile (written into each
 *   board of the event the first time the phone enters it), the last place
 *   the server gave (so a reload without network opens the same board), and
 *   for the organiser who created it, the event's links (its boards'
 *   moderator and presenter pages exist only in the creating response).
 *
 * Contact data is never stored here.
 */
import type { Profile } from '../board';
import { isSector } from '../board/schema';
import { type CodeLookup, type CreatedBoard, type CreatedEvent, type EventBoardKind, type Place, readPlace } from './api';

const PREFIX = 'kartenwand.';

export interface ParticipantCredentials {
  participantId: string;
  token: string;
}

export interface BoardSetupRecord {
  title: string;
  district: string;
  date?: string;
  locale?: 'de' | 'en';
}

export type ModeratorLinks = Pick<
  CreatedBoard,
  'board' | 'join_code' | 'join_url' | 'presenter_url' | 'viewer_token'
>;

/** A participant of an event: the credentials, and what goes into each board's `participants`. */
export interface EventParticipantRecord extends ParticipantCredentials {
  profile: Profile;
  /** Boards whose document has the own profile entry already (written by this device). */
  profileWritten: string[];
}

/**
 * The links of an event its creator keeps: the organiser page's token is
 * kept apart (eventToken), the boards' pages carry their tokens in the
 * fragment and are shown on the organiser's page only.
 */
export interface EventLinks {
  event: string;
  join_code: string;
  join_url: string;
  presenter_url: string;
  boards: { board: string; title: string; kind: EventBoardKind; moderator_url: string; presenter_url: string }[];
}

function read(storage: Storage, key: string): unknown {
  try {
    const raw = storage.getItem(PREFIX + key);
    return raw === null ? null : (JSON.parse(raw) as unknown);
  } catch {
    return null;
  }
}

function write(storage: Storage, key: string, value: unknown): void {
  try {
    storage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Private mode or a full quota: the app still works, it just forgets.
  }
}

function isRecordOf<K extends string>(value: unknown, keys: readonly K[]): value is Record<K, string> & Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return keys.every((key) => typeof record[key] === 'string');
}

export class Credentials {
  constructor(private readonly storage: Storage) {}

  participant(board: string): ParticipantCredentials | null {
    const value = read(this.storage, `participant.${board}`);
    return isRecordOf(value, ['participantId', 'token'])
      ? { participantId: value.participantId, token: value.token }
      : null;
  }

  saveParticipant(board: string, credentials: ParticipantCredentials): void {
    write(this.storage, `participant.${board}`, credentials);
  }

  forgetParticipant(board: string): void {
    this.storage.removeItem(`${PREFIX}participant.${board}`);
  }

  code(joinCode: string): CodeLookup | null {
    const value = read(this.storage, `code.${joinCode.toUpperCase()}`);
    if (!isRecordOf(value, ['title', 'district'])) return null;
    const board = typeof value.board === 'string' ? value.board : null;
    const event = typeof value.event === 'string' ? value.event : null;
    if (board === null && event === null) return null;
    return { ...(board !== null ? { board } : {}), ...(event !== null ? { event } : {}), title: value.title, district: value.district };
  }

  saveCode(joinCode: string, lookup: CodeLookup): void {
    write(this.storage, `code.${joinCode.toUpperCase()}`, lookup);
  }

  eventParticipant(event: string): EventParticipantRecord | null {
    const value = read(this.storage, `event-participant.${event}`);
    if (!isRecordOf(value, ['participantId', 'token'])) return null;
    const profile = value.profile;
    if (typeof profile !== 'object' || profile === null) return null;
    const { name, organisation, sector } = profile as Record<string, unknown>;
    if (typeof name !== 'string' || typeof organisation !== 'string' || !isSector(sector)) return null;
    const written = Array.isArray(value.profileWritten) ? value.profileWritten.filter((board): board is string => typeof board === 'string') : [];
    return { participantId: value.participantId, token: value.token, profile: { name, organisation, sector }, profileWritten: written };
  }

  saveEventParticipant(event: string, record: ParticipantCredentials & { profile: Profile }): void {
    const stored: EventParticipantRecord = {
      participantId: record.participantId,
      token: record.token,
      profile: record.profile,
      profileWritten: [],
    };
    write(this.storage, `event-participant.${event}`, stored);
  }

  /** Notes that this board's document has the own profile entry now. */
  markProfileWritten(event: string, board: string): void {
    const record = this.eventParticipant(event);
    if (!record || record.profileWritten.includes(board)) return;
    write(this.storage, `event-participant.${event}`, { ...record, profileWritten: [...record.profileWritten, board] });
  }

  forgetEventParticipant(event: string): void {
    this.storage.removeItem(`${PREFIX}event-participant.${event}`);
    this.storage.removeItem(`${PREFIX}event-place.${event}`);
  }

  /** The last place the server gave this phone for the event. */
  lastPlace(event: string): Place | null {
    const value = read(this.storage, `event-place.${event}`);
    try {
      return value === null ? null : readPlace(value);
    } catch {
      return null;
    }
  }

  savePlace(event: string, place: Place): void {
    write(this.storage, `event-place.${event}`, place);
  }

  eventLinks(event: string): EventLinks | null {
    const value = read(this.storage, `event-links.${event}`);
    if (!isRecordOf(value, ['event', 'join_code', 'join_url', 'presenter_url']) || !Array.isArray(value.boards)) return null;
    const boards = value.boards.filter(
      (entry): entry is EventLinks['boards'][number] =>
        isRecordOf(entry, ['board', 'title', 'kind', 'moderator_url', 'presenter_url']),
    );
    return { event: value.event, join_code: value.join_code, join_url: value.join_url, presenter_url: value.presenter_url, boards };
  }

  /** Keeps the links of a created event (not the organiser token: see saveEventToken). */
  saveEventLinks(created: CreatedEvent): void {
    const links: EventLinks = {
      event: created.event,
      join_code: created.join_code,
      join_url: created.join_url,
      presenter_url: created.presenter_url,
      boards: created.boards.map(({ board, title, kind, moderator_url, presenter_url }) => ({ board, title, kind, moderator_url, presenter_url })),
    };
    write(this.storage, `event-links.${created.event}`, links);
  }

  /** An event-scoped token for the organiser's page and the event projector opened without `#token=`. */
  eventToken(event: string, role: 'organiser' | 'viewer'): string | null {
    const value = read(this.storage, `event-${role}-token.${event}`);
    return typeof value === 'string' ? value : null;
  }

  saveEventToken(event: string, role: 'organiser' | 'viewer', token: string): void {
    write(this.storage, `event-${role}-token.${event}`, token);
  }

  /** A series' organiser token (`kws_…`), kept on this device. */
  seriesToken(series: string): string | null {
    const value = read(this.storage, `series-token.${series}`);
    return typeof value === 'string' ? value : null;
  }

  saveSeriesToken(series: string, token: string): void {
    write(this.storage, `series-token.${series}`, token);
  }

  moderatorLinks(board: string): ModeratorLinks | null {
    const value = read(this.storage, `moderator.${board}`);
    return isRecordOf(value, ['board', 'join_code', 'join_url', 'presenter_url', 'viewer_token'])
      ? {
          board: value.board,
          join_code: value.join_code,
          join_url: value.join_url,
          presenter_url: value.presenter_url,
          viewer_token: value.viewer_token,
        }
      : null;
  }

  saveModeratorLinks(created: ModeratorLinks): void {
    const links: ModeratorLinks = {
      board: created.board,
      join_code: created.join_code,
      join_url: created.join_url,
      presenter_url: created.presenter_url,
      viewer_token: created.viewer_token,
    };
    write(this.storage, `moderator.${created.board}`, links);
  }

  /**
   * The title, district and date typed on the start page, written into the
   * board's `meta` by the moderator view once it is connected (only fields
   * still missing there; see initBoard).
   */
  setup(board: string): BoardSetupRecord | null {
    const value = read(this.storage, `setup.${board}`);
    if (!isRecordOf(value, ['title', 'district'])) return null;
    const record: BoardSetupRecord = { title: value.title, district: value.district };
    if (typeof value.date === 'string') record.date = value.date;
    if (value.locale === 'de' || value.locale === 'en') record.locale = value.locale;
    return record;
  }

  saveSetup(board: string, setup: BoardSetupRecord): void {
    write(this.storage, `setup.${board}`, setup);
  }

  /** A board-scoped token for moderator/viewer pages opened without `#token=`. */
  token(board: string, role: 'moderator' | 'viewer'): string | null {
    const value = read(this.storage, `${role}-token.${board}`);
    return typeof value === 'string' ? value : null;
  }

  saveToken(board: string, role: 'moderator' | 'viewer', token: string): void {
    write(this.storage, `${role}-token.${board}`, token);
  }
}

/** An in-memory Storage for tests and for browsers that refuse localStorage. */
export class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

export function browserStorage(): Storage {
  try {
    const storage = window.localStorage;
    storage.getItem(PREFIX + 'probe');
    return storage;
  } catch {
    return new MemoryStorage();
  }
}
