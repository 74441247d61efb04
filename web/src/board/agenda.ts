/**
 * The conference's agenda, the phase running now, the countdown and the
 * per-phase locks (docs/schema.md: `agenda`, `meta`). All moderator-only.
 *
 * The countdown is stored as an end time (`meta.timerEndsAt`, ms epoch), not
 * as ticking seconds: nothing is written while it runs, and every screen
 * computes the time left from its own clock. Paused, the time left is stored
 * instead (`meta.timerRemaining`).
 */
import * as Y from 'yjs';
import type { Board, Entry } from './board';
import { readCase } from './cases';
import { readMeta } from './meta';
import { num, str } from './read';
import { newId } from './ids';
import {
  type AgendaItem,
  type AgendaKind,
  type Focus,
  LIMITS,
  TIME_PATTERN,
  type Timer,
  encodeFocus,
  isAgendaKind,
} from './schema';
import { BoardError, cleanText, entry, existing, nextOrder, now, swapOrder } from './write';

export function readAgendaItem(id: string, stored: unknown): AgendaItem | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
  const kind = e.get('kind');
  const start = str(e, 'start');
  return {
    id,
    title: str(e, 'title') ?? '',
    kind: isAgendaKind(kind) ? kind : 'info',
    start: start !== null && TIME_PATTERN.test(start) ? start : null,
    minutes: Math.max(0, num(e, 'minutes') ?? 0),
    order: num(e, 'order') ?? 0,
  };
}

export interface AgendaDraft {
  title: string;
  kind: AgendaKind;
  /** Planned start "HH:MM"; null or absent for none. */
  start?: string | null;
  minutes: number;
}

function cleanMinutes(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > LIMITS.phaseMinutesMax) {
    throw new BoardError('invalid', `minutes must be 0–${LIMITS.phaseMinutesMax}`);
  }
  return Math.round(minutes);
}

function cleanStart(start: string | null | undefined): string | null {
  if (start === null || start === undefined || start === '') return null;
  if (!TIME_PATTERN.test(start)) throw new BoardError('invalid', 'start must be HH:MM');
  return start;
}

// ---------------------------------------------------------------- agenda

/**
 * Adds phases in one transaction: at the end of the agenda, in the given
 * order, except that a phase with a start time goes where its time puts it
 * (placeByTime): a phase for 11:00 added after 12:45 comes before it.
 */
export function addAgendaItems(board: Board, drafts: readonly AgendaDraft[]): string[] {
  const clean = drafts.map((draft) => ({
    title: cleanText(draft.title, LIMITS.title, 'phase title'),
    kind: draft.kind,
    start: cleanStart(draft.start),
    minutes: cleanMinutes(draft.minutes),
  }));
  const ids: string[] = [];
  board.transact(() => {
    let order = nextOrder(board.agenda);
    for (const draft of clean) {
      const id = newId();
      ids.push(id);
      const fields: Record<string, string | number> = { title: draft.title, kind: draft.kind, minutes: draft.minutes, order: order++ };
      if (draft.start !== null) fields.start = draft.start;
      board.agenda.set(id, entry(fields));
      placeByTime(board, id);
    }
  });
  return ids;
}

/**
 * Moves phase `id` to where its start time puts it among the phases that
 * have one: after the last that starts no later, before the first that
 * starts later. A phase already in time order, or without a time, stays.
 * Runs inside the caller's transaction.
 */
function placeByTime(board: Board, id: string): void {
  const list = selectAgenda(board);
  const at = list.findIndex((item) => item.id === id);
  const me = list[at];
  const start = me?.start ?? null;
  if (!me || start === null) return;
  const before = list.slice(0, at).reverse().find((item) => item.start !== null);
  const after = list.slice(at + 1).find((item) => item.start !== null);
  if ((!before || (before.start ?? '') <= start) && (!after || (after.start ?? '') >= start)) return;
  const others = list.filter((item) => item.id !== id);
  const later = others.findIndex((item) => item.start !== null && item.start > start);
  // No phase starts later: right after the last that has a time.
  const lastTimed = others.reduce((last, item, index) => (item.start !== null ? index : last), -1);
  const slot = later === -1 ? lastTimed + 1 : later;
  const lower = others[slot - 1]?.order;
  const upper = others[slot]?.order;
  const order = lower === undefined ? (upper ?? 0) - 1 : upper === undefined ? lower + 1 : (lower + upper) / 2;
  existing(board.agenda, id, 'phase').set('order', order);
}

