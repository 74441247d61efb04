import * as Y from 'yjs';
import {
  DATE_PATTERN,
  TIME_PATTERN,
  TOP_LEVEL,
  type AgendaItem,
  type Agreement,
  type Card,
  type Case,
  type FocalPoint,
  type Network,
  type Note,
  type Timer,
  type Cluster,
  type Group,
  type Meta,
  type Participant,
  type Handout,
  decodeFocus,
  isAgendaKind,
  isAgreementStatus,
  isCardKind,
  isFramework,
  isNoteCategory,
  isClusterScope,
  isColour,
  isLocale,
  isSector,
} from './schema';

/** One entry of a keyed top-level map: a nested Y.Map of primitive fields. */
export type Entry = Y.Map<unknown>;

/**
 * A board document plus the transaction origin this client writes with.
 *
 * The origin is what Y.UndoManager tracks: the moderator view creates its
 * Board with its own origin object, so undo only ever reverts the moderator's
 * own changes, never a participant's card that arrived meanwhile.
 */
export class Board {
  constructor(
    readonly doc: Y.Doc,
    readonly origin: object | null = null,
  ) {}

  get meta(): Y.Map<unknown> {
    return this.doc.getMap(TOP_LEVEL.meta);
  }
  get participants(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.participants);
  }
  get groups(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.groups);
  }
  get cards(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.cards);
  }
  get clusters(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.clusters);
  }
  get votes(): Y.Map<number> {
    return this.doc.getMap(TOP_LEVEL.votes);
  }
  get offerLinks(): Y.Map<boolean> {
    return this.doc.getMap(TOP_LEVEL.offerLinks);
  }
  get placements(): Y.Map<boolean> {
    return this.doc.getMap(TOP_LEVEL.placements);
  }
  get agenda(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.agenda);
  }
  get cases(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.cases);
  }
  get focalPoints(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.focalPoints);
  }
  get notes(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.notes);
  }
  get agreements(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.agreements);
  }
  get networks(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.networks);
  }
  get memberships(): Y.Map<boolean> {
    return this.doc.getMap(TOP_LEVEL.memberships);
  }
  get handout(): Y.Map<unknown> {
    return this.doc.getMap(TOP_LEVEL.handout);
  }

  /** Every shared type this schema version uses (the undo scope). */
  sharedTypes(): Y.AbstractType<unknown>[] {
    return [
      this.meta,
      this.participants,
      this.groups,
      this.cards,
      this.clusters,
      this.votes,
      this.offerLinks,
      this.placements,
      this.agenda,
      this.cases,
      this.focalPoints,
      this.notes,
      this.agreements,
      this.networks,
      this.memberships,
      this.handout,
    ] as Y.AbstractType<unknown>[];
  }

  transact(change: () => void): void {
    this.doc.transact(change, this.origin);
  }

  /**
   * A change undo must never revert (the join code the server issued, the
   * set-up from the start page): written with no origin, which the
   * moderator's undo manager does not track.
   */
  transactOutsideUndo(change: () => void): void {
    this.doc.transact(change, null);
  }
}

// Readers turn a stored entry into a plain object, skipping entries that do
// not match the schema (an old or modified client may have written them).

function str(entry: Y.Map<unknown>, key: string): string | null {
  const value = entry.get(key);
  return typeof value === 'string' ? value : null;
}
function num(entry: Y.Map<unknown>, key: string): number | null {
  const value = entry.get(key);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
function bool(entry: Y.Map<unknown>, key: string): boolean | null {
  const value = entry.get(key);
  return typeof value === 'boolean' ? value : null;
}

export function readMeta(meta: Y.Map<unknown>): Meta {
  const locale = meta.get('locale');
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
  };
}

export function readHandout(handout: Y.Map<unknown>): Handout {
  return {
    contacts: str(handout, 'contacts') ?? '',
    procedures: str(handout, 'procedures') ?? '',
    steering: str(handout, 'steering') ?? '',
  };
}

function readTimer(meta: Y.Map<unknown>): Timer {
  const endsAt = num(meta, 'timerEndsAt');
  if (endsAt !== null) return { state: 'running', endsAt };
  const remaining = num(meta, 'timerRemaining');
  if (remaining !== null) return { state: 'paused', remaining: Math.max(0, remaining) };
  return { state: 'none' };
}

export function readParticipant(id: string, entry: unknown): Participant | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  const sector = e.get('sector');
  const name = str(e, 'name');
  if (name === null || !isSector(sector)) return null;
  return {
    id,
    name,
    organisation: str(e, 'organisation') ?? '',
    sector,
    group: str(e, 'group'),
    joinedAt: num(e, 'joinedAt') ?? 0,
    removed: e.get('removed') === true,
  };
}

export function readGroup(id: string, entry: unknown): Group | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  const colour = e.get('colour');
  return {
    id,
    name: str(e, 'name') ?? '',
    colour: isColour(colour) ? colour : 'grey',
    createdAt: num(e, 'createdAt') ?? 0,
  };
}

export function readCard(id: string, entry: unknown): Card | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  const kind = e.get('kind');
  const text = str(e, 'text');
  const author = str(e, 'author');
  if (text === null || author === null || !isCardKind(kind)) return null;
  return {
    id,
    text,
    kind,
    author,
    group: str(e, 'group'),
    cluster: str(e, 'cluster'),
    createdAt: num(e, 'createdAt') ?? 0,
    editedAt: num(e, 'editedAt'),
  };
}

export function readCluster(id: string, entry: unknown): Cluster | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  const colour = e.get('colour');
  const scope = e.get('scope');
  return {
    id,
    title: str(e, 'title') ?? '',
    colour: isColour(colour) ? colour : 'yellow',
    scope: isClusterScope(scope) ? scope : null,
    order: num(e, 'order') ?? 0,
    createdAt: num(e, 'createdAt') ?? 0,
  };
}

export function readAgendaItem(id: string, entry: unknown): AgendaItem | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
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

export function readCase(id: string, entry: unknown): Case | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  const framework = e.get('framework');
  return {
    id,
    title: str(e, 'title') ?? '',
    framework: isFramework(framework) ? framework : 'other',
    story: str(e, 'story') ?? '',
    order: num(e, 'order') ?? 0,
  };
}

export function readFocalPoint(id: string, entry: unknown): FocalPoint | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  const caseId = str(e, 'case');
  if (caseId === null) return null;
  return { id, case: caseId, title: str(e, 'title') ?? '', order: num(e, 'order') ?? 0 };
}

export function readNote(id: string, entry: unknown): Note | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  const focalPoint = str(e, 'focalPoint');
  const category = e.get('category');
  const text = str(e, 'text');
  if (focalPoint === null || text === null || !isNoteCategory(category)) return null;
  return { id, focalPoint, category, text, createdAt: num(e, 'createdAt') ?? 0 };
}

export function readAgreement(id: string, entry: unknown): Agreement | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  const what = str(e, 'what');
  const status = e.get('status');
  const due = str(e, 'due');
  if (what === null) return null;
  return {
    id,
    what,
    who: str(e, 'who') ?? '',
    due: due !== null && DATE_PATTERN.test(due) ? due : null,
    status: isAgreementStatus(status) ? status : 'proposed',
    author: str(e, 'author') ?? '',
    createdAt: num(e, 'createdAt') ?? 0,
  };
}

export function readNetwork(id: string, entry: unknown): Network | null {
  if (!(entry instanceof Y.Map)) return null;
  const e = entry as Entry;
  return { id, title: str(e, 'title') ?? '', order: num(e, 'order') ?? 0 };
}
