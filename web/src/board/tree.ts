/**
 * The problem–solution tree of the Kassel format (docs/schema.md, "The
 * problem–solution tree"): `challenge` cards are the branches (a challenge
 * may hang under another by `parent`), `solution` cards hang under a
 * challenge. Participants add challenges while `meta.challengesOpen` and
 * solutions while `meta.solutionsOpen`; the moderator opens the parts and
 * restructures: moves a challenge under another (or back to the trunk) and
 * merges two duplicates, keeping both texts. The server enforces the
 * parts and the parents; these mutations check the same first, so a phone
 * tells the person instead of writing what would be refused.
 */
import type { Board } from './board';
import { createCard, readCard, selectCards } from './cards';
import { selectMeta } from './meta';
import { LIMITS, type Card } from './schema';
import { BoardError, cleanText, existing, now } from './write';

/** A challenge with what hangs under it, in writing order. */
export interface TreeNode {
  card: Card;
  /** Sub-challenges. */
  children: TreeNode[];
  solutions: Card[];
}

export interface Tree {
  /** Challenges at the trunk. */
  roots: TreeNode[];
  /**
   * Solutions whose challenge is gone (deleted by the moderator while a
   * phone wrote offline): shown apart, never lost.
   */
  orphans: Card[];
  challenges: number;
  solutions: number;
}

/** The separator between the texts of two merged challenges. */
export const MERGED_SEPARATOR = '\n';

/**
 * Whether the board is a problem–solution tree: its kind in the event says
 * so, or (a board of an older server) a part was opened or an entry
 * written.
 */
export function isTreeBoard(board: Board): boolean {
  const meta = selectMeta(board);
  if (meta.kind === 'tree') return true;
  if (meta.kind !== null) return false;
  return meta.challengesOpen || meta.solutionsOpen || selectCards(board).some((card) => card.kind === 'challenge' || card.kind === 'solution');
}

export function selectTree(board: Board): Tree {
  const cards = selectCards(board);
  const challenges = new Map(cards.filter((card) => card.kind === 'challenge').map((card) => [card.id, card]));
  const nodes = new Map<string, TreeNode>([...challenges].map(([id, card]) => [id, { card, children: [], solutions: [] }]));
  // A parent chain that loops (two moves made at once on two devices) or
  // ends at a missing challenge puts the challenge at the trunk.
  const hangsOnTrunk = (card: Card): boolean => {
    const seen = new Set<string>([card.id]);
    let parent = card.parent;
    while (parent !== null) {
      const up = challenges.get(parent);
      if (!up || seen.has(parent)) return true;
      seen.add(parent);
      parent = up.parent;
    }
    return false;
  };
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.card.parent === null ? undefined : nodes.get(node.card.parent);
    if (parent && !hangsOnTrunk(node.card)) parent.children.push(node);
    else roots.push(node);
  }
  const orphans: Card[] = [];
  let solutions = 0;
  for (const card of cards) {
    if (card.kind !== 'solution') continue;
    solutions += 1;
    const node = card.parent === null ? undefined : nodes.get(card.parent);
    if (node) node.solutions.push(card);
    else orphans.push(card);
  }
  return { roots, orphans, challenges: challenges.size, solutions };
}

/** The challenges in reading order (depth first), with their depth: for lists and choices. */
export function flattenTree(tree: Tree): { node: TreeNode; depth: number }[] {
  const out: { node: TreeNode; depth: number }[] = [];
  const walk = (node: TreeNode, depth: number): void => {
    out.push({ node, depth });
    for (const child of node.children) walk(child, depth + 1);
  };
  for (const root of tree.roots) walk(root, 0);
  return out;
}

export interface NewTreeEntry {
  text: string;
  /** The participant id, or MODERATOR_AUTHOR. */
  author: string;
  group?: string | null;
}

function challengeOf(board: Board, id: string): Card {
  const card = readCard(id, board.cards.get(id));
  if (!card || card.kind !== 'challenge') throw new BoardError('not-found', `challenge ${id} not found`);
  return card;
}

