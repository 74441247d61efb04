/**
 * What this browser remembers between visits, in localStorage:
 *
 * - per board, the participant id and token the server issued at join, so a
 *   returning phone goes straight to its cards (also offline);
 * - per join code, the board it belongs to, so `/join/{code}` works offline;
 * - per board, the links a moderator got at creation (join code, presenter
 *   link), which only the creating response contains.
 *
 * Contact data is never stored here.
 */
import type { CodeLookup, CreatedBoard } from './api';

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
    return isRecordOf(value, ['board', 'title', 'district'])
      ? { board: value.board, title: value.title, district: value.district }
      : null;
  }

  saveCode(joinCode: string, lookup: CodeLookup): void {
    write(this.storage, `code.${joinCode.toUpperCase()}`, lookup);
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
