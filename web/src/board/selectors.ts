/**
 * Read side: everything the views show is derived from the doc here, on
 * every render. There is no second copy of board state anywhere.
 */
import { type Board, readCard, readCluster, readGroup, readMeta, readParticipant } from './board';
import {
  SECTORS,
  type Card,
  type Cluster,
  type Group,
  type Meta,
  type Participant,
  type Sector,
  splitKey,
} from './schema';

export function selectMeta(board: Board): Meta {
  return readMeta(board.meta);
}

export function selectParticipants(board: Board): Participant[] {
  return [...board.participants.entries()]
    .map(([id, value]) => readParticipant(id, value))
    .filter((p): p is Participant => p !== null && !p.removed)
    .sort((a, b) => a.joinedAt - b.joinedAt || a.id.localeCompare(b.id));
}

/** A participant by id, removed ones too (their cards still name them). */
export function selectParticipant(board: Board, participantId: string): Participant | null {
  return readParticipant(participantId, board.participants.get(participantId));
}

export function selectGroups(board: Board): Group[] {
  return [...board.groups.entries()]
    .map(([id, value]) => readGroup(id, value))
    .filter((g) => g !== null)
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name, 'de', { numeric: true }));
}

/** Members per group id; participants whose group no longer exists are under null. */
export function selectGroupMembers(board: Board): Map<string | null, Participant[]> {
  const members = new Map<string | null, Participant[]>([[null, []]]);
  for (const group of selectGroups(board)) members.set(group.id, []);
  for (const participant of selectParticipants(board)) {
    const list = members.get(participant.group) ?? members.get(null);
    list?.push(participant);
  }
  return members;
}

export function selectCards(board: Board): Card[] {
  return [...board.cards.entries()]
    .map(([id, value]) => readCard(id, value))
    .filter((c) => c !== null)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export function selectCardsBy(board: Board, author: string): Card[] {
  return selectCards(board).filter((card) => card.author === author);
}

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

/** Dots per existing cluster (clusters without votes are 0). */
export function selectVoteTotals(board: Board): Map<string, number> {
  const totals = new Map<string, number>();
  for (const cluster of selectClusters(board)) totals.set(cluster.id, 0);
  for (const [key, count] of board.votes.entries()) {
    const clusterId = splitKey(key)?.[1];
    if (clusterId === undefined || !totals.has(clusterId) || !(count > 0)) continue;
    totals.set(clusterId, (totals.get(clusterId) ?? 0) + count);
  }
  return totals;
}

/** Clusters ranked by votes, most first; ties keep the wall order. */
export function selectVoteRanking(board: Board): { cluster: Cluster; votes: number }[] {
  const totals = selectVoteTotals(board);
  return selectClusters(board)
    .map((cluster) => ({ cluster, votes: totals.get(cluster.id) ?? 0 }))
    .sort((a, b) => b.votes - a.votes);
}

export interface OwnVotes {
  used: number;
  remaining: number;
  byCluster: Map<string, number>;
}

export function selectOwnVotes(board: Board, participantId: string): OwnVotes {
  const byCluster = new Map<string, number>();
  let used = 0;
  for (const [key, count] of board.votes.entries()) {
    const parts = splitKey(key);
    if (parts?.[0] !== participantId || !(count > 0)) continue;
    byCluster.set(parts[1], count);
    used += count;
  }
  const budget = selectMeta(board).voteBudget;
  return { used, remaining: Math.max(0, budget - used), byCluster };
}

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

/**
 * Cards a shared screen may show: all once the moderator revealed them,
 * none before. (Hiding is presentation only: every client receives the doc.)
 */
export function selectPublicCards(board: Board): Card[] {
  return selectMeta(board).revealed ? selectCards(board) : [];
}
