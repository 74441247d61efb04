/**
 * Dot voting: the `votes` map (`"{participantId}:{clusterId}"` → dots) and
 * `meta.votingOpen` / `meta.voteBudget`. A participant writes only their
 * own keys, within the budget, while voting is open.
 */
import type { Board } from './board';
import { selectClusters } from './clusters';
import { readMeta, selectMeta } from './meta';
import { LIMITS, type Cluster, splitKey, voteKey } from './schema';
import { BoardError } from './write';

/** Starts a round of dot voting: clears earlier votes, sets the budget. */
export function startVoting(board: Board, budget: number): void {
  if (!Number.isInteger(budget) || budget < 1 || budget > LIMITS.voteBudgetMax) {
    throw new BoardError('invalid', `budget must be 1–${LIMITS.voteBudgetMax}`);
  }
  board.transact(() => {
    board.votes.clear();
    board.meta.set('voteBudget', budget);
    board.meta.set('votingOpen', true);
  });
}

/** Ends voting; the votes stay as the result. */
export function stopVoting(board: Board): void {
  board.transact(() => board.meta.set('votingOpen', false));
}

function votesUsed(board: Board, participantId: string): number {
  let used = 0;
  for (const [key, count] of board.votes.entries()) {
    if (splitKey(key)?.[0] === participantId) used += count;
  }
  return used;
}

/** Adds one dot. Returns false (and writes nothing) when voting is closed or the budget is spent. */
export function castVote(board: Board, participantId: string, clusterId: string): boolean {
  let cast = false;
  board.transact(() => {
    const meta = readMeta(board.meta);
    if (!meta.votingOpen || !board.clusters.has(clusterId)) return;
    if (votesUsed(board, participantId) >= meta.voteBudget) return;
    const key = voteKey(participantId, clusterId);
    board.votes.set(key, (board.votes.get(key) ?? 0) + 1);
    cast = true;
  });
  return cast;
}

/** Takes one dot back. Returns false when there was none or voting is closed. */
export function retractVote(board: Board, participantId: string, clusterId: string): boolean {
  let retracted = false;
  board.transact(() => {
    if (!readMeta(board.meta).votingOpen) return;
    const key = voteKey(participantId, clusterId);
    const count = board.votes.get(key) ?? 0;
    if (count <= 0) return;
    if (count === 1) board.votes.delete(key);
    else board.votes.set(key, count - 1);
    retracted = true;
  });
  return retracted;
}

// ---------------------------------------------------------------- read side

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
