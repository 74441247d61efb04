/**
 * Block 2: case examples, their focal points of need, participants placing
 * themselves on focal points, and the moderator's notes per focal point
 * (docs/schema.md: `cases`, `focalPoints`, `placements`, `notes`).
 *
 * Cases, focal points and notes are the moderator's. A placement is the
 * participant's own key (`"{participantId}:{focalPointId}"`), allowed only
 * for an existing focal point while `meta.placementsOpen` is not false.
 */
import * as Y from 'yjs';
import type { Board, Entry } from './board';
import { readMeta } from './meta';
import { readParticipant } from './participants';
import { num, str } from './read';
import { newId } from './ids';
import {
  type Case,
  type FocalPoint,
  type Framework,
  LIMITS,
  NOTE_CATEGORIES,
  type Note,
  type NoteCategory,
  type Participant,
  SECTORS,
  type Sector,
  isFramework,
  isNoteCategory,
  placementKey,
  splitKey,
} from './schema';
import { cleanText, entry, existing, nextOrder, now, swapOrder } from './write';

export function readCase(id: string, stored: unknown): Case | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
  const framework = e.get('framework');
  return {
    id,
    title: str(e, 'title') ?? '',
    framework: isFramework(framework) ? framework : 'other',
    story: str(e, 'story') ?? '',
    order: num(e, 'order') ?? 0,
  };
}

export function readFocalPoint(id: string, stored: unknown): FocalPoint | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
  const caseId = str(e, 'case');
  if (caseId === null) return null;
  return { id, case: caseId, title: str(e, 'title') ?? '', order: num(e, 'order') ?? 0 };
}

export function readNote(id: string, stored: unknown): Note | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
  const focalPoint = str(e, 'focalPoint');
  const category = e.get('category');
  const text = str(e, 'text');
  if (focalPoint === null || text === null || !isNoteCategory(category)) return null;
  return { id, focalPoint, category, text, createdAt: num(e, 'createdAt') ?? 0 };
}

export interface CaseDraft {
  title: string;
  framework: Framework;
  story: string;
  /** Titles of the focal points to create with the case, in order. */
  focalPoints?: readonly string[];
}

// ---------------------------------------------------------------- cases

/** Creates a case and its focal points in one transaction (a template is one undo step). */
export function createCase(board: Board, draft: CaseDraft): string {
  return createCases(board, [draft])[0] ?? '';
}

/** Creates several cases at once, e.g. the two templates from the seed. */
export function createCases(board: Board, drafts: readonly CaseDraft[]): string[] {
  const clean = drafts.map((draft) => ({
    title: cleanText(draft.title, LIMITS.title, 'case title'),
    framework: draft.framework,
    story: cleanText(draft.story, LIMITS.story, 'story', true),
    focalPoints: (draft.focalPoints ?? []).map((title) => cleanText(title, LIMITS.title, 'focal point title')),
  }));
  const ids: string[] = [];
  board.transact(() => {
    let order = nextOrder(board.cases);
    for (const draft of clean) {
      const id = newId();
      ids.push(id);
      board.cases.set(id, entry({ title: draft.title, framework: draft.framework, story: draft.story, order: order++ }));
      draft.focalPoints.forEach((title, index) => {
        board.focalPoints.set(newId(), entry({ case: id, title, order: index }));
      });
    }
  });
  return ids;
}

export function updateCase(board: Board, caseId: string, change: Partial<Omit<CaseDraft, 'focalPoints'>>): void {
  const title = change.title === undefined ? undefined : cleanText(change.title, LIMITS.title, 'case title');
  const story = change.story === undefined ? undefined : cleanText(change.story, LIMITS.story, 'story', true);
  board.transact(() => {
    const found = existing(board.cases, caseId, 'case');
    if (title !== undefined && found.get('title') !== title) found.set('title', title);
    if (story !== undefined && found.get('story') !== story) found.set('story', story);
    if (change.framework !== undefined && found.get('framework') !== change.framework) found.set('framework', change.framework);
  });
}

export function moveCase(board: Board, caseId: string, delta: -1 | 1): void {
  board.transact(() => {
    swapOrder(board.cases, selectCases(board).map((c) => c.id), caseId, delta);
  });
}

