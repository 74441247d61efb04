/**
 * The `cards` map: what participants (and the moderator) write in Block 1.
 * Clustering a card writes its `cluster` field (setCardCluster); clusters
 * themselves are in clusters.ts.
 */
import * as Y from 'yjs';
import type { Board, Entry } from './board';
import { selectMeta } from './meta';
import { newId } from './ids';
import { num, str } from './read';
import { LIMITS, type Card, type CardKind, isCardKind } from './schema';
import { cleanText, entry, existing, now } from './write';

export function readCard(id: string, stored: unknown): Card | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
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
    parent: str(e, 'parent'),
    createdAt: num(e, 'createdAt') ?? 0,
    editedAt: num(e, 'editedAt'),
  };
}

export interface NewCard {
  text: string;
  kind: CardKind;
  /** The participant id issued by the server, or MODERATOR_AUTHOR (schema.ts). */
  author: string;
  group?: string | null;
  /** A solution's challenge, or the challenge a sub-challenge hangs under. */
  parent?: string | null;
}

export function createCard(board: Board, card: NewCard): string {
  const id = newId();
  const text = cleanText(card.text, LIMITS.cardText, 'card text');
  board.transact(() => {
    const fields: Record<string, string | number> = {
      text,
      kind: card.kind,
      author: card.author,
      createdAt: now(),
    };
    if (card.group) fields.group = card.group;
    if (card.parent) fields.parent = card.parent;
    board.cards.set(id, entry(fields));
  });
  return id;
}

export function editCard(board: Board, cardId: string, change: { text?: string; kind?: CardKind }): void {
  const text = change.text === undefined ? undefined : cleanText(change.text, LIMITS.cardText, 'card text');
  board.transact(() => {
    const card = existing(board.cards, cardId, 'card');
    let changed = false;
    if (text !== undefined && card.get('text') !== text) {
      card.set('text', text);
      changed = true;
    }
    if (change.kind !== undefined && card.get('kind') !== change.kind) {
      card.set('kind', change.kind);
      changed = true;
    }
    if (changed) card.set('editedAt', now());
  });
}

/**
 * Deletes a card. Offer links that pointed at it are left alone: they belong
 * to the moderator, so a participant deleting their own offer could not
 * remove them, and the selectors ignore links to missing cards.
 */
export function deleteCard(board: Board, cardId: string): void {
  board.transact(() => board.cards.delete(cardId));
}

/** Drops a card into a cluster, or back onto the unsorted wall (null). */
export function setCardCluster(board: Board, cardId: string, clusterId: string | null): void {
  board.transact(() => {
    const card = existing(board.cards, cardId, 'card');
    if (clusterId === null) card.delete('cluster');
    else {
      existing(board.clusters, clusterId, 'cluster');
      if (card.get('cluster') !== clusterId) card.set('cluster', clusterId);
    }
  });
}

// ---------------------------------------------------------------- read side

export function selectCards(board: Board): Card[] {
  return [...board.cards.entries()]
    .map(([id, value]) => readCard(id, value))
    .filter((c) => c !== null)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export function selectCardsBy(board: Board, author: string): Card[] {
  return selectCards(board).filter((card) => card.author === author);
}

/**
 * Cards of others this device holds without their text: until the reveal
 * the server sends a card's text only to the moderators and the author's
 * group (docs/schema.md, "Hidden cards"), so the entry arrives without
 * `text` and readCard leaves it out. Screens show how many there are.
 */
export function selectHiddenCardCount(board: Board): number {
  let hidden = 0;
  for (const stored of board.cards.values()) {
    if (stored instanceof Y.Map && typeof stored.get('author') === 'string' && stored.get('text') === undefined) hidden += 1;
  }
  return hidden;
}

/**
 * Cards a shared screen may show: all once the moderator revealed them,
 * none before (the projector receives no hidden text anyway).
 */
export function selectPublicCards(board: Board): Card[] {
  return selectMeta(board).revealed ? selectCards(board) : [];
}