export function createAgendaItem(board: Board, draft: AgendaDraft): string {
  const [id] = addAgendaItems(board, [draft]);
  if (id === undefined) throw new BoardError('invalid', 'no phase created');
  return id;
}

export function updateAgendaItem(board: Board, id: string, change: Partial<AgendaDraft>): void {
  const title = change.title === undefined ? undefined : cleanText(change.title, LIMITS.title, 'phase title');
  const minutes = change.minutes === undefined ? undefined : cleanMinutes(change.minutes);
  const start = change.start === undefined ? undefined : cleanStart(change.start);
  board.transact(() => {
    const item = existing(board.agenda, id, 'phase');
    if (title !== undefined && item.get('title') !== title) item.set('title', title);
    if (change.kind !== undefined && item.get('kind') !== change.kind) item.set('kind', change.kind);
    if (minutes !== undefined && item.get('minutes') !== minutes) item.set('minutes', minutes);
    if (start === null) item.delete('start');
    else if (start !== undefined && item.get('start') !== start) {
      item.set('start', start);
      placeByTime(board, id);
    }
  });
}

/** Moves a phase one place up (-1) or down (+1). */
export function moveAgendaItem(board: Board, id: string, delta: -1 | 1): void {
  board.transact(() => {
    swapOrder(
      board.agenda,
      selectAgenda(board).map((item) => item.id),
      id,
      delta,
    );
  });
}

/** Deletes a phase; if it is running, there is no phase (and no timer) afterwards. */
export function deleteAgendaItem(board: Board, id: string): void {
  board.transact(() => {
    if (board.meta.get('phase') === id) clearPhase(board);
    board.agenda.delete(id);
  });
}

// ---------------------------------------------------------------- phase

function clearTimer(board: Board): void {
  board.meta.delete('timerEndsAt');
  board.meta.delete('timerRemaining');
}

function clearPhase(board: Board): void {
  board.meta.delete('phase');
  clearTimer(board);
}

/**
 * What the shared screen shows when a phase starts: the card wall, the first
 * case's map (unless a case or focal point is already on screen), the
 * agreements, or the agenda.
 */
function focusForPhase(board: Board, kind: AgendaKind): Focus {
  switch (kind) {
    case 'cards':
      return { kind: 'overview' };
    case 'cases': {
      const current = readMeta(board.meta).focus;
      if (current.kind === 'case' || current.kind === 'focal') return current;
      const first = [...board.cases.entries()]
        .map(([id, value]) => readCase(id, value))
        .filter((c) => c !== null)
        .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id))[0];
      return first ? { kind: 'case', id: first.id } : { kind: 'agenda' };
    }
    case 'agreements':
      return { kind: 'agreements' };
    case 'info':
      return { kind: 'agenda' };
  }
}

/** The lock (a `meta` flag) that lets participants write in a phase of each kind; an info phase has none. */
export const PHASE_LOCKS = {
  cards: 'writingOpen',
  cases: 'placementsOpen',
  agreements: 'agreementsOpen',
} as const satisfies Record<Exclude<AgendaKind, 'info'>, string>;

/**
 * Opens the lock of the phase's kind and closes the other two (all three in
 * an info phase), so that writing follows the phase: in Block 3 a phone
 * that looks at the card screen cannot write cards any more. Writes only
 * the flags that change.
 */
function setLocksForPhase(board: Board, kind: AgendaKind): void {
  for (const [lockKind, flag] of Object.entries(PHASE_LOCKS)) {
    const open = lockKind === kind;
    if (board.meta.get(flag) !== open) board.meta.set(flag, open);
  }
}

/**
 * Starts a phase: every phone switches to its screen, the shared screen to
 * what fits it, the lock of the phase's kind opens and the others close,
 * and the countdown starts with the phase's planned minutes (no countdown
 * for a phase of 0 minutes). One transaction: no screen ever sees the new
 * phase with the old locks.
 */