/** Removes a focal point's placements and notes (not the focal point itself). */
function detachFocalPoint(board: Board, focalPointId: string): void {
  for (const key of [...board.placements.keys()]) {
    if (splitKey(key)?.[1] === focalPointId) board.placements.delete(key);
  }
  for (const [id, value] of [...board.notes.entries()]) {
    if (value instanceof Y.Map && value.get('focalPoint') === focalPointId) board.notes.delete(id);
  }
}

/** Deletes a case with its focal points, their placements and notes. */
export function deleteCase(board: Board, caseId: string): void {
  board.transact(() => {
    for (const [id, value] of [...board.focalPoints.entries()]) {
      if (!(value instanceof Y.Map) || value.get('case') !== caseId) continue;
      detachFocalPoint(board, id);
      board.focalPoints.delete(id);
    }
    board.cases.delete(caseId);
  });
}

// ---------------------------------------------------------------- focal points

export function createFocalPoint(board: Board, caseId: string, title: string): string {
  const id = newId();
  const clean = cleanText(title, LIMITS.title, 'focal point title');
  board.transact(() => {
    existing(board.cases, caseId, 'case');
    const order = nextOrder(board.focalPoints, (fp) => fp.get('case') === caseId);
    board.focalPoints.set(id, entry({ case: caseId, title: clean, order }));
  });
  return id;
}

export function renameFocalPoint(board: Board, focalPointId: string, title: string): void {
  const clean = cleanText(title, LIMITS.title, 'focal point title');
  board.transact(() => {
    const found = existing(board.focalPoints, focalPointId, 'focal point');
    if (found.get('title') !== clean) found.set('title', clean);
  });
}

export function moveFocalPoint(board: Board, focalPointId: string, delta: -1 | 1): void {
  board.transact(() => {
    const caseId = existing(board.focalPoints, focalPointId, 'focal point').get('case');
    if (typeof caseId !== 'string') return;
    swapOrder(board.focalPoints, selectFocalPoints(board, caseId).map((fp) => fp.id), focalPointId, delta);
  });
}

/** Deletes a focal point with its placements and notes. */
export function deleteFocalPoint(board: Board, focalPointId: string): void {
  board.transact(() => {
    detachFocalPoint(board, focalPointId);
    board.focalPoints.delete(focalPointId);
  });
}

// ---------------------------------------------------------------- placements

/**
 * Places a participant on a focal point ("I work on this"), or takes the
 * placement back. Returns false (and writes nothing) while placements are
 * closed or when the focal point does not exist.
 */
export function setPlacement(board: Board, participantId: string, focalPointId: string, placed: boolean): boolean {
  let written = false;
  board.transact(() => {
    if (!readMeta(board.meta).placementsOpen) return;
    const key = placementKey(participantId, focalPointId);
    if (placed) {
      if (!board.focalPoints.has(focalPointId) || board.placements.get(key) === true) return;
      board.placements.set(key, true);
    } else {
      if (!board.placements.has(key)) return;
      board.placements.delete(key);
    }
    written = true;
  });
  return written;
}

// ---------------------------------------------------------------- notes

export function createNote(board: Board, focalPointId: string, category: NoteCategory, text: string): string {
  const id = newId();
  const clean = cleanText(text, LIMITS.noteText, 'note');
  board.transact(() => {
    existing(board.focalPoints, focalPointId, 'focal point');
    board.notes.set(id, entry({ focalPoint: focalPointId, category, text: clean, createdAt: now() }));
  });
  return id;
}

export function editNote(board: Board, noteId: string, change: { text?: string; category?: NoteCategory }): void {
  const text = change.text === undefined ? undefined : cleanText(change.text, LIMITS.noteText, 'note');
  board.transact(() => {
    const note = existing(board.notes, noteId, 'note');
    if (text !== undefined && note.get('text') !== text) note.set('text', text);
    if (change.category !== undefined && note.get('category') !== change.category) note.set('category', change.category);
  });
}

export function deleteNote(board: Board, noteId: string): void {
  board.transact(() => board.notes.delete(noteId));
}

// ---------------------------------------------------------------- read side

