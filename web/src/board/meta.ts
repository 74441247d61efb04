/**
 * The board's `meta` map: title, district, date, locale, join code, and the
 * moderator's switches (writing, reveal, focus, approving photos). The agenda's fields of
 * `meta` (phase, countdown, the locks of Blocks 2 and 3) are written by
 * agenda.ts; votingOpen and voteBudget by votes.ts.
 */
import type * as Y from 'yjs';
import type { Board } from './board';
import { bool, num, str } from './read';
import {
  LIMITS,
  SCHEMA_VERSION,
  type Focus,
  type Locale,
  type Meta,
  type Timer,
  decodeFocus,
  encodeFocus,
  isBoardKind,
  isLocale,
} from './schema';
import { cleanText } from './write';

export function readMeta(meta: Y.Map<unknown>): Meta {
  const locale = meta.get('locale');
  const kind = meta.get('kind');
  return {
    schemaVersion: num(meta, 'schemaVersion'),
    title: str(meta, 'title') ?? '',
    district: str(meta, 'district') ?? '',
    date: str(meta, 'date'),
    locale: isLocale(locale) ? locale : 'de',
    joinCode: str(meta, 'joinCode'),
    // Writing is open on a new board until the moderator closes it.
    writingOpen: bool(meta, 'writingOpen') ?? true,
    revealed: bool(meta, 'revealed') ?? false,
    votingOpen: bool(meta, 'votingOpen') ?? false,
    voteBudget: num(meta, 'voteBudget') ?? 0,
    focus: decodeFocus(meta.get('focus')),
    phase: str(meta, 'phase'),
    timer: readTimer(meta),
    // Placing oneself and proposing agreements are open until closed.
    placementsOpen: bool(meta, 'placementsOpen') ?? true,
    agreementsOpen: bool(meta, 'agreementsOpen') ?? true,
    kind: isBoardKind(kind) ? kind : null,
    challengesOpen: bool(meta, 'challengesOpen') ?? false,
    solutionsOpen: bool(meta, 'solutionsOpen') ?? false,
    // Photos are shown at once unless the moderator wants to approve them.
    photosNeedApproval: bool(meta, 'photosNeedApproval') ?? false,
  };
}

function readTimer(meta: Y.Map<unknown>): Timer {
  const endsAt = num(meta, 'timerEndsAt');
  if (endsAt !== null) return { state: 'running', endsAt };
  const remaining = num(meta, 'timerRemaining');
  if (remaining !== null) return { state: 'paused', remaining: Math.max(0, remaining) };
  return { state: 'none' };
}

export interface BoardSetup {
  title: string;
  district: string;
  date?: string | null;
  locale?: Locale;
  joinCode?: string | null;
}

/**
 * Fills the meta fields that are still missing (the server may already have
 * written them at creation). Idempotent: a second moderator device calling it
 * changes nothing.
 */
export function initBoard(board: Board, setup: BoardSetup): void {
  board.transactOutsideUndo(() => {
    const meta = board.meta;
    const setMissing = (key: string, value: string | number | null | undefined): void => {
      if (value !== null && value !== undefined && !meta.has(key)) meta.set(key, value);
    };
    setMissing('schemaVersion', SCHEMA_VERSION);
    setMissing('title', cleanText(setup.title, LIMITS.title, 'title'));
    setMissing('district', cleanText(setup.district, LIMITS.district, 'district', true));
    setMissing('date', setup.date);
    setMissing('locale', setup.locale ?? 'de');
    setMissing('joinCode', setup.joinCode);
  });
}

/** The join code now valid (after the moderator had the server issue a new one). */
export function setJoinCode(board: Board, joinCode: string): void {
  board.transactOutsideUndo(() => board.meta.set('joinCode', joinCode));
}

export function setWritingOpen(board: Board, open: boolean): void {
  board.transact(() => board.meta.set('writingOpen', open));
}

export function setRevealed(board: Board, revealed: boolean): void {
  board.transact(() => board.meta.set('revealed', revealed));
}

/** The board's language: its templates, group names and documents. */
export function setBoardLocale(board: Board, locale: Locale): void {
  board.transact(() => board.meta.set('locale', locale));
}

/** Whether a participant's photo waits for the moderator before it is shown. */
export function setPhotosNeedApproval(board: Board, on: boolean): void {
  board.transact(() => board.meta.set('photosNeedApproval', on));
}

export function setFocus(board: Board, focus: Focus): void {
  board.transact(() => board.meta.set('focus', encodeFocus(focus)));
}

// ---------------------------------------------------------------- read side

export function selectMeta(board: Board): Meta {
  return readMeta(board.meta);
}
