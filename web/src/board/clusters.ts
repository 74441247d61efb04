/**
 * The `clusters` map: the moderator's headings on the wall. Deleting or
 * merging a cluster also moves or drops what points at it (cards, offer
 * links, votes), in the same transaction.
 */
import * as Y from 'yjs';
import type { Board, Entry } from './board';
import { selectCards } from './cards';
import { newId } from './ids';
import { selectParticipant } from './participants';
import { num, str } from './read';
import {
  COLOURS,
  LIMITS,
  SECTORS,
  type Card,
  type Cluster,
  type ClusterScope,
  type Colour,
  type Sector,
  isClusterScope,
  isColour,
  offerLinkKey,
  splitKey,
  voteKey,
} from './schema';
import { BoardError, cleanText, entry, existing, now } from './write';

export function readCluster(id: string, stored: unknown): Cluster | null {
  if (!(stored instanceof Y.Map)) return null;
  const e = stored as Entry;
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

/**
 * Creates a cluster; `cards` are moved into it in the same transaction (a
 * card dropped on "new cluster" is one undo step, not two).
 */
export function createCluster(
  board: Board,
  title: string,
  options: { colour?: Colour; cards?: readonly string[] } = {},
): string {
  const id = newId();
  const clean = cleanText(title, LIMITS.title, 'cluster title');
  const { colour } = options;
  board.transact(() => {
    let order = 0;
    for (const [clusterId, value] of board.clusters.entries()) {
      order = Math.max(order, (readCluster(clusterId, value)?.order ?? 0) + 1);
    }
    board.clusters.set(
      id,
      entry({
        title: clean,
        colour: colour ?? COLOURS[board.clusters.size % COLOURS.length] ?? 'yellow',
        order,
        createdAt: now(),
      }),
    );
    for (const cardId of options.cards ?? []) existing(board.cards, cardId, 'card').set('cluster', id);
  });
  return id;
}

export function renameCluster(board: Board, clusterId: string, title: string): void {
  const clean = cleanText(title, LIMITS.title, 'cluster title');
  board.transact(() => existing(board.clusters, clusterId, 'cluster').set('title', clean));
}

export function recolourCluster(board: Board, clusterId: string, colour: Colour): void {
  board.transact(() => existing(board.clusters, clusterId, 'cluster').set('colour', colour));
}

/** District-specific or overarching; null means not decided yet. */
export function setClusterScope(board: Board, clusterId: string, scope: ClusterScope | null): void {
  board.transact(() => {
    const cluster = existing(board.clusters, clusterId, 'cluster');
    if (scope === null) cluster.delete('scope');
    else cluster.set('scope', scope);
  });
}

/** Removes everything that points at a cluster (not the cluster itself). */
function detachCluster(board: Board, clusterId: string, moveTo: string | null): void {
  for (const card of board.cards.values()) {
    if (!(card instanceof Y.Map) || card.get('cluster') !== clusterId) continue;
    if (moveTo === null) card.delete('cluster');
    else card.set('cluster', moveTo);
  }
  for (const key of [...board.offerLinks.keys()]) {
    const parts = splitKey(key);
    if (parts?.[1] !== clusterId) continue;
    board.offerLinks.delete(key);
    if (moveTo !== null) board.offerLinks.set(offerLinkKey(parts[0], moveTo), true);
  }
  for (const [key, count] of [...board.votes.entries()]) {
    const parts = splitKey(key);
    if (parts?.[1] !== clusterId) continue;
    board.votes.delete(key);
    if (moveTo !== null) {
      const target = voteKey(parts[0], moveTo);
      board.votes.set(target, (board.votes.get(target) ?? 0) + count);
    }
  }
}

/** Moves the source cluster's cards, offer links and votes into the target, then deletes the source. */
export function mergeClusters(board: Board, sourceId: string, targetId: string): void {
  if (sourceId === targetId) throw new BoardError('invalid', 'cannot merge a cluster into itself');
  board.transact(() => {
    existing(board.clusters, sourceId, 'cluster');
    existing(board.clusters, targetId, 'cluster');
    detachCluster(board, sourceId, targetId);
    board.clusters.delete(sourceId);
  });
}

/** Deletes a cluster; its cards go back to the unsorted wall, never lost. */
export function deleteCluster(board: Board, clusterId: string): void {
  board.transact(() => {
    detachCluster(board, clusterId, null);
    board.clusters.delete(clusterId);
  });
}

// ---------------------------------------------------------------- read side

export function selectClusters(board: Board): Cluster[] {
  return [...board.clusters.entries()]
    .map(([id, value]) => readCluster(id, value))
    .filter((c) => c !== null)
    .sort((a, b) => a.order - b.order || a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export interface CardsByCluster {
  /** Cards on the unsorted wall, including cards whose cluster was deleted concurrently. */
  unclustered: Card[];
  byCluster: Map<string, Card[]>;
}

export function selectCardsByCluster(board: Board, cards: Card[] = selectCards(board)): CardsByCluster {
  const byCluster = new Map<string, Card[]>();
  for (const cluster of selectClusters(board)) byCluster.set(cluster.id, []);
  const unclustered: Card[] = [];
  for (const card of cards) {
    const list = card.cluster === null ? undefined : byCluster.get(card.cluster);
    if (list) list.push(card);
    else unclustered.push(card);
  }
  return { unclustered, byCluster };
}

export interface SectorCount {
  sector: Sector;
  /** Distinct participants of this sector with a card in the cluster. */
  participants: number;
}

/** Per cluster: which sectors voice this need, in SECTORS order. */
export function selectSectorsPerCluster(board: Board): Map<string, SectorCount[]> {
  const { byCluster } = selectCardsByCluster(board);
  const result = new Map<string, SectorCount[]>();
  for (const [clusterId, cards] of byCluster) {
    const authors = new Map<Sector, Set<string>>();
    for (const card of cards) {
      const sector = selectParticipant(board, card.author)?.sector;
      if (sector === undefined) continue;
      let set = authors.get(sector);
      if (!set) authors.set(sector, (set = new Set()));
      set.add(card.author);
    }
    result.set(
      clusterId,
      SECTORS.filter((s) => authors.has(s)).map((sector) => ({
        sector,
        participants: authors.get(sector)?.size ?? 0,
      })),
    );
  }
  return result;
}