export function startPhase(board: Board, id: string, at: number = now()): void {
  board.transact(() => {
    const item = readAgendaItem(id, existing(board.agenda, id, 'phase'));
    if (item === null) return;
    board.meta.set('phase', id);
    clearTimer(board);
    if (item.minutes > 0) board.meta.set('timerEndsAt', at + item.minutes * 60_000);
    board.meta.set('focus', encodeFocus(focusForPhase(board, item.kind)));
    setLocksForPhase(board, item.kind);
  });
}

/** Starts the phase after the current one (the first when none runs). Returns its id, or null at the end. */
export function nextPhase(board: Board, at: number = now()): string | null {
  const agenda = selectAgenda(board);
  const current = agenda.findIndex((item) => item.id === board.meta.get('phase'));
  const next = agenda[current + 1];
  if (next === undefined) return null;
  startPhase(board, next.id, at);
  return next.id;
}

/** No phase runs (phones show the card screen, as before any agenda). */
export function endPhase(board: Board): void {
  board.transact(() => clearPhase(board));
}

// ---------------------------------------------------------------- timer

/** Starts (or restarts) the countdown with `ms` milliseconds. */
export function startTimer(board: Board, ms: number, at: number = now()): void {
  if (!Number.isFinite(ms) || ms <= 0) throw new BoardError('invalid', 'timer must be positive');
  board.transact(() => {
    board.meta.delete('timerRemaining');
    board.meta.set('timerEndsAt', at + Math.round(ms));
  });
}

export function pauseTimer(board: Board, at: number = now()): void {
  board.transact(() => {
    const timer = readMeta(board.meta).timer;
    if (timer.state !== 'running') return;
    board.meta.delete('timerEndsAt');
    board.meta.set('timerRemaining', Math.max(0, timer.endsAt - at));
  });
}

export function resumeTimer(board: Board, at: number = now()): void {
  board.transact(() => {
    const timer = readMeta(board.meta).timer;
    if (timer.state !== 'paused') return;
    board.meta.delete('timerRemaining');
    board.meta.set('timerEndsAt', at + timer.remaining);
  });
}

/** Adds (or with a negative `ms`, takes away) time; a finished countdown restarts from now. */
export function extendTimer(board: Board, ms: number, at: number = now()): void {
  board.transact(() => {
    const timer = readMeta(board.meta).timer;
    if (timer.state === 'running') board.meta.set('timerEndsAt', Math.max(at, timer.endsAt) + ms);
    else if (timer.state === 'paused') board.meta.set('timerRemaining', Math.max(0, timer.remaining + ms));
    else if (ms > 0) board.meta.set('timerEndsAt', at + ms);
  });
}

export function stopTimer(board: Board): void {
  board.transact(() => clearTimer(board));
}

/** Milliseconds left, never negative; null when there is no countdown. */
export function timeLeft(timer: Timer, at: number = now()): number | null {
  if (timer.state === 'running') return Math.max(0, timer.endsAt - at);
  if (timer.state === 'paused') return timer.remaining;
  return null;
}

// ---------------------------------------------------------------- locks

/** Participants may place themselves on focal points (default open). */
export function setPlacementsOpen(board: Board, open: boolean): void {
  board.transact(() => board.meta.set('placementsOpen', open));
}

/** Participants may propose agreements (default open). */
export function setAgreementsOpen(board: Board, open: boolean): void {
  board.transact(() => board.meta.set('agreementsOpen', open));
}

// ---------------------------------------------------------------- read side

export function selectAgenda(board: Board): AgendaItem[] {
  return [...board.agenda.entries()]
    .map(([id, value]) => readAgendaItem(id, value))
    .filter((item) => item !== null)
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

/**
 * Where the agenda is not in time order (the moderator moved a phase by
 * hand): each phase that starts earlier than one before it, with that one.
 */
export function selectAgendaOutOfOrder(board: Board): { item: AgendaItem; after: AgendaItem }[] {
  const found: { item: AgendaItem; after: AgendaItem }[] = [];
  let latest: AgendaItem | null = null;
  for (const item of selectAgenda(board)) {
    if (item.start === null) continue;
    if (latest?.start != null && item.start < latest.start) found.push({ item, after: latest });
    else latest = item;
  }
  return found;
}

/** The phase running now, or null (none started, or its entry was deleted). */
export function selectPhase(board: Board): AgendaItem | null {
  const id = board.meta.get('phase');
  return typeof id === 'string' ? readAgendaItem(id, board.agenda.get(id)) : null;
}