/** A challenge at the trunk, or under `parent` (a sub-challenge). */
export function addChallenge(board: Board, entry: NewTreeEntry, parent: string | null = null): string {
  if (!selectMeta(board).challengesOpen) throw new BoardError('closed', 'the challenges part is closed');
  if (parent !== null) challengeOf(board, parent);
  return createCard(board, { ...entry, kind: 'challenge', parent });
}

/** A solution to the challenge `parent`. */
export function addSolution(board: Board, entry: NewTreeEntry, parent: string): string {
  if (!selectMeta(board).solutionsOpen) throw new BoardError('closed', 'the solutions part is closed');
  challengeOf(board, parent);
  return createCard(board, { ...entry, kind: 'solution', parent });
}

/** Opens or closes the challenges part; opening it opens card writing too (`json open-challenges`). */
export function setChallengesOpen(board: Board, open: boolean): void {
  board.transact(() => {
    if (open) board.meta.set('writingOpen', true);
    board.meta.set('challengesOpen', open);
  });
}

/** Opens or closes the solutions part; opening it opens card writing too (`json open-solutions`). */
export function setSolutionsOpen(board: Board, open: boolean): void {
  board.transact(() => {
    if (open) board.meta.set('writingOpen', true);
    board.meta.set('solutionsOpen', open);
  });
}

/** Whether `ancestor` is `id` or one of the challenges `id` hangs under. */
function isAncestor(board: Board, ancestor: string, id: string): boolean {
  const seen = new Set<string>();
  let current: string | null = id;
  while (current !== null && !seen.has(current)) {
    if (current === ancestor) return true;
    seen.add(current);
    current = readCard(current, board.cards.get(current))?.parent ?? null;
  }
  return false;
}

/**
 * The moderator moves a challenge under another (`parent`) or back to the
 * trunk (null). Moving a challenge under itself or under one of its own
 * sub-challenges would cut the branch off the tree: refused.
 */
export function moveChallenge(board: Board, id: string, parent: string | null): void {
  challengeOf(board, id);
  if (parent !== null) {
    challengeOf(board, parent);
    if (isAncestor(board, id, parent)) throw new BoardError('invalid', 'a challenge cannot hang under itself');
  }
  board.transact(() => {
    const card = existing(board.cards, id, 'card');
    if (parent === null) card.delete('parent');
    else if (card.get('parent') !== parent) card.set('parent', parent);
  });
}

/** The moderator hangs a solution on another challenge. */
export function moveSolution(board: Board, id: string, parent: string): void {
  const card = readCard(id, board.cards.get(id));
  if (!card || card.kind !== 'solution') throw new BoardError('not-found', `solution ${id} not found`);
  challengeOf(board, parent);
  if (card.parent === parent) return;
  board.transact(() => existing(board.cards, id, 'card').set('parent', parent));
}

/**
 * The moderator merges the duplicate `other` into `keep`: `keep` holds both
 * texts (one per line), what hung under `other` hangs under `keep`, and
 * `other` is gone. One undo step brings it all back.
 */
export function mergeChallenges(board: Board, keep: string, other: string): void {
  if (keep === other) throw new BoardError('invalid', 'a challenge cannot be merged with itself');
  const kept = challengeOf(board, keep);
  const merged = challengeOf(board, other);
  const text = cleanText(`${kept.text}${MERGED_SEPARATOR}${merged.text}`, LIMITS.cardText, 'merged text');
  // `keep` under `other` would hang under itself once `other` is gone.
  const parent = isAncestor(board, other, keep) ? merged.parent : kept.parent;
  board.transact(() => {
    const card = existing(board.cards, keep, 'card');
    card.set('text', text);
    card.set('editedAt', now());
    if (parent === null) card.delete('parent');
    else if (parent !== kept.parent) card.set('parent', parent);
    for (const [id, value] of board.cards.entries()) {
      if (id !== keep && value.get('parent') === other) value.set('parent', keep);
    }
    board.cards.delete(other);
  });
}