export function selectCases(board: Board): Case[] {
  return [...board.cases.entries()]
    .map(([id, value]) => readCase(id, value))
    .filter((c) => c !== null)
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

export function selectCase(board: Board, caseId: string): Case | null {
  return readCase(caseId, board.cases.get(caseId));
}

/**
 * Focal points of one case, in order; without a case, those of all cases in
 * case order. Orphans of a deleted case are left out.
 */
export function selectFocalPoints(board: Board, caseId?: string): FocalPoint[] {
  const caseOrder = new Map(selectCases(board).map((c, index) => [c.id, index]));
  return [...board.focalPoints.entries()]
    .map(([id, value]) => readFocalPoint(id, value))
    .filter((fp): fp is FocalPoint => fp !== null && (caseId === undefined ? caseOrder.has(fp.case) : fp.case === caseId))
    .sort(
      (a, b) =>
        (caseOrder.get(a.case) ?? 0) - (caseOrder.get(b.case) ?? 0) || a.order - b.order || a.id.localeCompare(b.id),
    );
}

export function selectFocalPoint(board: Board, focalPointId: string): FocalPoint | null {
  return readFocalPoint(focalPointId, board.focalPoints.get(focalPointId));
}

/** Participants placed on each focal point (by join order); unknown participants are left out. */
export function selectPeopleByFocalPoint(board: Board): Map<string, Participant[]> {
  const people = new Map<string, Participant[]>();
  for (const key of board.placements.keys()) {
    const parts = splitKey(key);
    if (!parts || board.placements.get(key) !== true) continue;
    const participant = readParticipant(parts[0], board.participants.get(parts[0]));
    if (!participant) continue;
    let list = people.get(parts[1]);
    if (!list) people.set(parts[1], (list = []));
    list.push(participant);
  }
  for (const list of people.values()) list.sort((a, b) => a.joinedAt - b.joinedAt || a.id.localeCompare(b.id));
  return people;
}

/** The focal point ids a participant placed themselves on. */
export function selectOwnPlacements(board: Board, participantId: string): Set<string> {
  const own = new Set<string>();
  for (const key of board.placements.keys()) {
    const parts = splitKey(key);
    if (parts?.[0] === participantId && board.placements.get(key) === true) own.add(parts[1]);
  }
  return own;
}

export interface MapPoint {
  focalPoint: FocalPoint;
  people: Participant[];
  /** Distinct sectors of the people here, in SECTORS order. */
  sectors: Sector[];
}

/** Two focal points of the same case that share people: a visible overlap of work fields. */
export interface Overlap {
  a: string;
  b: string;
  people: Participant[];
}

export interface CaseMap {
  case: Case;
  points: MapPoint[];
  overlaps: Overlap[];
}

/** Everything the visual case map shows: focal points with their people, and the overlaps between them. */
export function selectCaseMap(board: Board, caseId: string): CaseMap | null {
  const found = readCase(caseId, board.cases.get(caseId));
  if (!found) return null;
  const byPoint = selectPeopleByFocalPoint(board);
  const points = selectFocalPoints(board, caseId).map((focalPoint) => {
    const people = byPoint.get(focalPoint.id) ?? [];
    const present = new Set(people.map((p) => p.sector));
    return { focalPoint, people, sectors: SECTORS.filter((s) => present.has(s)) };
  });
  const overlaps: Overlap[] = [];
  points.forEach((first, i) => {
    const here = new Set(first.people.map((p) => p.id));
    for (const second of points.slice(i + 1)) {
      const shared = second.people.filter((p) => here.has(p.id));
      if (shared.length > 0) overlaps.push({ a: first.focalPoint.id, b: second.focalPoint.id, people: shared });
    }
  });
  return { case: found, points, overlaps };
}

export function selectNotes(board: Board, focalPointId: string): Note[] {
  return [...board.notes.entries()]
    .map(([id, value]) => readNote(id, value))
    .filter((note): note is Note => note !== null && note.focalPoint === focalPointId)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** A focal point's notes per category, in NOTE_CATEGORIES order (empty categories included). */
export function selectNotesByCategory(board: Board, focalPointId: string): Map<NoteCategory, Note[]> {
  const result = new Map<NoteCategory, Note[]>(NOTE_CATEGORIES.map((category) => [category, []]));
  for (const note of selectNotes(board, focalPointId)) result.get(note.category)?.push(note);
  return result;
}
