/**
 * The `offerLinks` map (`"{offerCardId}:{clusterId}"`): the moderator links
 * an offer card to a need cluster ("this offer already exists for it").
 */
import type { Board } from './board';
import { readCard } from './cards';
import { selectClusters } from './clusters';
import { type Card, offerLinkKey, splitKey } from './schema';
import { BoardError, existing } from './write';

/** Links an offer card to a need cluster ("this offer already exists for it"). */
export function linkOffer(board: Board, cardId: string, clusterId: string): void {
  board.transact(() => {
    const card = readCard(cardId, board.cards.get(cardId));
    if (card === null) throw new BoardError('not-found', `card ${cardId} not found`);
    if (card.kind !== 'offer') throw new BoardError('invalid', 'only offer cards can be linked');
    existing(board.clusters, clusterId, 'cluster');
    board.offerLinks.set(offerLinkKey(cardId, clusterId), true);
  });
}

export function unlinkOffer(board: Board, cardId: string, clusterId: string): void {
  board.transact(() => board.offerLinks.delete(offerLinkKey(cardId, clusterId)));
}

// ---------------------------------------------------------------- read side

/** Offer cards linked to each need cluster. */
export function selectOffersByCluster(board: Board): Map<string, Card[]> {
  const result = new Map<string, Card[]>();
  for (const cluster of selectClusters(board)) result.set(cluster.id, []);
  for (const key of board.offerLinks.keys()) {
    const parts = splitKey(key);
    if (!parts) continue;
    const card = readCard(parts[0], board.cards.get(parts[0]));
    if (card) result.get(parts[1])?.push(card);
  }
  for (const cards of result.values()) cards.sort((a, b) => a.createdAt - b.createdAt);
  return result;
}

/** Cluster ids an offer card is linked to. */
export function selectLinksOfCard(board: Board, cardId: string): string[] {
  const result: string[] = [];
  if (!board.cards.has(cardId)) return result;
  for (const key of board.offerLinks.keys()) {
    const parts = splitKey(key);
    if (parts?.[0] === cardId && board.clusters.has(parts[1])) result.push(parts[1]);
  }
  return result;
}
